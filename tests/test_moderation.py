"""Moderation and flags: the matcher (folding, whole words, `*`, never slow), the rules and the
default list on a real store, the acknowledgement path's filter and its cost, then end to end over
the emulator: a rule match reported to the owners, the author asked, flags through the shortcut and
its modal, merged flags, edits and deletions closing reports, forged clicks refused."""
import json
import random
import time
import timeit
from datetime import timedelta

import pytest

from bot.audit import AuditLog
from bot.clock import FakeClock
from bot.groups import GroupService
from bot.messages import Message
from bot.moderation import DEFAULT_RULES, OPEN, Duplicate, ModerationService
from bot.moderation.matcher import BadPhrase, Matcher, Prefilter, Anchors, parse, words
from bot.outbox import QUEUE, Outbox
from bot.store import TinyDBStore
from bot.text import fold
from handlers.emulator import decode_json_args, message_changed_event, message_event, new_ts
from handlers.inbox import ROUTES, route_of
from handlers.moderation import FLAG_VIEW, may_match


def matches(phrase, text):
    return bool(Matcher([parse(phrase)]).matching(text))


# --- the matcher ---------------------------------------------------------------------------------
def test_rules_match_whole_folded_words():
    assert matches("Ta gueule", "TA GUEULE !")
    assert matches("ta gueule", "Ta-gueule, franchement")  # separators between words do not matter
    assert not matches("ta gueule", "tagueule")
    assert matches("crétin", "quel CRETIN") and matches("cretin", "quel crétin")  # accents, both ways
    assert matches("idiot", "l’idiot du village")  # a typographic apostrophe separates words
    assert not matches("idiot", "idiotic") and not matches("idiot", "idiots")  # whole words only
    assert matches("shut up", "please shut   up now") and not matches("shut up", "shut upstairs")
    assert matches("œuvre", "une OEUVRE") and matches("straße", "strasse")



def test_the_indexed_matcher_finds_what_trying_every_rule_at_every_word_finds():
    rng = random.Random(8)
    letters = "abcdeo"
    def word(stars: bool) -> str:
        text = "".join(rng.choice(letters) for _ in range(rng.randint(2, 5)))
        if stars and rng.random() < 0.7:
            at = rng.randint(0, len(text))
            text = text[:at] + "*" + text[at:]
        return text
    rules = []
    for _ in range(300):
        try:
            rules.append(parse(" ".join(word(True) for _ in range(rng.randint(1, 3)))))
        except BadPhrase:
            pass
    matcher = Matcher(rules)
    for _ in range(300):
        text = " ".join(word(False) for _ in range(rng.randint(1, 12)))
        text_words = words(text)
        expected = [rule for rule in rules if any(rule.matches_at(text_words, start) for start in range(len(text_words)))]
        assert matcher.matching(text) == expected, text


def test_invisible_characters_inside_a_word_do_not_hide_it():
    """A zero-width space, joiner or non-joiner, a soft hyphen, a word joiner, a byte order mark or
    a direction mark shows nothing in Slack: "id\u200biot" reads "idiot" and must match like it,
    in the rules' matcher and in the acknowledgement path's filter alike."""
    rules = [parse("idiot"), parse("shut up"), parse("conn*rd")]
    matcher, prefilter = Matcher(rules), Prefilter()
    prefilter.publish(matcher, {"T1:C1": Anchors.of(rules)})
    for text in ("you id\u200biot", "ID\u00adIOT", "i\u200dd\u200ciot!", "idi\u2060ot", "\ufeffidiot\u200f",
                 "shut up, con\u200bnard", "cré\u200btin de conn\u00adard"):
        assert matcher.matching(text), repr(text)
        assert prefilter.may_match(text), repr(text)
    assert not matches("shut up", "shut\u200bup")  # what Slack shows: "shutup", one word
    assert parse("id\u200biot").normal == "idiot"

def test_a_star_stands_for_letters_inside_one_word_and_alone_for_one_word():
    assert matches("idiot*", "idiots") and matches("idiot*", "idiotic") and matches("idiot*", "idiot")
    assert matches("*uck*", "motherfucker") and not matches("*uck*", "uc k")
    assert matches("f*ck off", "FACK OFF") and not matches("f*ck off", "f ck off")
    assert matches("buy * now", "buy cheap now") and not matches("buy * now", "buy now")
    assert matches("ab*cd*ef", "abxxcdyyef") and matches("ab*cd*ef", "abcdef") and not matches("ab*cd*ef", "abxxefyycd")
    assert Matcher([parse("connard*")]).matching("Espèce de Connards !")[0].phrase == "connard*"


def test_phrases_that_would_match_anything_or_too_much_are_refused():
    for phrase, reason in (("", "empty"), ("*", "too_vague"), ("a*", "too_vague"), ("(a+)+$", "too_vague"),
                           ("x " * 11, "too_many_words"), ("y" * 101, "too_long"), ("* * *", "too_vague")):
        with pytest.raises(BadPhrase) as error:
            parse(phrase)
        assert error.value.reason == reason, phrase
    assert parse("(ab+)+$").normal == "ab"  # signs separate words; no pattern syntax is ever interpreted


def test_catastrophic_patterns_finish_at_once():
    """What makes a backtracking engine take exponential time is linear here."""
    starry = parse("aa*" * 30 + "ab")  # 92 characters, one word of 30 stars
    words_of_stars = parse(" ".join(["aa*"] * 9 + ["ab"]))  # ten words, nine of them any run of a's
    ending = parse("aa*c")
    texts = ["a" * 10_000, "a" * 10_000 + "!", ("aaaa " * 2_000).strip(), "a" * 9_999 + "c"]
    matcher = Matcher([starry, words_of_stars, ending] + DEFAULT_RULES)
    started = time.perf_counter()
    found = [matcher.matching(text) for text in texts]
    elapsed = time.perf_counter() - started
    assert found == [[], [], [], [ending]]
    assert elapsed < 0.25, f"{elapsed:.3f} s for {len(texts)} texts of 10k characters"
    assert Matcher([parse("aa*" * 30 + "aa")]).matching("a" * 10_000)  # the match itself is found fast too


def test_the_default_list_is_data_in_both_languages_and_every_phrase_is_a_rule():
    from bot.moderation import defaults
    assert defaults.ENGLISH and defaults.FRENCH and len(DEFAULT_RULES) == len(defaults.PHRASES)
    matcher = Matcher(DEFAULT_RULES)
    assert [r.phrase for r in matcher.matching("Ferme ta gueule, espèce de CONNARD")] == ["connard*", "ta gueule", "ferme ta gueule"]
    assert [r.phrase for r in matcher.matching("Shut up, you idiot")] == ["idiot", "shut up"]
    # Words innocent in the other language are not in the shared list.
    assert matcher.matching("Je suis en retard, désolé, et crevé") == []
    assert matcher.matching("How do I deploy to staging?") == []


# --- the acknowledgement path's filter -------------------------------------------------------------
def test_the_prefilter_never_misses_a_match_and_ignores_chatter():
    rules = [parse(p) for p in ("buy followers", "idiot*", "*uck*", "*hole", "ta gueule")]
    prefilter, matcher = Prefilter(), Matcher(rules)
    prefilter.publish(matcher, {"T1:C1": Anchors.of(rules)})
    texts = ["BUY followers now", "idiots!", "motherfucker", "what an a-hole, asshole", "Ta gueule <@U123>",
             "<https://x.example/buy|buy> followers", "lunch at noon?", "kubernetes pods restart", "tagueule"]
    for text in texts:
        if matcher.matching(text):
            assert prefilter.may_match(text), text
    assert not prefilter.may_match("lunch at noon?") and not prefilter.may_match("kubernetes pods restart")


def test_the_ack_path_cost_of_the_filter_is_a_few_microseconds():
    """Measured with every default phrase and 100 rules of each of 20 groups in the filter."""
    prefilter = Prefilter(Anchors.of(DEFAULT_RULES))
    owner = type("Service", (), {})()  # weakly held, like a running service
    for group in range(20):
        prefilter.publish(owner, {f"T1:C{group}": Anchors.of([parse(f"rule{group}x{n} phrase*") for n in range(100)])})
    chatter = {"text": "Morning all! Has anyone tried the new <https://example.com|deploy pipeline> yet? :tada:"}
    french = {"text": "Bonjour à tous, quelqu’un a déjà essayé la nouvelle chaîne de déploiement ?"}
    import handlers.moderation as moderation
    original = moderation.ACK_PREFILTER
    moderation.ACK_PREFILTER = prefilter
    try:
        per_message = {name: min(timeit.repeat(lambda e=event: may_match(e), number=2000, repeat=5)) / 2000
                       for name, event in (("ascii", chatter), ("accents", french))}
    finally:
        moderation.ACK_PREFILTER = original
    print(f"ack-path moderation filter per message: {per_message['ascii'] * 1e6:.1f} µs (ASCII), "
          f"{per_message['accents'] * 1e6:.1f} µs (accents)")
    assert per_message["ascii"] < 30e-6 and per_message["accents"] < 60e-6


def test_the_prefilter_finds_pieces_inside_words_alike_with_few_rules_and_with_many():
    """Past a few pieces found inside words (`*uck*`), the filter looks them up in an index; it
    must answer exactly as looking for each piece in the text does."""
    rng = random.Random(4)
    letters = "abcdeéiou"
    pieces = sorted({"".join(rng.choice(letters) for _ in range(rng.randint(2, 6))) for _ in range(400)})
    texts = [" ".join("".join(rng.choice(letters + "xyz") for _ in range(rng.randint(1, 9))) for _ in range(6))
             for _ in range(400)]
    owner = type("Service", (), {})()
    for few in (pieces[:3], pieces):
        prefilter = Prefilter()
        prefilter.publish(owner, {"T1:C1": Anchors(inside=frozenset(fold(piece) for piece in few))})
        for text in texts:
            expected = any(fold(piece) in word for piece in few for word in words(text))
            assert prefilter.may_match(text) == expected, (len(few), text)


def test_the_filter_s_cost_does_not_grow_with_the_rules_of_every_group():
    """500 groups of 100 rules each, every one a star-bounded piece (the kind that was looked for
    one by one): a message still costs microseconds, not milliseconds."""
    prefilter = Prefilter(Anchors.of(DEFAULT_RULES))
    owner = type("Service", (), {})()
    started = time.perf_counter()  # as the service publishes at start: every group at once
    prefilter.publish(owner, {f"T1:C{group}": Anchors.of([parse(f"*g{group}r{n}x*") for n in range(100)])
                              for group in range(500)})
    print(f"500 groups' rules parsed and published in {time.perf_counter() - started:.2f} s")
    text = "Morning all! Has anyone tried the new deploy pipeline yet? It rocks, mostly"
    per_message = min(timeit.repeat(lambda: prefilter.may_match(text), number=200, repeat=5)) / 200
    print(f"ack-path moderation filter with 50,000 rules: {per_message * 1e6:.1f} µs")
    assert not prefilter.may_match(text) and prefilter.may_match("a g412r77x here")
    assert per_message < 100e-6


def test_the_message_route_journals_questions_and_possible_matches_only():
    journalled = ROUTES["message"].journalled
    assert journalled({"text": "you idiot", "ts": "1.0", "channel": "C1", "user": "U1"})
    assert journalled({"text": "How do I restart a pod?", "ts": "1.0", "channel": "C1", "user": "U1"})
    assert not journalled({"text": "lunch was great", "ts": "1.0", "channel": "C1", "user": "U1"})
    edit = message_changed_event("C1", {"type": "message", "user": "U1", "text": "lunch", "ts": "1.0"},
                                 {"type": "message", "user": "U1", "text": "you idiot", "ts": "1.0"})
    assert route_of(edit) is ROUTES["message/message_changed"] and route_of(edit).journalled(edit)
    assert route_of({"type": "message", "subtype": "channel_join"}) is ROUTES["message"]


# --- the core on a real store ------------------------------------------------------------------------
class Directory:
    def permalink(self, team_id, channel_id, ts):
        return f"https://example.slack.com/archives/{channel_id}/p{ts.replace('.', '')}"


@pytest.fixture
def world(tmp_path):
    store = TinyDBStore(tmp_path, flush_interval=60)
    clock = FakeClock()
    groups = GroupService(store, clock)
    group = groups.create("T1", "C1", "UOWNER", timezone="Europe/Paris")[0]
    group = groups.add_owner(group, "UCO") and groups.get("T1", "C1")
    outbox = Outbox(store, clock)
    audit = AuditLog(store, clock)
    service = ModerationService(store, clock, groups, Directory(), outbox, audit, prefilter=Prefilter())
    yield store, groups, group, service, audit
    store.close()


def queued(store, prefix):
    return [doc for doc in sorted(store.find(QUEUE), key=lambda d: d["queued_at"]) if doc["key"].startswith(prefix)]


def test_rules_are_added_listed_removed_and_refused_when_doubled(world):
    store, groups, group, service, audit = world
    assert service.add_rule(group, "UOWNER", "Buy followers")[0] == 1
    assert service.add_rule(group, "UOWNER", "casse-toi")[0] == 2
    with pytest.raises(Duplicate) as error:
        service.add_rule(group, "UOWNER", "buy   FOLLOWERS")
    assert error.value.position == 1
    assert [r["phrase"] for r in service.rules(group)] == ["Buy followers", "casse-toi"]
    assert service.remove_rule(group, "UOWNER", "casse toi")["phrase"] == "casse-toi"  # by phrase, folded
    assert service.remove_rule(group, "UOWNER", "7") is None
    assert service.remove_rule(group, "UOWNER", "1")["phrase"] == "Buy followers"  # by number
    assert service.rules(group) == []
    assert sorted(e.action for e in audit.recent(group.key, 10)) == ["moderation.rule_added"] * 2 + ["moderation.rule_removed"] * 2



def test_a_rule_that_would_match_everyday_words_is_refused(world):
    """`th*` (2 letters and a star) passed the length check yet matches "the", "this", "that": each
    owner would get a report for nearly every message. A rule whose every word matches a common
    French or English word is refused, saying which; a rule with one telling word is kept."""
    store, groups, group, service, audit = world
    for phrase, example in (("th*", "than"), ("*ing", "anything"), ("You", "you"), ("de la", "de"), ("* th*", "than")):
        with pytest.raises(BadPhrase) as error:
            service.add_rule(group, "UOWNER", phrase)
        assert (error.value.reason, error.value.example) == ("too_common", example), phrase
    assert service.rules(group) == [] and queued(store, "") == []
    assert service.add_rule(group, "UOWNER", "shut the f* up")[0] == 1  # "shut" is no everyday word
    assert service.add_rule(group, "UOWNER", "idiot*")[0] == 2

def test_the_default_list_can_be_turned_off_and_group_rules_still_apply(world):
    store, groups, group, service, audit = world
    service.add_rule(group, "UOWNER", "zorglub")
    assert [r.phrase for r in service.test(group, "you idiot, zorglub")] == ["zorglub", "idiot"]
    group, _ = groups.set_setting(group, "moderation_defaults", "off")
    assert [r.phrase for r in service.test(group, "you idiot, zorglub")] == ["zorglub"]


def test_a_new_rule_reaches_the_ack_path_filter_at_once(world):
    store, groups, group, service, audit = world
    assert not service.prefilter.may_match("zorglub is here")
    service.add_rule(group, "UOWNER", "zorglub")
    assert service.prefilter.may_match("ZORGLUB is here")
    service.remove_rule(group, "UOWNER", "zorglub")
    assert not service.prefilter.may_match("zorglub is here")


def test_a_match_opens_one_case_reported_to_each_owner_and_a_replay_reports_nothing_more(world):
    store, groups, group, service, audit = world
    assert service.on_message(group, "UBOB", "1700000000.000100", None, "you idiot") is True
    assert service.on_message(group, "UBOB", "1700000000.000100", None, "you idiot") is False
    reports = queued(store, "modreport:")
    assert [doc["user_id"] for doc in reports] == ["UOWNER", "UCO"]
    body = Message.from_dict(reports[0]["message"]).plain()
    assert "Moderation report" in body and "https://example.slack.com/archives/C1/p1700000000000100" in json.dumps(reports[0])
    assert "Delete message" in body  # how the owner removes it: the bot cannot
    assert service.open_count(group) == 1
    assert service.on_message(group, "UBOB", "1700000000.000200", None, "hello there") is False
    assert service.open_count(group) == 1


def test_flags_merge_per_message_and_owners_alone_see_who_flagged(world):
    store, groups, group, service, audit = world
    ts = "1700000000.000300"
    assert service.flag(group, ts, "UBOB", None, "buy my course", "UALICE", "spam").status == "flagged"
    assert service.flag(group, ts, "UBOB", None, "buy my course", "UALICE", "again").status == "already"
    outcome = service.flag(group, ts, "UBOB", None, "buy my course", "UDAN", "advertising")
    assert outcome.status == "flagged" and len(outcome.case["flags"]) == 2
    assert service.flag(group, ts, "UBOB", None, "buy my course", "UBOB", "").status == "own_message"
    assert service.open_count(group) == 1
    latest = Message.from_dict(queued(store, f"modreport:T1:C1:{ts}:1:UOWNER")[-1]["message"]).plain()
    assert "2 members flagged" in latest and "@UALICE" in latest and "advertising" in latest
    assert service.ask_author(group, ts, "UALICE").status == "not_owner"
    assert service.ask_author(group, ts, "UCO").status == "asked"
    assert service.ask_author(group, ts, "UOWNER").status == "already"
    [request] = queued(store, "modask:")
    text = Message.from_dict(request["message"]).plain()
    assert request["user_id"] == "UBOB" and "UALICE" not in text and "UDAN" not in text and "spam" not in text


def test_an_owners_own_flagged_message_goes_to_the_other_owners_only(world):
    store, groups, group, service, audit = world
    service.flag(group, "1700000000.000400", "UCO", None, "meh", "UALICE", "rude")
    assert {doc["user_id"] for doc in queued(store, "modreport:")} == {"UOWNER"}


def test_edits_follow_the_case_and_a_dismissed_message_is_not_reported_again(world):
    store, groups, group, service, audit = world
    ts = "1700000000.000500"
    service.on_message(group, "UBOB", ts, None, "you idiot")
    service.on_edit(group, ts, "UBOB", "you genius")
    assert service.open_count(group) == 0 and service.case(group, ts)["status"] == "edited"
    service.on_edit(group, ts, "UBOB", "you idiot again")  # edited back: a new round, new reports
    case = service.case(group, ts)
    assert case["status"] == "open" and case["round"] == 2
    assert service.dismiss(group, ts, "UBOB").status == "not_owner"
    assert service.dismiss(group, ts, "UOWNER").status == "dismissed"
    assert service.dismiss(group, ts, "UCO").status == "closed"
    service.on_edit(group, ts, "UBOB", "you idiot, again and again")
    assert service.open_count(group) == 0  # dismissed stays dismissed
    flagged = "1700000000.000600"
    service.flag(group, flagged, "UBOB", None, "hmm", "UALICE", "rude")
    service.on_edit(group, flagged, "UBOB", "hmm, edited")
    assert service.open_count(group) == 1  # a flag is the owners' to judge: an edit does not close it
    service.on_delete(group, flagged)
    assert service.open_count(group) == 0 and service.case(group, flagged)["status"] == "deleted"
    assert store.find(OPEN) == []



def test_a_message_applied_after_its_deletion_or_its_edit_reports_nothing(world):
    """Slack does not promise order: a message posted and deleted (or edited) at once, or a message
    event redelivered after a failed first delivery, can be applied after the deletion or the edit.
    The report would then be about a message that is gone, or no longer says that, and nothing
    would ever close it."""
    store, groups, group, service, audit = world
    deleted, edited = "1700000000.000700", "1700000000.000800"
    service.on_delete(group, deleted, "you idiot")  # Slack's event says what the message said
    assert service.on_message(group, "UBOB", deleted, None, "you idiot") is False
    service.on_edit(group, edited, "UBOB", "you genius", "you idiot")
    assert service.on_message(group, "UBOB", edited, None, "you idiot") is False
    assert service.open_count(group) == 0 and queued(store, "modreport:") == []
    assert service.dismiss(group, deleted, "UOWNER").status == "closed"
    # An edit that matches still opens a case; a case dismissed before stays dismissed.
    service.on_edit(group, edited, "UBOB", "you idiot after all")
    assert service.case(group, edited)["status"] == "open"
    assert service.dismiss(group, edited, "UOWNER").status == "dismissed"
    service.clock.advance(timedelta(days=10))  # December: the dismissal is in November's table
    service.on_edit(group, edited, "UBOB", "sorry")
    service.on_delete(group, edited)
    assert service.case(group, edited)["status"] == "dismissed"
    service.on_edit(group, edited, "UBOB", "you idiot, once more")
    assert service.open_count(group) == 0
    # Deleting or editing what matched nothing notes nothing: the closed table does not grow with them.
    service.on_delete(group, "1700000000.000900", "see you at lunch")
    service.on_edit(group, "1700000000.001000", "UBOB", "see you at 1", "see you at noon")
    assert service.case(group, "1700000000.000900") is None and service.case(group, "1700000000.001000") is None

def test_the_checklist_section_lists_open_cases_with_links(world):
    store, groups, group, service, audit = world
    assert service.digest_section(group, "2026-W48") is None
    service.on_message(group, "UBOB", "1700000000.000700", None, "you idiot")
    service.flag(group, "1700000000.000800", "UDAN", None, "spam", "UALICE", "spam")
    lines = [Message.of(line).plain() for line in service.digest_section(group, "2026-W48")]
    assert lines[0].startswith("Flags and reports to review (2)")
    assert "@UBOB: matches idiot (default list)" in lines[1] and "@UDAN: flagged by 1" in lines[2]
    assert all("the message" in line for line in lines[1:])


# --- end to end over the emulator -------------------------------------------------------------------
def dms(ws, user):
    return [p for p in ws.slack.calls_to("chat.postMessage") if p["channel"] == user]


def buttons(call):
    return [e for b in decode_json_args(call)["blocks"] for e in b.get("elements", []) if e.get("type") == "button"]


def wait_until(check, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return False


def test_a_rule_match_reports_to_owners_who_ask_the_author_gently(group):
    assert "Rule 1 added" in group.run("UOWNER", "moderation add DM me")
    group.run("UOWNER", "owners add <@UCAROL|carol>")
    ts = group.say("UBOB", "Want to BUY followers? DM me")
    assert wait_until(lambda: len(dms(group, "UOWNER")) == 1 and len(dms(group, "UCAROL")) == 1)
    [report] = dms(group, "UOWNER")
    assert f".slack.com/archives/C1/p{ts.replace('.', '')}|the message>" in report["text"]  # the link
    assert "It matches `DM me`, `buy followers` (default list)." in report["text"] and "<@UBOB>" in report["text"]
    assert [b["action_id"] for b in buttons(report)] == ["moderation_dismiss", "moderation_ask"]
    assert dms(group, "UBOB") == []  # moderation_notice is off: the author hears only if an owner asks
    answer = group.click("moderation_ask", f"T1:C1:{ts}", user="UOWNER")
    assert answer == "<@UBOB> got a private, gentle request to edit the message. It does not say who flagged it."
    assert wait_until(lambda: len(dms(group, "UBOB")) == 1)
    [request] = dms(group, "UBOB")
    assert "take another look at <" in request["text"] and ts.replace(".", "") + "|your message>" in request["text"]
    assert wait_until(lambda: len(group.slack.calls_to("chat.update")) == 2)  # both owners' reports, in place
    updated = group.slack.calls_to("chat.update")
    assert all("<@UOWNER> asked the author to edit it" in u["text"] for u in updated)
    assert all([b["action_id"] for b in buttons(u)] == ["moderation_dismiss"] for u in updated)
    assert "asked for an edit of a message by <@UBOB> DM me, buy followers" in group.run("UOWNER", "audit")


def test_the_flag_shortcut_opens_a_modal_and_flags_reach_the_owners_merged(group):
    ts = group.say("UBOB", "check out my course, link in bio")
    message = {"type": "message", "user": "UBOB", "text": "check out my course, link in bio", "ts": ts}
    response = group.sender.message_shortcut("flag_to_owners", user_id="UALICE", channel_id="C1", message=message)
    assert response.status == 200
    [opened] = group.slack.wait_for("views.open")
    view = decode_json_args(opened)["view"]
    assert view["callback_id"] == FLAG_VIEW and view["blocks"][1]["block_id"] == "reason"
    values = {"reason": {"reason": {"type": "plain_text_input", "value": "Spam, again"}}}
    assert group.sender.view_submission(FLAG_VIEW, values, user_id="UALICE", private_metadata=view["private_metadata"]).status == 200
    group.steward.wait_idle()
    assert wait_until(lambda: len(dms(group, "UOWNER")) == 1)
    [report] = dms(group, "UOWNER")
    assert "a member flagged a message in <#C1>" in report["text"] and "Spam, again" in report["text"]
    thanks = group.slack.calls_to("response_url")[-1]
    assert thanks["text"].startswith("Thank you. The owners of <#C1> have been told")
    # A second member flags the same message: one case, the report updated in place.
    group.sender.message_shortcut("flag_to_owners", user_id="UDAN", channel_id="C1", message=message)
    second = decode_json_args(group.slack.wait_for("views.open", count=2)[1])["view"]
    values = {"reason": {"reason": {"type": "plain_text_input", "value": "advertising"}}}
    group.sender.view_submission(FLAG_VIEW, values, user_id="UDAN", private_metadata=second["private_metadata"])
    group.steward.wait_idle()
    assert wait_until(lambda: len(group.slack.calls_to("chat.update")) == 1)
    [update] = group.slack.calls_to("chat.update")
    assert "2 members flagged a message" in update["text"] and len(dms(group, "UOWNER")) == 1
    assert group.core.moderation.open_count(group.core.groups.get("T1", "C1")) == 1
    # The author is asked: the request names no flagger and quotes no reason.
    group.click("moderation_ask", f"T1:C1:{ts}", user="UOWNER")
    assert wait_until(lambda: len(dms(group, "UBOB")) == 1)
    request = dms(group, "UBOB")[0]["text"]
    assert "UALICE" not in request and "UDAN" not in request and "Spam" not in request and "advertising" not in request
    # Flagging one's own message is answered, and opens nothing.
    group.sender.message_shortcut("flag_to_owners", user_id="UBOB", channel_id="C1", message=message)
    group.steward.wait_idle()
    assert group.slack.calls_to("response_url")[-1]["text"] == "That is your own message: you can edit or delete it yourself."


def test_a_flag_forms_metadata_cannot_be_forged(group):
    """The modal carries the flagged message (author, text, ts) and where to thank the flagger; a
    submission whose metadata was not made by the bot, or was changed, is ignored: it could name
    anyone as the author of words they never wrote, or make the bot post to any address."""
    ts = group.say("UBOB", "see you at lunch")
    message = {"type": "message", "user": "UBOB", "text": "see you at lunch", "ts": ts}
    group.sender.message_shortcut("flag_to_owners", user_id="UDAN", channel_id="C1", message=message)
    genuine = decode_json_args(group.slack.wait_for("views.open")[0])["view"]["private_metadata"]
    values = {"reason": {"reason": {"type": "plain_text_input", "value": "threat"}}}
    forged = {"team": "T1", "channel": "C1", "ts": ts, "author": "UALICE", "thread": None,
              "text": "I know where you live", "url": group.slack.hooks_url + "actions/T1/1/forged"}
    tampered = genuine.replace("UBOB", "UALICE")
    answers = len(group.slack.calls_to("response_url"))
    for metadata in (json.dumps(forged), tampered, "", "null", "[]", '{"team": "T1"}', genuine[:20] + "x" + genuine[21:],
                     "é" + genuine[1:],
                     json.dumps({"team": "T1", "channel": "C1", "ts": 5, "author": ["UALICE"]})):
        assert group.sender.view_submission(FLAG_VIEW, values, user_id="UDAN", private_metadata=metadata).status == 200
    group.settle()
    assert dms(group, "UOWNER") == [] and group.core.store.find(OPEN) == []
    assert len(group.slack.calls_to("response_url")) == answers  # nobody thanked, at any address
    # The genuine one still works.
    group.sender.view_submission(FLAG_VIEW, values, user_id="UDAN", private_metadata=genuine)
    assert wait_until(lambda: len(dms(group, "UOWNER")) == 1)
    assert "<@UBOB> wrote" in dms(group, "UOWNER")[0]["text"] and "UALICE" not in dms(group, "UOWNER")[0]["text"]


def test_a_flag_form_replayed_by_someone_else_is_ignored(group):
    """Dan's form, submitted by Alice: the form is Dan's (his thanks, his response_url), not hers."""
    ts = group.say("UBOB", "see you at lunch")
    message = {"type": "message", "user": "UBOB", "text": "see you at lunch", "ts": ts}
    group.sender.message_shortcut("flag_to_owners", user_id="UDAN", channel_id="C1", message=message)
    dans = decode_json_args(group.slack.wait_for("views.open")[0])["view"]["private_metadata"]
    values = {"reason": {"reason": {"type": "plain_text_input", "value": "spam"}}}
    answers = len(group.slack.calls_to("response_url"))
    assert group.sender.view_submission(FLAG_VIEW, values, user_id="UALICE", private_metadata=dans).status == 200
    group.settle()
    assert dms(group, "UOWNER") == [] and len(group.slack.calls_to("response_url")) == answers


def test_an_edit_that_no_longer_matches_closes_the_report_in_place(group):
    ts = group.say("UBOB", "ferme ta gueule")
    assert wait_until(lambda: len(dms(group, "UOWNER")) == 1)
    before = {"type": "message", "user": "UBOB", "text": "ferme ta gueule", "ts": ts}
    after = group.slack.edit_message("C1", ts, "désolé, je retire", "UBOB")
    assert group.sender.event(message_changed_event("C1", after, before)).status == 200
    group.steward.wait_idle()
    assert wait_until(lambda: len(group.slack.calls_to("chat.update")) == 1)
    [update] = group.slack.calls_to("chat.update")
    assert "Closed: the message was edited and no longer matches" in update["text"] and buttons(update) == []
    assert update["ts"] == group.core.outbox.was_sent(f"modreport:T1:C1:{ts}:1:UOWNER")["ref"]
    assert group.core.moderation.open_count(group.core.groups.get("T1", "C1")) == 0


def test_a_deleted_message_closes_its_report(group):
    ts = group.say("UBOB", "you idiot")
    assert wait_until(lambda: len(dms(group, "UOWNER")) == 1)
    event_ts = new_ts()
    deletion = {"type": "message", "subtype": "message_deleted", "hidden": True, "channel": "C1", "ts": event_ts,
                "deleted_ts": ts, "event_ts": event_ts, "channel_type": "channel",
                "previous_message": {"type": "message", "user": "UBOB", "text": "you idiot", "ts": ts}}
    assert group.sender.event(deletion).status == 200
    group.steward.wait_idle()
    assert wait_until(lambda: len(group.slack.calls_to("chat.update")) == 1)
    assert "Closed: the message was deleted" in group.slack.calls_to("chat.update")[0]["text"]



def test_a_message_event_that_comes_after_its_deletion_reports_nothing(group):
    ts = new_ts()
    event_ts = new_ts()
    deletion = {"type": "message", "subtype": "message_deleted", "hidden": True, "channel": "C1", "ts": event_ts,
                "deleted_ts": ts, "event_ts": event_ts, "channel_type": "channel",
                "previous_message": {"type": "message", "user": "UBOB", "text": "you <@UALICE> idiot", "ts": ts}}
    assert group.sender.event(deletion).status == 200
    group.steward.wait_idle()
    assert group.sender.event(message_event("C1", "UBOB", "you <@UALICE> idiot", ts=ts)).status == 200  # late
    group.settle()
    assert dms(group, "UOWNER") == [] and group.core.store.find(OPEN) == []

def test_a_member_cannot_dismiss_even_with_a_forged_payload(group):
    ts = group.say("UBOB", "you idiot")
    assert wait_until(lambda: len(dms(group, "UOWNER")) == 1)
    answer = group.click("moderation_dismiss", f"T1:C1:{ts}", user="UALICE")
    assert answer == "Only this group's owners can do that. The owners are <@UOWNER>."
    assert group.click("moderation_dismiss", "T1:C1:not-a-ts", user="UALICE").startswith("This channel is not a managed group")
    assert group.core.moderation.open_count(group.core.groups.get("T1", "C1")) == 1
    assert group.click("moderation_dismiss", f"T1:C1:{ts}", user="UOWNER") == "Dismissed. The other owners' reports now say so."
    assert group.click("moderation_dismiss", f"T1:C1:{ts}", user="UOWNER").startswith("This report is already closed. ✅ Dismissed by <@UOWNER>")


def test_the_notice_setting_tells_the_author_at_once(group):
    group.run("UOWNER", "config moderation_notice on")
    group.say("UBOB", "Shut up")
    assert wait_until(lambda: len(dms(group, "UBOB")) == 1)
    assert "contains `shut up` (default list), which the group asks members to avoid" in dms(group, "UBOB")[0]["text"]


def test_the_dry_run_and_the_rules_commands_answer_owners_only(group):
    before = len(group.slack.calls_to("chat.postMessage"))
    answer = group.run("UOWNER", "moderation test You are an IDIOT")
    assert answer.startswith("It would match `idiot` (default list).")
    assert "Dry run: nothing was recorded or sent." in answer
    assert "No rule matches this text" in group.run("UOWNER", "moderation test hello there")
    assert group.run("UALICE", "moderation list").startswith("Only this group's owners can do that.")
    assert "would match nearly anything" in group.run("UOWNER", "moderation add (a+)+$")
    assert group.run("UOWNER", "moderation add").startswith("Write the phrase after `add`")
    assert group.run("UOWNER", "moderation add th*") == ("`th*` would match everyday words such as `than`: nearly "
                                                         "every message would be reported. Add a word that tells.")
    group.run("UOWNER", "moderation add zorglub*")
    listing = group.run("UOWNER", "moderation list")
    assert listing.startswith("*Rules* of <#C1> (1):\n1. `zorglub*` — <@UOWNER>")  # the group, not a `{group}` left in
    assert "The shared default list is on" in listing
    group.run("UOWNER", "config moderation_defaults off")
    assert "No rule matches" in group.run("UOWNER", "moderation test idiot")
    assert group.run("UOWNER", "moderation remove 1") == "Removed the rule `zorglub*`."
    group.steward.wait_idle()
    assert len(group.slack.calls_to("chat.postMessage")) == before
    assert group.core.store.find(OPEN) == []


def test_open_flags_appear_in_the_owners_checklist(group):
    group.say("UBOB", "you idiot")
    preview = group.run("UOWNER", "digest preview")
    assert "Flags and reports to review* (1)" in preview and "<@UBOB>: matches `idiot` (default list)" in preview


def test_the_author_is_asked_in_the_groups_language(group):
    group.run("UOWNER", "locale fr")
    ts = group.say("UBOB", "Ferme ta gueule")
    assert wait_until(lambda: len(dms(group, "UOWNER")) == 1)
    report = dms(group, "UOWNER")[0]
    assert report["text"].startswith("🚩 *Signalement* : un message de <#C1> correspond aux règles du groupe.")
    assert [b["text"]["text"] for b in buttons(report)] == ["Classer", "Demander à l'auteur de modifier"]
    assert group.click("moderation_ask", f"T1:C1:{ts}", user="UOWNER").startswith("<@UBOB> a reçu en privé")
    assert wait_until(lambda: len(dms(group, "UBOB")) == 1)
    assert dms(group, "UBOB")[0]["text"].startswith("Bonjour <@UBOB> 👋 Les propriétaires de <#C1> vous demandent")


def test_the_manifest_declares_the_shortcut_and_edits_arrive_with_the_message_subscriptions():
    from pathlib import Path
    import yaml
    from handlers.inbox import subscribed_types
    manifest = yaml.safe_load((Path(__file__).resolve().parents[1] / "manifest.yml").read_text())
    assert {"callback_id": "flag_to_owners", "type": "message"}.items() <= next(
        s for s in manifest["features"]["shortcuts"] if s["callback_id"] == "flag_to_owners").items()
    # message_changed and message_deleted are subtypes of `message`: no subscription of their own.
    assert {"message.channels", "message.groups"} <= set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert subscribed_types().count("message") == 1 and "message/message_changed" not in subscribed_types()
    assert "im:write" in manifest["oauth_config"]["scopes"]["bot"]  # reports edited in place in DMs
