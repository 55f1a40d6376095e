"""Meaning beyond keywords, on the core: learned vocabulary, topic aliases, good matches, privacy.

Real TinyDB store in a temporary directory, a fake clock, the real outbox; no Slack. Every fixture
is built so that the right expert can only be found through what they wrote or through an alias:
nobody declared the question's words.
"""
from datetime import datetime, timedelta, timezone

import pytest

from bot.clock import FakeClock
from bot.groups import GroupService
from bot.messages import plain
from bot.outbox import Outbox
from bot.ports import Person, PlatformError
from bot.questions import OPEN, QuestionService, ping_message
from bot.questions.experts import MIN_EVIDENCE, ExpertService
from bot.questions.vocabulary import ANSWER, MAX_WORDS, MESSAGE, REPLY, vocabulary_table
from bot.store import TinyDBStore

MONDAY_9_UTC = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
KUBECTL_QUESTION = "Why does kubectl apply fail with forbidden on staging?"
PEOPLE = ("UOWNER", "UASKER", "UOPS", "UCHAT", "UACC", "UDES", "USEC", "UPAUSED")


class Directory:
    def person(self, team_id, user_id):
        if user_id not in PEOPLE:
            raise PlatformError("user_not_found")
        return Person(user_id, timezone="Europe/Paris")

    def channel_creator(self, team_id, channel_id):
        return "UOWNER"

    def bot_user_id(self, team_id):
        return "UBOT"


class World:
    def __init__(self, path):
        self.path = path
        self.clock = FakeClock(MONDAY_9_UTC)
        self.open()
        self.group, _ = self.groups.create("T1", "C1", "UOWNER", timezone="Europe/Paris")
        self.n = 0

    def open(self):
        self.store = TinyDBStore(self.path, flush_interval=60)
        self.groups = GroupService(self.store, self.clock)
        self.experts = ExpertService(self.store, self.clock)
        self.outbox = Outbox(self.store)
        self.questions = QuestionService(self.store, self.clock, self.groups, self.experts, Directory(), self.outbox)

    def restart(self):
        self.store.close()
        self.open()
        self.group = self.groups.get("T1", "C1")

    def ts(self):
        self.n += 1
        return f"1763888400.{self.n:06d}"

    def say(self, user, text, thread=None):
        """A message applied as the inbox applies it; its ts."""
        ts = self.ts()
        self.questions.on_message(self.group, user, ts, thread, text)
        return ts

    def reply_in_a_thread(self, user, text):
        return self.say(user, text, thread=self.say("UOWNER", "Release notes for this week"))

    def rank(self, text, exclude=frozenset()):
        return self.experts.rank_for("T1", "C1", text, set(exclude))

    def step(self, advance=None):
        if advance:
            self.clock.advance(advance)
        return self.questions.escalate_due()


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    yield w
    w.store.close()


def an_ops_person(w, user="UOPS"):
    """Someone who often answers about kubectl and helm in threads, and never declared a topic."""
    for text in ("try `kubectl rollout undo deploy/web`", "kubectl describe pod shows the image pull error",
                 "the helm chart pins the old tag, kubectl get events tells you more"):
        w.reply_in_a_thread(user, text)


# --- found only through what they write ----------------------------------------------------------
def test_a_kubectl_error_goes_to_the_person_who_often_talks_about_kubectl_and_helm(world):
    an_ops_person(world)
    for n in range(3):  # chatter that happens to say kubectl once, among other things
        world.say("UCHAT", f"lunch at noon? bring the kubectl stickers {n}")
    [first, *rest] = world.rank(KUBECTL_QUESTION)
    assert (first.user_id, first.source, first.strong) == ("UOPS", "vocabulary", True)
    assert first.topics[:2] == ["kubectl", "helm"]  # the question's own word first, then its field's
    assert [m.user_id for m in rest] == ["UCHAT"] and not rest[0].strong  # three mentions in chatter: weak

    question = world.questions.ask(world.group, "UASKER", world.ts(), KUBECTL_QUESTION)
    [ping] = world.step(timedelta(minutes=30))
    assert ping.people == ["UOPS"]  # the weak match is not pinged along
    text = plain(ping_message(world.group, ping, world.clock.now()).paragraphs[0])
    assert text == ("@UOPS — could you help @UASKER with this question?\n"
                    "@UOPS: you often talk about kubectl, helm and pod here")
    assert question["key"] == ping.question["key"]


def test_replies_weigh_more_than_messages_and_the_resolving_answer_more_still(world):
    world.reply_in_a_thread("UOPS", "terraform plan")
    world.say("UCHAT", "terraform agenda")
    assert world.rank("terraform state lock?")[0].user_id == "UOPS"
    words = lambda user: dict(world.experts.learned_about("T1", user, ["C1"])[0][0][1])  # noqa: E731
    assert words("UOPS")["terraform"] == pytest.approx(REPLY)
    assert words("UCHAT")["terraform"] == pytest.approx(MESSAGE)

    question = world.say("UASKER", "How do I unlock the terraform state?")
    answer = world.say("UCHAT", "run terraform force-unlock with the lock id", thread=question)
    world.questions.reacted(world.group, answer, "UASKER", "check")  # the asker's ✅ on the reply
    assert words("UCHAT")["terraform"] == pytest.approx(MESSAGE + REPLY + ANSWER)
    assert words("UCHAT")["unlock"] == pytest.approx(REPLY + ANSWER)  # the answer's words, not only the question's
    assert world.rank("terraform state lock?")[0].user_id == "UCHAT"


def test_the_asker_learns_nothing_from_asking_or_from_their_own_thread(world):
    question = world.say("UASKER", "How do I configure the grafana alerting?")
    world.say("UASKER", "grafana version is 10, alerting is the new one", thread=question)
    assert world.experts.learned_about("T1", "UASKER", ["C1"]) == ([], [])


def test_a_replayed_message_teaches_once(world):
    world.questions.on_message(world.group, "UOPS", "1763888400.000900", "1763888400.000001", "kubectl again")
    world.questions.on_message(world.group, "UOPS", "1763888400.000900", "1763888400.000001", "kubectl again")
    [(channel, words)], _ = world.experts.learned_about("T1", "UOPS", ["C1"])
    assert channel == "C1" and dict(words)["kubectl"] == pytest.approx(REPLY)


def test_vocabulary_fades_with_the_half_life_of_learned_expertise(world):
    an_ops_person(world)
    assert world.rank(KUBECTL_QUESTION)[0].strong
    kubectl = lambda: dict(world.experts.learned_about("T1", "UOPS", ["C1"])[0][0][1])["kubectl"]  # noqa: E731
    assert kubectl() == pytest.approx(3 * REPLY)
    world.clock.advance(days=90)
    assert kubectl() == pytest.approx(1.5 * REPLY)  # halved in 90 days, like answers (LEARNED_HALF_LIFE_DAYS)
    [faded] = world.rank(KUBECTL_QUESTION)
    assert faded.user_id == "UOPS" and not faded.strong  # still known, no longer a good match
    world.reply_in_a_thread("UOPS", "kubectl auth can-i tells you")  # new words count in full
    world.reply_in_a_thread("UOPS", "kubectl config use-context staging first")
    assert kubectl() == pytest.approx(3.5 * REPLY) and world.rank(KUBECTL_QUESTION)[0].strong


def test_a_profile_keeps_its_heaviest_words_only(world):
    world.reply_in_a_thread("UOPS", "kubectl")
    world.reply_in_a_thread("UOPS", "kubectl")
    world.rank("kubectl")  # the group's index is in memory: pruning happens as words come
    for n in range(MAX_WORDS // 20 + 2):
        world.say("UOPS", " ".join(f"word{n}x{k}" for k in range(20)))
    [(_, shown)] = world.experts.learned_about("T1", "UOPS", ["C1"], limit=1000)[0]
    assert len(shown) <= MAX_WORDS and shown[0][0] == "kubectl"


# --- found through aliases -------------------------------------------------------------------------
@pytest.mark.parametrize("declared, question, alias", [
    ("comptabilité", "Comment faire un virement urgent ?", "virement"),
    ("design", "Quelle police de caractères pour les slides ?", "police de caractères"),
    ("security", "I got a suspicious e-mail from the CEO, what should I do?", "suspicious e-mail"),
    ("kubernetes", KUBECTL_QUESTION, "kubectl"),
])
def test_a_question_about_a_tool_or_an_object_finds_the_field_through_the_built_in_aliases(world, declared, question, alias):
    world.experts.declare("T1", "UACC", [declared])
    world.experts.declare("T1", "UDES", ["python"])  # someone else, who does not fit
    [match] = world.rank(question)
    assert (match.user_id, match.topics, match.aliases, match.strong) == ("UACC", [declared], {declared: alias}, True)


def test_the_built_in_names_of_a_topic_meet_in_both_languages(world):
    world.experts.declare("T1", "UACC", ["accounting"])
    [match] = world.rank("Qui s'occupe de la comptabilité des filiales ?")
    assert match.user_id == "UACC" and match.aliases == {"accounting": "comptabilité"}


def test_owner_aliases_lead_to_a_topic_and_can_switch_a_built_in_alias_off(world):
    world.experts.declare("T1", "UACC", ["notes de frais"])
    assert world.rank("Ma ndf a été refusée, pourquoi ?") == []
    assert world.experts.aliases.add("T1", "C1", "notes de frais", ["ndf", "expenses"]) == ["ndf", "expenses"]
    [match] = world.rank("Ma ndf a été refusée, pourquoi ?")
    assert match.user_id == "UACC" and match.aliases == {"notes de frais": "ndf"}
    assert world.experts.aliases.of("T1", "C1", "notes de frais") == (["ndf", "expenses"], [])

    world.experts.declare("T1", "UOPS", ["kubernetes"])
    assert [m.user_id for m in world.rank("Our cluster is slow")] == ["UOPS"]
    assert world.experts.aliases.remove("T1", "C1", "kubernetes", ["cluster"]) == ["cluster"]  # not that kind of cluster here
    assert world.rank("Our cluster is slow") == []
    assert "cluster" not in world.experts.aliases.of("T1", "C1", "kubernetes")[1]
    world.restart()
    assert world.rank("Our cluster is slow") == [] and world.rank("Ma ndf a été refusée ?")[0].user_id == "UACC"


def test_an_alias_ping_says_which_word_led_there(world):
    world.experts.declare("T1", "UACC", ["comptabilité"])
    world.questions.ask(world.group, "UASKER", world.ts(), "Comment faire un virement urgent ?")
    [ping] = world.step(timedelta(minutes=30))
    body = plain(ping_message(world.group, ping, world.clock.now()).paragraphs[0])
    assert body.endswith("@UACC: you know about comptabilité (alias virement)")


# --- who is never chosen, and declines ------------------------------------------------------------
def test_the_asker_and_members_who_paused_are_never_chosen_however_well_they_match(world):
    an_ops_person(world, "UASKER")
    an_ops_person(world, "UPAUSED")
    world.experts.set_opted_out("T1", "UPAUSED", True)
    assert [m.user_id for m in world.rank(KUBECTL_QUESTION)] == ["UASKER"]
    world.questions.ask(world.group, "UASKER", world.ts(), KUBECTL_QUESTION)
    [ping] = world.step(timedelta(minutes=30))
    assert (ping.step, ping.people) == ("owners", ["UOWNER"])


def test_an_expert_who_declines_loses_weight_for_those_words(world):
    an_ops_person(world)
    an_ops_person(world, "UCHAT")
    world.reply_in_a_thread("UCHAT", "kubectl")  # a little ahead: asked first
    question = world.questions.ask(world.group, "UASKER", world.ts(), KUBECTL_QUESTION)
    [ping] = world.step(timedelta(minutes=30))
    assert ping.people[0] == "UCHAT"
    before = {m.user_id: m for m in world.rank(KUBECTL_QUESTION)}
    elsewhere = world.rank("rollout undo")[0].score
    assert world.questions.pass_on(world.group, question["ts"], "UCHAT") == "declined"
    after = {m.user_id: m for m in world.rank(KUBECTL_QUESTION)}
    assert after["UCHAT"].score == pytest.approx(before["UCHAT"].score / 2)
    assert after["UOPS"].score == pytest.approx(before["UOPS"].score)
    assert not after["UCHAT"].strong  # half the evidence: no longer a good match for these words
    assert world.rank("rollout undo")[0].score == pytest.approx(elsewhere)  # other words are untouched
    # The next kubectl question goes to the other one only.
    world.questions.ask(world.group, "UASKER", world.ts(), "kubectl logs are empty, why?")
    [next_ping] = world.step(timedelta(minutes=30))
    assert next_ping.people == ["UOPS"]


# --- nobody matches well ----------------------------------------------------------------------------
def test_when_nobody_matches_well_the_owners_hear_it_with_the_key_words_and_nobody_weak_is_pinged(world):
    world.say("UCHAT", "the quarterly offsite is in Lyon")  # a weak match on "offsite"
    world.experts.declare("T1", "UDES", ["design"])
    assert [(m.user_id, m.strong) for m in world.rank("Who books the train tickets for the offsite?")] == [("UCHAT", False)]
    world.questions.ask(world.group, "UASKER", world.ts(), "Who books the train tickets for the offsite?")
    [ping] = world.step(timedelta(minutes=30))
    assert (ping.step, ping.people) == ("owners", ["UOWNER"])
    body = plain(ping_message(world.group, ping, world.clock.now()).paragraphs[0])
    assert body == ("@UOWNER — this question from @UASKER is still waiting for an answer after 30 min. Nobody here "
                    "matches it well, so I asked no expert. Its key words: books, train, tickets, offsite.")
    doc = world.store.get(OPEN, ping.question["key"])
    assert doc["pinged"] == ["UOWNER"] and doc["steps"]["experts"]["pinged"] == []


def test_the_owners_usual_message_when_experts_were_asked_before(world):
    world.experts.declare("T1", "UDES", ["design"])
    world.questions.ask(world.group, "UASKER", world.ts(), "Which figma library for icons?")
    assert world.step(timedelta(minutes=30))[0].people == ["UDES"]
    [owners] = world.step(timedelta(hours=6))
    assert owners.step == "owners" and owners.key_words == []


def test_the_threshold_is_the_documented_evidence():
    assert MIN_EVIDENCE == 1.0 and REPLY * 3 > MIN_EVIDENCE > REPLY * 2 and MESSAGE * 7 > MIN_EVIDENCE > MESSAGE * 6


# --- privacy ------------------------------------------------------------------------------------------
def test_forget_clears_what_was_learned_keeps_declared_topics_and_stays_cleared(world):
    world.experts.declare("T1", "UOPS", ["terraform"])
    an_ops_person(world)
    question = world.say("UASKER", "How do I read the grafana alert history?")
    world.say("UOPS", "grafana explore, alert history panel", thread=question)
    world.questions.reacted(world.group, question, "UASKER", "check")
    groups, answers = world.experts.learned_about("T1", "UOPS", ["C1"])
    assert "kubectl" in dict(groups[0][1]) and "grafana" in dict(answers)
    other = world.say("UCHAT", "Where are the grafana dashboards?")
    world.say("UOPS", "kubectl port-forward to grafana", thread=other)  # kept to learn from, should it resolve

    assert world.questions.forget("T1", "UOPS", ["C1"]) > 5
    assert world.experts.learned_about("T1", "UOPS", ["C1"]) == ([], [])
    assert world.experts.profile("T1", "UOPS")["topics"] == ["terraform"]
    assert world.store.get(OPEN, f"T1:C1:{other}")["reply_texts"] == {}
    assert [m.user_id for m in world.rank(KUBECTL_QUESTION)] == []
    world.questions.reacted(world.group, other, "UCHAT", "check")  # resolves now: nothing of the old reply comes back
    assert "port" not in dict((world.experts.learned_about("T1", "UOPS", ["C1"])[0] or [("C1", [])])[0][1])
    world.store.flush()
    world.restart()
    assert world.store.get(vocabulary_table("T1", "C1", "UOPS"), "T1:C1:UOPS") is None
    assert [m.user_id for m in world.rank(KUBECTL_QUESTION)] == []
    world.reply_in_a_thread("UOPS", "kubectl")  # new messages teach again
    assert dict(world.experts.learned_about("T1", "UOPS", ["C1"])[0][0][1]) == {"kubectl": pytest.approx(REPLY)}
