"""The owners' weekly checklist.

Unit: the week's numbers and sections from a seeded fortnight, on a real TinyDB store with a fake
clock and the real services (no Slack). End to end: the real bot, the real APScheduler, the
emulator, a fake clock moved by minutes, days and weeks.
"""
from datetime import datetime, timedelta, timezone

import pytest

from bot.activity import ActivityService
from bot.clock import FakeClock
from bot.digest import NUMBER_LINES, DigestService, duration_text, previous_week, week_bounds
from bot.groups import GroupService
from bot.messages import plain
from bot.ports import Person
from bot.questions import QuestionService
from bot.questions.experts import ExpertService
from bot.recognition import RecognitionService
from bot.store import TinyDBStore
from bot.welcome import WelcomeService
from handlers.emulator import decode_json_args, reaction_added_event


def utc(day, hour, minute=0, month=11, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=timezone.utc)


class Directory:
    def person(self, team_id, user_id):
        return Person(user_id, is_bot=user_id.startswith("UBOT"), timezone="Europe/Paris")

    def channel_creator(self, team_id, channel_id):
        return "UOWNER"

    def bot_user_id(self, team_id):
        return "UBOT"

    def permalink(self, team_id, channel_id, message_id):
        return f"https://chat.example/{channel_id}/{message_id}"


class Messenger:
    def __init__(self):
        self.posts = {}

    def send(self, post):
        if post.key in self.posts:
            return False
        self.posts[post.key] = post
        return True


class World:
    """The core's services on a real store; people act at given (UTC) times."""

    def __init__(self, data_dir):
        self.clock = FakeClock(utc(16, 9))  # Monday 16 November 2026, 10:00 in Paris
        self.store = TinyDBStore(data_dir, flush_interval=60)
        self.messenger, directory = Messenger(), Directory()
        self.groups = GroupService(self.store, self.clock)
        self.group, _ = self.groups.create("T1", "C1", "UOWNER", timezone="Europe/Paris")
        experts = ExpertService(self.store, self.clock)
        self.activity = ActivityService(self.store, self.clock, directory)
        self.questions = QuestionService(self.store, self.clock, self.groups, experts, directory, self.messenger, self.activity)
        self.welcome = WelcomeService(self.store, self.clock, directory, self.messenger, experts, self.activity)
        recognition = RecognitionService(self.store, self.activity, directory, self.messenger)
        self.digest = DigestService(self.store, self.clock, self.groups, self.activity, self.questions, recognition,
                                    directory, self.messenger)
        self.events = iter(f"Ev{n}" for n in range(100_000))

    def at(self, moment):
        self.clock.set(moment)
        return self

    def joins(self, user):
        self.welcome.member_joined(self.group, user, f"join-{user}-{self.clock.now().timestamp()}")

    def leaves(self, user):
        self.welcome.member_left(self.group, user)

    def says(self, user, ts, words, thread=None):
        """What the Slack adapter does with a message: the question service, then the activity record."""
        kind = self.questions.on_message(self.group, user, ts, thread, words)
        self.activity.message(self.group, user, ts, thread, kind, next(self.events))

    def reacts(self, user, ts, author, emoji):
        self.activity.reaction(self.group, user, ts, author, emoji, True, next(self.events))
        self.questions.reacted(self.group, ts, user, "check" if emoji == "white_check_mark" else emoji)


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    # Week 47 (Monday 16 to Sunday 22 November in Paris): the group is set up on the Monday.
    w.at(utc(16, 10)).joins("UA")
    w.joins("UB")
    w.at(utc(17, 9)).says("UA", "1.0", "How do I deploy the app?")
    w.at(utc(17, 11)).says("UB", "1.1", "make deploy", thread="1.0")  # first answer after 2 h
    w.at(utc(18, 12)).says("UC", "2.0", "morning all")  # UC was here before the set-up
    # Week 48 (Monday 23 to Sunday 29 November in Paris).
    w.at(utc(23, 10)).joins("UD")
    w.joins("UE")
    w.at(utc(23, 12)).says("UA", "3.0", "Where is the staging database?")
    w.at(utc(23, 12, 30)).says("UC", "3.1", "db.staging.internal", thread="3.0")  # 30 min
    w.at(utc(23, 13)).reacts("UA", "3.1", "UC", "white_check_mark")  # resolved: archived in questions.2026-11
    w.at(utc(24, 8)).leaves("UB")
    w.at(utc(24, 10)).says("UD", "4.0", "Can someone review my pull request?")
    w.at(utc(24, 14)).says("UA", "4.1", "on it", thread="4.0")  # 4 h
    w.at(utc(26, 9)).says("UC", "5.0", "Why is the build so slow on Mondays?")  # nobody answers
    w.at(utc(27, 15)).reacts("UF", "5.0", "UC", "raised_hands")  # UF only reacts
    w.at(utc(28, 10)).says("UA", "6.0", "Does anyone have the VPN config?")
    w.at(utc(28, 10, 5)).reacts("UA", "6.0", "UA", "white_check_mark")  # found it: resolved, never answered
    w.at(utc(29, 22)).says("UD", "7.0", "Who owns the release calendar?")  # Sunday 23:00 in Paris
    w.at(utc(29, 23, 30)).says("UC", "8.0", "Is the office open on Friday?")  # Monday 00:30 in Paris: week 49
    w.at(utc(30, 0, 30)).says("UC", "7.1", "Marie does", thread="7.0")  # answered, but in week 49
    w.at(utc(30, 8, 30))  # Monday 30 November, 09:30 in Paris: the checklist of week 49 reviews week 48
    yield w
    w.store.close()


# --- unit: the numbers and the sections --------------------------------------------------------
def shown(numbers) -> dict:
    """The numbers the digest shows."""
    return {field: getattr(numbers, field) for field, _ in NUMBER_LINES}


def test_the_week_in_numbers_from_a_seeded_week(world):
    assert shown(world.digest.numbers(world.group, "2026-W48")) == dict(
        members=5,  # UA, UD, UE (joins); UC, UF (there before the set-up, seen active); UB left on Tuesday
        joins=2, leaves=1,
        active=4,  # UA, UC, UD, UF (a reaction is activity); UE has not said a word
        asked=5,  # 3.0, 4.0, 5.0, 6.0, 7.0; 8.0 was asked on Monday in Paris
        answered=2,  # 3.0 and 4.0; 7.0's answer came after the week
        median_answer_seconds=(30 * 60 + 4 * 3600) / 2,
        unanswered=2)  # 5.0 and 7.0; 6.0 was resolved by its asker
    assert shown(world.digest.numbers(world.group, "2026-W47")) == dict(
        members=4, joins=2, leaves=0, active=3, asked=1, answered=1, median_answer_seconds=2 * 3600, unanswered=0)


def test_the_numbers_section_shows_the_change_from_the_week_before(world):
    lines = [plain(line) for line in world.digest.numbers_section(world.group, "2026-W48")]
    assert lines == [
        "The week in numbers (change from the week before):",
        "• Members: 5 (+1)",
        "• Joined: 2 (=)",
        "• Left: 1 (+1)",
        "• Active members: 4 (+1)",
        "• Questions asked: 5 (+4)",
        "• Answered within the week: 2 (+1)",
        "• Median time to first answer: 2 h 15 min (+15 min)",
        "• Still unanswered at the end of the week: 2 (+2)",
    ]
    first = [plain(line) for line in world.digest.numbers_section(world.group, "2026-W47")]
    assert first[0].startswith("The week in numbers (the bot did not follow the group the week before")
    assert first[1] == "• Members: 4" and first[7] == "• Median time to first answer: 2 h"


def test_the_checklist_lists_what_to_do_then_the_numbers(world):
    message = world.digest.checklist(world.group, "2026-W49")
    assert [plain(p).splitlines()[0] for p in message.paragraphs] == [
        "Your weekly hour for #C1: the checklist for the week of 2026-11-23 to 2026-11-29.",
        "Unanswered questions (2), oldest first:",
        "Newcomers who have not posted yet (1): introduce them in #C1, or ask them what they work on:",
        "People to thank for that week (a word from an owner goes a long way):",
        "The week in numbers (change from the week before):",
    ]
    unanswered, newcomers, thanks = (plain(p).splitlines()[1:] for p in message.paragraphs[1:4])
    assert unanswered == ["• Why is the build so slow on Mondays? (open) — @UC, 3 days ago",
                          "• Is the office open on Friday? (open) — @UC, 9 h ago"]
    assert "https://chat.example/C1/5.0" in str(message.paragraphs[1])
    assert newcomers == ["• @UE, joined 6 days ago"]  # UD joined too, and has already asked something
    assert [line.split(" — ")[0] for line in thanks] == ["• @UC", "• @UA", "• @UD"]
    assert thanks[0].startswith("• @UC — answered 1 question about ") and "welcomed 1 newcomer, received 1 kudos" in thanks[0]
    assert [(b.label, b.action_id, b.value) for b in message.buttons] == [
        ("Done for this week", "digest_done", "T1:C1:2026-W49"), ("Remind me tomorrow", "digest_tomorrow", "T1:C1:2026-W49")]


def test_each_owner_gets_one_dm_keyed_by_group_week_and_owner(world):
    world.groups.add_owner(world.group, "UCO")
    group = world.groups.get("T1", "C1")
    assert world.digest.send_week(group, "2026-W49") == 2
    assert world.digest.send_week(group, "2026-W49") == 0  # the same keys again: nothing new
    assert {key: post.user_id for key, post in world.messenger.posts.items() if key.startswith("digest:")} == {
        "digest:T1:C1:2026-W49:UOWNER": "UOWNER", "digest:T1:C1:2026-W49:UCO": "UCO"}


def test_a_group_set_up_after_the_reviewed_week_gets_nothing_that_week(world):
    late, _ = world.groups.create("T1", "C9", "UOWNER", timezone="Europe/Paris")  # set up on Monday 30
    assert world.digest.send_week(late, "2026-W49") == 0
    assert world.digest.send_week(late, "2026-W50") == 1


def test_later_duties_plug_in_their_sections(world):
    world.digest.add_section("join_requests", lambda group, week: ["Join requests (1):", "• @UZ asked to join"], order=15)
    world.digest.add_section("flags", lambda group, week: None, order=16)  # nothing to say: no paragraph
    assert world.digest.section_names() == ["unanswered", "join_requests", "flags", "newcomers", "thanks", "numbers",
                                            "share_the_load"]
    titles = [plain(p).splitlines()[0] for p in world.digest.checklist(world.group, "2026-W49").paragraphs]
    assert titles[1:4] == ["Unanswered questions (2), oldest first:", "Join requests (1):",
                           "Newcomers who have not posted yet (1): introduce them in #C1, or ask them what they work on:"]
    with pytest.raises(ValueError):
        world.digest.add_section("flags", lambda group, week: None)


def test_no_owner_acting_for_two_weeks_suggests_sharing_the_load(world):
    def share(at):
        world.at(at)
        lines = world.digest.share_section(world.groups.get("T1", "C1"), "2026-W48")
        return [plain(line) for line in lines] if lines else None
    assert share(utc(30, 8, 30)) is None  # set up 13 days and 23 h ago
    assert share(utc(30, 9, 0)) == [
        "Share the load? No owner has used this checklist, run a command or been active in #C1 for 14 days.",
        "An hour a week is lighter when shared: add a co-owner with /community owners add @someone. They get this checklist too.",
        "Active lately, perhaps willing to help: @UA, @UC."]  # the most active members who are not owners
    world.digest.mark_done(world.group, "2026-W49", "UOWNER")  # a button
    assert share(utc(30, 10)) is None
    assert share(utc(14, 10, month=12)) is not None  # two more weeks without anything
    world.says("UOWNER", "9.0", "Hello all, the meetup is on!")  # activity in the group
    assert share(utc(14, 11, month=12)) is None
    assert world.digest.mark_done(world.group, "2026-W49", "UA") == ("not_owner", None)


def test_remind_me_tomorrow_and_done(world):
    group = world.group
    outcome, due = world.digest.remind_tomorrow(group, "2026-W49", "UOWNER")
    assert outcome == "queued" and due.isoformat() == "2026-12-01T09:30:00+01:00"
    assert world.digest.resend_due() == 0
    world.at(utc(1, 8, 30, month=12))
    assert world.digest.resend_due() == 1
    assert world.digest.resend_due() == 0
    [resent] = [p for k, p in world.messenger.posts.items() if k == "digest:T1:C1:2026-W49:UOWNER:2026-12-01"]
    assert plain(resent.message.paragraphs[0]) == "Here is the checklist again, as you asked."
    world.digest.remind_tomorrow(group, "2026-W49", "UOWNER")  # again, for Wednesday
    assert world.digest.mark_done(group, "2026-W49", "UOWNER") == ("done", None)
    assert world.digest.mark_done(group, "2026-W49", "UOWNER") == ("already", "UOWNER")
    world.at(utc(2, 8, 30, month=12))
    assert world.digest.resend_due() == 0  # done: the re-send is dropped
    assert world.digest.remind_tomorrow(group, "2026-W49", "UOWNER") == ("already_done", "UOWNER")


def test_a_resend_missed_all_day_is_dropped(world):
    world.digest.remind_tomorrow(world.group, "2026-W49", "UOWNER")
    world.at(utc(2, 8, month=12))  # the bot was down all Tuesday
    assert world.digest.resend_due() == 0 and world.store.find("digest_resends") == []


def test_the_checklist_speaks_the_groups_language(world):
    group = world.groups.set_locale(world.group, "fr")
    message = world.digest.checklist(group, "2026-W49")
    text = message.plain()
    assert text.startswith("Votre heure de la semaine pour #C1 : le bilan de la semaine du 2026-11-23 au 2026-11-29.")
    assert "• Pourquoi" not in text and "• Why is the build so slow on Mondays? (ouvrir) — @UC, il y a 3 jours" in text
    assert "• Délai médian de première réponse : 2 h 15 min (+15 min)" in text
    assert [b.label for b in message.buttons] == ["Fait pour cette semaine", "Me le rappeler demain"]


def test_weeks_durations_and_bounds():
    assert previous_week("2027-W01") == "2026-W53" and previous_week("2026-W49") == "2026-W48"
    start, end = week_bounds("2027-W13", "Europe/Paris")  # the week summer time starts
    assert start.isoformat() == "2027-03-29T00:00:00+02:00"
    start, end = week_bounds("2027-W12", "Europe/Paris")
    assert (start.isoformat(), end.isoformat()) == ("2027-03-22T00:00:00+01:00", "2027-03-29T00:00:00+02:00")
    assert end.astimezone(timezone.utc) - start.astimezone(timezone.utc) == timedelta(days=7, hours=-1)
    assert [duration_text("en", s) for s in (0, 59, 3600, 8100, 47 * 3600 + 60, 49 * 3600)] == [
        "0 min", "1 min", "1 h", "2 h 15 min", "47 h 1 min", "2 days"]


# --- end to end: the real bot, the real scheduler, the emulator ----------------------------------
def checklists(ws, user="UOWNER"):
    """The checklists (first sends and re-sends) the bot sent `user` by direct message."""
    return [p for p in ws.posts(user) if any(e.get("action_id") == "digest_done" for b in decode_json_args(p)["blocks"]
                                             for e in b.get("elements", []))]


def weeks(ws, user="UOWNER"):
    return [decode_json_args(p)["blocks"][-1]["elements"][0]["value"].rpartition(":")[2] for p in checklists(ws, user)]


def lands_at(ws, moment, user="UOWNER"):
    """Not sent a minute before `moment`, sent at `moment`: the real scheduler ticks while the fake
    clock moves a minute at a time."""
    before = len(checklists(ws, user))
    ws.clock.set(moment - timedelta(minutes=2))
    ws.settle()
    ws.advance(minutes=1)
    assert len(checklists(ws, user)) == before, f"sent before {moment}"
    ws.advance(minutes=1)
    assert len(checklists(ws, user)) == before + 1, f"not sent at {moment}"


def test_owners_get_the_checklist_at_the_digest_time_and_its_buttons_work(group):
    group.run("UOWNER", "owners add <@UALICE|alice>")
    group.join("UDAN")  # a newcomer who says nothing
    question = group.say("UBOB", "How do I roll back a kubernetes deployment?")
    group.advance(hours=2)
    reply = group.say("UALICE", "kubectl rollout undo deployment/web", thread_ts=question)
    group.sender.event(reaction_added_event("UBOB", "white_check_mark", "C1", reply, item_user="UALICE"))
    waiting = group.say("UBOB", "Who broke &lt;staging&gt; &amp; why?")  # Slack escapes what people type
    group.clock.set(utc(30, 8, 29))  # Monday 30 November, 09:29 in Paris
    group.settle()
    assert checklists(group) == []
    group.advance(minutes=1)
    [dm], [co_owner] = checklists(group, "UOWNER"), checklists(group, "UALICE")
    assert dm["text"] == co_owner["text"]
    assert dm["text"].splitlines() == [
        "*Your weekly hour* for <#C1>: the checklist for the week of 2026-11-23 to 2026-11-29.",
        "*Unanswered questions* (1), oldest first:",
        f"• Who broke &lt;staging&gt; &amp; why? (<https://community.slack.com/archives/C1/p{waiting.replace('.', '')}|open>)"
        " — <@UBOB>, 6 days ago",
        "*Newcomers who have not posted yet* (1): introduce them in <#C1>, or ask them what they work on:",
        "• <@UDAN>, joined 6 days ago",
        "*People to thank* for that week (a word from an owner goes a long way):",
        "• <@UALICE> — answered 1 question about deployment, kubernetes",
        "• <@UBOB> — started 1 thread others joined",
        "*The week in numbers* (the bot did not follow the group the week before, so no change yet):",
        "• Members: 3",
        "• Joined: 1",
        "• Left: 0",
        "• Active members: 2",
        "• Questions asked: 2",
        "• Answered within the week: 1",
        "• Median time to first answer: 2 h",
        "• Still unanswered at the end of the week: 1",
        "Weeks and times are in Europe/Paris. `/community digest preview` in the group shows this checklist as it stands.",
    ]
    [buttons] = [b for b in decode_json_args(dm)["blocks"] if b["type"] == "actions"]
    assert [(e["text"]["text"], e["action_id"], e["value"]) for e in buttons["elements"]] == [
        ("Done for this week", "digest_done", "T1:C1:2026-W49"), ("Remind me tomorrow", "digest_tomorrow", "T1:C1:2026-W49")]
    assert group.slack.calls_to("chat.getPermalink")[0]["message_ts"] == waiting

    assert group.click("digest_tomorrow", "T1:C1:2026-W49", user="UOWNER", channel="DUOWNER") == \
        "I will send it again tomorrow, 2026-12-01 at 09:30."
    group.clock.set(utc(1, 8, 29, month=12))
    group.settle()
    assert len(checklists(group)) == 1
    group.advance(minutes=1)
    [_, again] = checklists(group)
    assert again["text"].startswith("Here is the checklist again, as you asked.\n*Your weekly hour* for <#C1>")
    assert len(checklists(group, "UALICE")) == 1  # only the owner who asked
    group.advance(hours=3)
    assert len(checklists(group)) == 2

    group.click("digest_tomorrow", "T1:C1:2026-W49", user="UOWNER", channel="DUOWNER")  # and again, for Wednesday
    assert group.click("digest_done", "T1:C1:2026-W49", user="UALICE", channel="DUALICE") == "Marked done for this week. Thank you!"
    group.clock.set(utc(2, 9, month=12))
    group.settle()
    assert len(checklists(group)) == 2  # a co-owner marked the week done: no more re-sends
    assert group.click("digest_done", "T1:C1:2026-W49", user="UOWNER", channel="DUOWNER") == \
        "<@UALICE> already marked this week's checklist done."
    assert group.click("digest_tomorrow", "T1:C1:2026-W49", user="UOWNER", channel="DUOWNER") == \
        "<@UALICE> already marked this week's checklist done: no reminder needed."
    assert group.click("digest_done", "T1:C1:2026-W49", user="UBOB", channel="DUBOB").startswith("Only this group's owners")


def test_no_owner_acting_for_two_weeks_brings_delegation_and_an_owner_command_counts(group):
    group.say("UALICE", "Morning! The new build is out.")
    group.clock.set(utc(7, 9, month=12))  # Monday 7 December, 10:00 in Paris: two weeks after the set-up
    group.settle()
    [dm] = checklists(group)
    assert "*Share the load?* No owner has used this checklist, run a command or been active in <#C1> for 14 days." in dm["text"]
    assert "An hour a week is lighter when shared: add a co-owner with `/community owners add @someone`." in dm["text"]
    assert "Active lately, perhaps willing to help: <@UALICE>." in dm["text"]
    preview = group.run("UOWNER", "digest preview")  # an owner's command: the owner acted
    assert preview.startswith("The weekly checklist as it stands now (only you can see this):\n*Your weekly hour* for <#C1>")
    assert "Share the load?" not in preview
    assert group.run("UALICE", "digest preview").startswith("Only this group's owners can do that.")
    assert group.run("UOWNER", "digest") == "Usage: `/community digest preview`"
    assert "`/community digest preview`" in group.run("UOWNER", "help")


def test_restarts_mid_week_lose_no_checklist_and_double_none(group):
    group.run("UOWNER", "owners add <@UALICE|alice>")
    for day in range(1, 7):  # Tuesday to Sunday, restarting on Wednesday and on Sunday
        group.advance(days=1)
        if day in (2, 6):
            group.restart()
    assert checklists(group) == []
    group.clock.set(utc(30, 8, 29))
    group.restart()
    group.settle()
    assert checklists(group) == []
    group.advance(minutes=1)
    assert weeks(group) == weeks(group, "UALICE") == ["2026-W49"]
    group.click("digest_tomorrow", "T1:C1:2026-W49", user="UOWNER", channel="DUOWNER")
    group.restart()  # right after sending, and with a re-send pending
    group.advance(hours=1)
    assert weeks(group) == ["2026-W49"]
    for day in range(1, 15):  # two more weeks, a day at a time, restarting every third day
        group.advance(days=1)
        if day % 3 == 0:
            group.restart()
            group.settle()
    assert weeks(group) == ["2026-W49", "2026-W49", "2026-W50", "2026-W51"]  # the re-send on Tuesday 1 December
    assert weeks(group, "UALICE") == ["2026-W49", "2026-W50", "2026-W51"]


def test_down_over_the_digest_time_it_is_sent_once_that_day_and_skipped_after(group):
    group.stop()
    group.clock.set(utc(30, 14))  # back on Monday 30 November at 15:00 in Paris: the same day
    group.start()
    group.settle()
    group.restart()
    group.advance(hours=2)
    assert weeks(group) == ["2026-W49"]
    group.stop()
    group.clock.set(utc(8, 7, month=12))  # down over Monday 7 December; back on Tuesday 08:00 in Paris
    group.start()
    group.settle()
    assert weeks(group) == ["2026-W49"]  # that week's checklist is skipped
    lands_at(group, utc(14, 8, 30, month=12))  # and the next one comes on time
    assert weeks(group) == ["2026-W49", "2026-W51"]


def test_dst_weeks_in_paris_land_at_0930_local_time(group):
    lands_at(group, utc(22, 8, 30, month=3, year=2027))  # Monday 22 March 2027: winter time, UTC+1
    lands_at(group, utc(29, 7, 30, month=3, year=2027))  # Monday 29 March: summer time since Sunday, UTC+2
    lands_at(group, utc(25, 7, 30, month=10, year=2027))  # Monday 25 October: still summer time
    lands_at(group, utc(1, 8, 30, month=11, year=2027))  # Monday 1 November: winter time since Sunday
    assert weeks(group) == ["2027-W12", "2027-W13", "2027-W43", "2027-W44"]


def test_dst_weeks_in_new_york_land_at_0930_local_time(group):
    group.run("UOWNER", "config timezone America/New_York")
    lands_at(group, utc(8, 14, 30, month=3, year=2027))  # Monday 8 March 2027: EST, UTC-5
    lands_at(group, utc(15, 13, 30, month=3, year=2027))  # Monday 15 March: EDT since Sunday, UTC-4
    lands_at(group, utc(1, 13, 30, month=11, year=2027))  # Monday 1 November: still EDT
    lands_at(group, utc(8, 14, 30, month=11, year=2027))  # Monday 8 November: EST since Sunday
    assert weeks(group) == ["2027-W10", "2027-W11", "2027-W44", "2027-W45"]


def test_a_digest_time_the_spring_change_skips_is_read_as_the_clock_jumped(group):
    group.run("UOWNER", "config owner_digest_day sun")  # from next week on
    group.run("UOWNER", "config owner_digest_time 02:30")
    lands_at(group, utc(21, 1, 30, month=3, year=2027))  # Sunday 21 March 2027, 02:30 CET
    lands_at(group, utc(28, 1, 30, month=3, year=2027))  # Sunday 28 March: no 02:30; the clock read 03:30 CEST
    assert weeks(group) == ["2027-W11", "2027-W12"]
