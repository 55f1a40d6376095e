"""The escalation ladder as a state machine, on the core alone: real store, fake clock, no Slack."""
from datetime import datetime, timedelta, timezone

import pytest

from bot.clock import FakeClock
from bot.questions.experts import ExpertService
from bot.groups import GroupService
from bot.ports import Person, PlatformError
from bot.outbox import Outbox
from bot.questions import OPEN, QuestionService, archive_table
from bot.clock import parse_iso
from bot.store import TinyDBStore

MONDAY_9_UTC = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


class Directory:
    """The Directory port with a fixed cast (time zones decide who is at work)."""

    def __init__(self, people):
        self.people = people

    def person(self, team_id, user_id):
        if user_id not in self.people:
            raise PlatformError("user_not_found")
        return self.people[user_id]

    def channel_creator(self, team_id, channel_id):
        return "UOWNER"

    def bot_user_id(self, team_id):
        return "UBOT"


@pytest.fixture
def world(tmp_path):
    class World:
        pass
    w = World()
    w.clock = FakeClock(MONDAY_9_UTC)
    w.store = TinyDBStore(tmp_path, flush_interval=60)
    w.groups = GroupService(w.store, w.clock)
    w.experts = ExpertService(w.store, w.clock)
    w.outbox = Outbox(w.store)  # the real Messenger: what the ladder posts is queued here
    w.directory = Directory({
        "UOWNER": Person("UOWNER", timezone="Europe/Paris"), "UASKER": Person("UASKER", timezone="Europe/Paris"),
        "UK1": Person("UK1", timezone="Europe/Paris"), "UK2": Person("UK2", timezone="Europe/London"),
        "UK3": Person("UK3", timezone="Europe/Berlin"), "UTOKYO": Person("UTOKYO", timezone="Asia/Tokyo"),
        "UROBOT": Person("UROBOT", is_bot=True),
    })
    w.questions = QuestionService(w.store, w.clock, w.groups, w.experts, w.directory, w.outbox)
    w.group, _ = w.groups.create("T1", "C1", "UOWNER", timezone="Europe/Paris")

    def step(advance=None):
        """Move the clock, then do what the sweep does; the steps 'posted'."""
        if advance:
            w.clock.advance(advance)
        return [(ping.step, ping.people) for ping in w.questions.escalate_due()]
    w.step = step
    yield w
    w.store.close()


def ask(w, text="How do I roll back a kubernetes deployment?", asker="UASKER", ts="1763888400.000100"):
    return w.questions.ask(w.group, asker, ts, text)


def test_every_transition_of_the_ladder(world):
    world.experts.declare("T1", "UK1", ["kubernetes"])
    world.experts.declare("T1", "UK2", ["kubernetes", "helm"])
    world.experts.declare("T1", "UK3", ["deployment"])
    doc = ask(world)
    assert (doc["status"], doc["next_step"]) == ("open", "experts")
    assert world.step(timedelta(minutes=29)) == []
    first = world.step(timedelta(minutes=1))
    assert first[0][0] == "experts" and len(first[0][1]) <= 2
    assert world.step() == []  # claimed: never twice
    state = world.store.get(OPEN, doc["key"])
    assert state["next_step"] == "more_experts"
    second = world.step(timedelta(hours=2))
    assert second[0][0] == "more_experts" and not set(second[0][1]) & set(first[0][1])
    assert world.step(timedelta(hours=4)) == [("owners", ["UOWNER"])]
    assert world.store.get(OPEN, doc["key"])["next_step"] is None
    assert world.step(timedelta(days=3)) == []


def test_a_reply_from_someone_else_ends_the_ladder_and_records_the_time_to_answer(world):
    world.experts.declare("T1", "UK1", ["kubernetes"])
    doc = ask(world)
    world.clock.advance(minutes=12)
    assert world.questions.thread_reply(world.group, doc["ts"], "1.1", "UASKER") is None  # the asker adds detail
    assert world.questions.thread_reply(world.group, doc["ts"], "1.2", "UK2") == "answered"
    state = world.store.get(OPEN, doc["key"])
    assert (state["status"], state["answer_seconds"], state["first_replier"]) == ("answered", 720, "UK2")
    assert world.step(timedelta(hours=8)) == []


def test_resolve_rules_archive_and_learning(world):
    doc = ask(world, text="Why does the invoice export time out?")
    world.questions.thread_reply(world.group, doc["ts"], "1.2", "UK3")
    assert world.questions.resolve(world.group, doc["ts"], "UK1") == "not_allowed"
    assert world.questions.resolve(world.group, doc["ts"], "UASKER") == "resolved"
    assert world.store.get(OPEN, doc["key"]) is None
    assert world.store.get(archive_table(parse_iso(doc["asked_at"])), doc["key"])["answerer"] == "UK3"
    assert world.questions.resolve(world.group, doc["ts"], "UASKER") == "already"
    [match] = world.experts.rank_for("T1", "C1", "invoice export is slow", exclude=set())
    assert match.user_id == "UK3" and match.learned and "invoice" in match.topics


def test_learned_expertise_fades_with_time(world):
    world.experts.learn("T1", "UK3", "invoice export timeout")  # answered long ago
    world.clock.advance(days=180)  # two half-lives
    world.experts.learn("T1", "UK2", "invoice export timeout")  # answered just now
    scores = {m.user_id: m.score for m in world.experts.rank_for("T1", "C1", "invoice export", exclude=set())}
    assert scores["UK2"] > scores["UK3"] > 0
    learned = world.experts.profile("T1", "UK3")["learned"]
    assert all(world.experts._decayed(entry, world.clock.now()) == pytest.approx(0.25) for entry in learned.values())


def test_no_expert_means_the_owners_at_first_wait(world):
    doc = ask(world, text="Where is the holiday calendar?")
    assert world.step(timedelta(minutes=30)) == [("owners", ["UOWNER"])]
    assert world.store.get(OPEN, doc["key"])["steps"]["experts"]["pinged"] == []


def test_the_asker_bots_and_opted_out_people_are_never_asked(world):
    for user in ("UASKER", "UROBOT", "UK1"):
        world.experts.declare("T1", user, ["kubernetes"])
    world.experts.set_opted_out("T1", "UK1", True)
    ask(world)
    assert world.step(timedelta(minutes=30)) == [("owners", ["UOWNER"])]


def test_nobody_is_pinged_outside_their_own_working_hours(world):
    world.experts.declare("T1", "UTOKYO", ["kubernetes"])
    ask(world)
    assert world.step(timedelta(minutes=30)) == []  # 18:30 in Tokyo: the step waits
    assert world.step(timedelta(hours=14, minutes=30)) == [("experts", ["UTOKYO"])]  # Tuesday 09:00 in Tokyo


def test_waits_count_working_time_in_the_group_zone(world):
    world.clock.set(datetime(2026, 11, 27, 16, 50, tzinfo=timezone.utc))  # Friday 17:50 in Paris
    doc = ask(world)
    assert doc["next_due_at"] == "2026-11-30T08:20:00+00:00"  # Monday 09:20 in Paris


def test_the_daily_cap_counts_per_day_in_the_experts_zone(world):
    world.group, _ = world.groups.set_setting(world.group, "expert_daily_cap", "2")
    world.experts.declare("T1", "UK1", ["kubernetes"])
    for n in range(3):
        ask(world, ts=f"1763888400.00010{n}")
    pinged = world.step(timedelta(minutes=30))
    assert len(pinged) == 2  # the third question waits for tomorrow
    assert world.step(timedelta(hours=1)) == []
    later = world.step(timedelta(hours=23))  # a new day: the third question's turn
    assert [people for step, people in later if step == "experts"] == [["UK1"]]


def test_load_is_spread_among_equal_candidates(world):
    for user in ("UK1", "UK2", "UK3"):
        world.experts.declare("T1", user, ["kubernetes"])
    counts = {"UK1": 0, "UK2": 0, "UK3": 0}
    for n in range(6):
        ask(world, text="kubernetes question?", ts=f"1763888400.0002{n:02d}")
    for _, people in world.step(timedelta(minutes=30)):
        for user in people:
            counts[user] += 1
    assert max(counts.values()) - min(counts.values()) <= 1


def test_a_decline_lowers_the_score_and_excludes_the_expert_from_this_question(world):
    for user in ("UK1", "UK2", "UK3"):
        world.experts.declare("T1", user, ["kubernetes"])
    doc = ask(world)
    [(_, first)] = world.step(timedelta(minutes=30))
    decliner = first[0]
    before = {m.user_id: m.score for m in world.experts.rank_for("T1", "C1", doc["text"], set())}
    assert world.questions.decline(world.group, doc["ts"], "UK3") == "not_pinged"
    assert world.questions.decline(world.group, doc["ts"], decliner) == "declined"
    after = {m.user_id: m.score for m in world.experts.rank_for("T1", "C1", doc["text"], set())}
    assert after[decliner] == pytest.approx(before[decliner] / 2)
    replacement = world.questions.next_expert(world.group, doc["ts"])
    assert replacement is not None and replacement.people[0] != decliner


def test_each_step_is_queued_once_in_the_outbox_with_its_buttons(world):
    world.experts.declare("T1", "UK1", ["kubernetes"])
    doc = ask(world)
    world.step(timedelta(minutes=30))
    world.step()
    [post] = world.outbox.waiting()
    assert post["key"] == f"ladder:{doc['key']}:experts" and post["thread"] == doc["ts"]
    [body] = post["message"]["paragraphs"]
    assert {"kind": "mention", "user_id": "UK1"} in body
    assert [b["action_id"] for b in post["message"]["buttons"]] == ["question_mark_answered", "question_not_my_topic"]
    assert world.experts.pings_on("T1", "UK1", "2026-11-23") == 1


def test_stale_questions_leave_the_open_table_after_30_days(world):
    doc = ask(world, text="Where is the holiday calendar?")
    world.step(timedelta(minutes=30))  # owners asked: nothing left to do
    world.clock.advance(days=31)
    assert world.questions.archive_stale() == 1
    assert world.store.get(archive_table(parse_iso(doc["asked_at"])), doc["key"])["status"] == "stale"
