"""Who gets a visit reminder, when, and what it says: the core alone, a real store, a fake clock."""
from datetime import datetime, timedelta, timezone

import pytest

from bot.activity import ActivityService
from bot.clock import FakeClock
from bot.groups import GroupService
from bot.messages import Link, Message, plain
from bot.outbox import QUEUE, Outbox
from bot.ports import Person, PlatformError
from bot.questions import QuestionService
from bot.questions.experts import ExpertService
from bot.reminders import GONE_RECHECK, MAX_LOOKUPS_PER_SWEEP, OPT_OUT, ReminderService
from bot.store import MemoryStore, TinyDBStore
from bot.welcome import WelcomeService

MONDAY_9_UTC = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)  # 10:00 in Paris, 18:00 in Tokyo, 01:00 in LA


class Directory:
    """The Directory port with a fixed cast; counts lookups, and can be told to refuse them."""

    def __init__(self, people):
        self.people = people
        self.lookups = []
        self.refuse = None

    def person(self, team_id, user_id):
        self.lookups.append(user_id)
        if self.refuse:
            raise PlatformError(self.refuse)
        if user_id not in self.people:
            raise PlatformError("user_not_found")
        return self.people[user_id]

    def channel_creator(self, team_id, channel_id):
        return "UOWNER"

    def bot_user_id(self, team_id):
        return "UBOT"

    def permalink(self, team_id, channel_id, message_id):
        return f"https://example.test/{channel_id}/{message_id}"


def build(store, clock, directory):
    class World:
        pass
    w = World()
    w.store, w.clock, w.directory = store, clock, directory
    w.groups = GroupService(store, clock)
    w.experts = ExpertService(store, clock)
    w.activity = ActivityService(store, clock, directory)
    w.outbox = Outbox(store)
    w.questions = QuestionService(store, clock, w.groups, w.experts, directory, w.outbox, w.activity)
    w.welcome = WelcomeService(store, clock, directory, w.outbox, w.experts, w.activity)
    w.reminders = ReminderService(store, clock, w.groups, w.activity, w.questions, w.experts, directory, w.outbox)
    w.group = w.groups.get("T1", "C1") or w.groups.create("T1", "C1", "UOWNER", timezone="Europe/Paris")[0]
    w.events = iter(f"Ev{n}" for n in range(1_000_000))
    w.ts = iter(f"{1_763_888_400 + n}.000100" for n in range(1_000_000))

    def join(*users):
        before = len(directory.lookups)
        for user in users:
            w.welcome.member_joined(w.group, user, next(w.ts))
        del directory.lookups[before:]  # the welcome's own lookups are not the reminders'

    def say(user, thread=None, kind="messages"):
        ts = next(w.ts)
        w.activity.message(w.group, user, ts, thread, kind, next(w.events))
        return ts

    def thread(author="UOWNER", replies=1, by="UOWNER"):
        """A thread with replies, now (by the owner unless told: owners are never reminded)."""
        root = say(author)
        for _ in range(replies):
            say(by, thread=root, kind="replies")
        return root

    def advance(**delta):
        w.clock.advance(timedelta(**delta))
        return w.reminders.sweep()

    def reminded():
        return sorted((d["user_id"], d["key"]) for d in w.store.find(QUEUE) if d["key"].startswith("reminder:"))

    def users():
        return [user for user, _ in reminded()]

    def dm(user):
        """The latest reminder queued for `user` (keys end with the day)."""
        doc = max((d for d in w.store.find(QUEUE) if d["key"].startswith("reminder:") and d["user_id"] == user),
                  key=lambda d: d["key"])
        return Message.from_dict(doc["message"])
    w.join, w.say, w.thread, w.advance, w.reminded, w.users, w.dm = join, say, thread, advance, reminded, users, dm
    return w


CAST = {
    "UOWNER": Person("UOWNER", timezone="Europe/Paris"),
    "UALICE": Person("UALICE", timezone="Europe/Paris"),
    "UBOB": Person("UBOB", timezone="Europe/London"),
    "UTOKYO": Person("UTOKYO", timezone="Asia/Tokyo"),
    "ULA": Person("ULA", timezone="America/Los_Angeles"),
    "UREPLIER": Person("UREPLIER", timezone="Europe/Paris"),
    "UROBOT": Person("UROBOT", is_bot=True),
    "UGONE": Person("UGONE", timezone="Europe/Paris", deleted=True),
    "UBOT": Person("UBOT", is_bot=True),
}


@pytest.fixture
def world():
    return build(MemoryStore(), FakeClock(MONDAY_9_UTC), Directory(dict(CAST)))


def test_an_inactive_member_gets_one_reminder_after_reminder_after(world):
    world.join("UALICE")
    world.advance(days=10)
    world.thread(replies=3)
    assert world.advance(days=3, hours=23) == 0  # 13 days 23 hours: not yet
    assert world.advance(hours=1) == 1
    assert world.reminded() == [("UALICE", "reminder:T1:C1:UALICE:2026-12-07")]
    assert world.advance(minutes=15) == 0
    world.advance(days=12)
    world.thread()
    assert world.advance(days=1) == 0  # at most one per reminder_every
    assert world.advance(days=1) == 1  # 14 days after the first, still away: the next one
    assert world.users() == ["UALICE", "UALICE"]


def test_activity_resets_the_timer(world):
    world.join("UALICE", "UBOB")
    world.advance(days=7)
    world.say("UALICE")  # Alice posts: her 14 days start again
    world.thread()
    world.advance(days=7)
    assert world.users() == ["UBOB"]
    world.thread()
    world.advance(days=7)
    assert world.users() == ["UALICE", "UBOB"]
    # Bob reacts a week after his reminder: the next one waits for 14 days of quiet from then
    # (and could never come sooner than reminder_every after the last one).
    world.activity.reaction(world.group, "UBOB", "1.0", "UOWNER", "eyes", True, "EvReact")
    world.advance(days=10)
    world.thread()
    assert world.advance(days=3, hours=23) == 0
    world.advance(hours=1)
    assert world.users().count("UBOB") == 2


def test_reminder_every_holds_even_after_activity(world):
    world.group = world.groups.set_setting(world.group, "reminder_every", "30d")[0]
    world.join("UALICE")
    world.advance(days=7)
    world.thread()
    world.advance(days=7)
    assert world.users() == ["UALICE"]
    world.advance(days=1)
    world.say("UALICE")  # back once, then away again for 14 days: 15 days after her reminder
    world.advance(days=10)
    world.thread()
    world.advance(days=4)
    assert world.users() == ["UALICE"]  # reminder_every (30 days) has not passed
    world.advance(days=14)
    world.thread()
    world.advance(days=1)
    assert world.users() == ["UALICE", "UALICE"]


def test_never_active_counts_from_joining_and_members_who_left_are_not_reminded(world):
    world.advance(days=3)
    world.join("UALICE", "UBOB")
    world.welcome.member_left(world.group, "UBOB")
    world.advance(days=7)
    world.thread()
    world.advance(days=6)
    assert world.reminded() == []  # 13 days since they joined
    world.advance(days=1)
    assert world.users() == ["UALICE"]


def test_never_owners_bots_the_bot_itself_or_deactivated_accounts(world):
    world.join("UOWNER", "UGONE", "UALICE")
    world.say("UROBOT")  # another app's account, seen reacting
    world.say("UBOT")  # the bot's own reactions reach the activity record too
    world.advance(days=7)
    world.thread()
    world.advance(days=7)
    assert world.users() == ["UALICE"]
    assert sorted(world.directory.lookups) == ["UALICE", "UGONE", "UROBOT"]  # never the owner or the bot itself
    # Bots and deactivated accounts are remembered as such: not looked up again for a month.
    world.directory.lookups.clear()
    world.advance(days=2)
    world.advance(days=2)
    assert world.directory.lookups == []
    world.advance(seconds=GONE_RECHECK.total_seconds())
    assert {"UROBOT", "UGONE"} <= set(world.directory.lookups)
    assert "UROBOT" not in world.users() and "UGONE" not in world.users()


def test_an_account_the_platform_no_longer_knows_is_treated_as_deactivated(world):
    world.join("UVANISHED")
    world.advance(days=7)
    world.thread()
    world.advance(days=7)
    assert world.reminded() == []
    assert world.reminders.state(world.group, "UVANISHED")["gone_until"]


def test_opted_out_and_excluded_members_are_not_reminded_until_they_come_back(world):
    world.join("UALICE", "UBOB")
    world.reminders.set_opted_out(world.group, "UALICE", True)
    world.reminders.set_excluded(world.group, "UBOB", True)
    world.advance(days=7)
    world.thread()
    world.advance(days=7)
    assert world.reminded() == [] and world.directory.lookups == []  # filtered from the store: no lookup
    world.reminders.set_opted_out(world.group, "UALICE", False)
    world.reminders.set_excluded(world.group, "UBOB", False)
    world.advance(hours=1)
    assert world.users() == ["UALICE", "UBOB"]


def test_each_member_in_their_own_working_hours_and_time_zone(world):
    world.join("UALICE", "UTOKYO", "ULA")
    world.advance(days=7)
    world.thread()
    world.advance(days=7)  # Monday 09:00 UTC: 10:00 in Paris, 18:00 in Tokyo (closed), 01:00 in Los Angeles
    assert world.users() == ["UALICE"]
    world.advance(hours=8)  # 17:00 UTC: 09:00 in Los Angeles
    assert ("ULA", "reminder:T1:C1:ULA:2026-12-07") in world.reminded()
    world.advance(hours=7)  # Tuesday 00:00 UTC: 09:00 in Tokyo, whose day names the reminder
    assert ("UTOKYO", "reminder:T1:C1:UTOKYO:2026-12-08") in world.reminded()
    assert world.users() == ["UALICE", "ULA", "UTOKYO"]


def test_working_days_are_read_in_the_members_zone(world):
    world.clock.set(datetime(2026, 11, 27, 10, 0, tzinfo=timezone.utc))  # a Friday
    world.join("UBOB")
    world.advance(days=8)
    world.thread()
    world.advance(days=6)  # Friday 14 days later, 10:00 in London
    assert world.users() == ["UBOB"]
    world.clock.set(datetime(2026, 12, 12, 10, 0, tzinfo=timezone.utc))  # Saturday
    world.join("UALICE")
    world.advance(days=7)
    world.thread()
    world.advance(days=7)  # Saturday, 14 days after joining
    assert "UALICE" not in world.users()
    world.advance(days=1)  # Sunday
    assert "UALICE" not in world.users()
    world.advance(days=1)  # Monday
    assert "UALICE" in world.users()


def test_lookups_per_sweep_are_bounded_longest_waiting_first(world):
    members = [f"UM{n:03d}" for n in range(35)]
    for user in members:
        world.directory.people[user] = Person(user, timezone="Europe/Paris")
    world.join(*members[:5])  # these five joined first: they are due first
    world.advance(hours=1)
    world.join(*members[5:])
    world.advance(days=7)
    world.thread()
    world.clock.advance(timedelta(days=7, hours=1))
    sent = []
    for _ in range(5):
        world.directory.lookups.clear()
        sent.append(world.reminders.sweep())
        assert len(world.directory.lookups) <= MAX_LOOKUPS_PER_SWEEP
    assert sent == [10, 10, 10, 5, 0]
    assert world.users() == members


def test_someone_looked_up_within_the_hour_is_not_looked_up_again(world):
    world.group = world.groups.set_setting(world.group, "working_hours", "11:00-18:00")[0]
    world.join("UALICE", "UBOB")
    world.advance(days=7)
    world.thread()
    world.advance(days=7)  # 10:00 in Paris, 09:00 in London: both off until 11:00
    world.advance(minutes=30)
    world.advance(minutes=29)
    assert sorted(world.directory.lookups) == ["UALICE", "UBOB"]
    assert world.reminded() == []
    world.advance(minutes=1)  # 11:00 in Paris
    assert world.users() == ["UALICE"]


def test_a_rate_limited_directory_stops_the_sweeps_lookups(world):
    world.join("UALICE", "UBOB")
    world.advance(days=7)
    world.thread()
    world.clock.advance(timedelta(days=7))
    world.directory.refuse = "ratelimited"
    assert world.reminders.sweep() == 0
    assert len(world.directory.lookups) == 1
    world.directory.refuse = None
    assert world.reminders.sweep() == 2


def test_the_reminder_shows_the_liveliest_threads_since_and_matching_questions(world):
    world.join("UALICE")
    world.experts.declare("T1", "UALICE", ["kubernetes"])
    world.advance(days=1)
    before = world.thread(replies=9)  # lively, but its last reply came before Alice's last activity
    world.advance(minutes=5)
    world.say("UALICE")
    world.advance(days=1)
    small = world.thread("UBOB", replies=1)
    big = world.thread("UBOB", replies=6)
    mid = world.thread(replies=3)
    third = world.thread(replies=2)
    world.questions.ask(world.group, "UBOB", "1763900000.000100", "How do I drain a <!channel> kubernetes node?")
    world.questions.ask(world.group, "UBOB", "1763900001.000100", "Who has the expense report template?")
    world.questions.ask(world.group, "UALICE", "1763900002.000100", "Is the kubernetes upgrade done?")  # her own
    world.advance(days=13)
    message = world.dm("UALICE")
    [header, threads, questions] = message.paragraphs
    assert plain(header) == "Hi @UALICE, here is what happened in #C1 while you were away."
    links = [part for part in threads if isinstance(part, Link)]
    assert [link.url for link in links] == [f"https://example.test/C1/{ts}" for ts in (big, mid, third)]
    assert before not in str(threads) and small not in str(threads)
    assert [link.label for link in links] == ["6 replies", "3 replies", "2 replies"]
    assert plain(threads).splitlines() == ["Lively threads", "• 6 replies in a thread started by @UBOB",
                                           "• 3 replies in a thread started by @UOWNER",
                                           "• 2 replies in a thread started by @UOWNER"]
    summary = world.questions.get("T1", "C1", "1763900000.000100")["summary"]
    assert any(isinstance(part, str) and summary in part for part in questions)  # plain text: the adapter escapes it
    assert plain(questions).splitlines() == ["Open questions you may know about",
                                             f"• {summary} — asked by @UBOB (answer in the thread)"]
    assert Link("https://example.test/C1/1763900000.000100", "answer in the thread") in questions
    assert [b.action_id for b in message.buttons] == [OPT_OUT] and message.buttons[0].value == "T1:C1"
    assert plain(message.notes[0]) == "You get this after 14 days without activity in #C1, at most once every 14 days."


def test_with_nothing_to_show_nothing_is_sent_and_it_looks_again_the_next_day(world):
    world.join("UALICE")
    world.advance(days=14)
    assert world.reminded() == []
    world.directory.lookups.clear()
    world.thread()
    world.advance(hours=4)
    assert world.reminded() == [] and world.directory.lookups == []  # not before tomorrow
    world.advance(hours=20)
    assert world.users() == ["UALICE"]


def test_a_question_alone_is_enough_and_questions_are_capped(world):
    world.join("UALICE")
    world.experts.assign("T1", "C1", "UALICE", ["billing"])
    for n in range(5):
        world.questions.ask(world.group, "UBOB", f"17639000{n:02d}.000100", f"Where is the billing export number {n}?")
    world.advance(days=14)
    [header, questions] = world.dm("UALICE").paragraphs
    assert len(plain(questions).splitlines()) == 1 + 3


def test_french_groups_get_french_reminders(world):
    world.group = world.groups.set_locale(world.group, "fr")
    world.join("UALICE")
    world.advance(days=7)
    world.thread()
    world.advance(days=7)
    message = world.dm("UALICE")
    assert plain(message.paragraphs[0]).startswith("Bonjour @UALICE, voici ce qui s'est passé dans #C1")
    assert plain(message.paragraphs[1]).splitlines() == ["Fils animés", "• 1 réponse dans un fil lancé par @UOWNER"]
    assert message.buttons[0].label == "Plus de rappels"


def test_groups_with_reminders_off_are_not_swept(world):
    world.group = world.groups.set_setting(world.group, "reminders", "off")[0]
    world.join("UALICE")
    world.advance(days=7)
    world.thread()
    world.advance(days=7)
    assert world.reminded() == [] and world.directory.lookups == []


def test_a_restart_never_sends_twice(tmp_path):
    clock = FakeClock(MONDAY_9_UTC)
    store = TinyDBStore(tmp_path, flush_interval=60)
    w = build(store, clock, Directory(dict(CAST)))
    w.join("UALICE")
    w.advance(days=7)
    w.thread()
    assert w.advance(days=7) == 1
    store.close()
    store = TinyDBStore(tmp_path, flush_interval=60)
    again = build(store, clock, Directory(dict(CAST)))  # a new process: nothing remembered in memory
    assert again.reminders.sweep() == 0
    assert again.advance(hours=3) == 0
    assert again.reminded() == [("UALICE", "reminder:T1:C1:UALICE:2026-12-07")]
    store.close()


def test_a_later_reminder_shows_only_what_came_after_the_last_one(world):
    world.group = world.groups.set_setting(world.group, "reminder_every", "7d")[0]
    world.join("UALICE")
    world.advance(days=10)
    shown = world.thread(replies=4)
    world.advance(days=4)
    assert [link.url.rsplit("/", 1)[1] for link in world.dm("UALICE").paragraphs[1] if isinstance(link, Link)] == [shown]
    world.advance(days=1)
    new = world.thread(replies=1)
    world.advance(days=6)
    assert world.users() == ["UALICE", "UALICE"]
    assert [link.url.rsplit("/", 1)[1] for link in world.dm("UALICE").paragraphs[1] if isinstance(link, Link)] == [new]


def test_a_group_with_nobody_due_is_not_read_again_until_someone_can_be(world):
    world.join("UALICE")
    reads = []
    find = world.store.find
    world.store.find = lambda table, **equals: reads.append(table) or find(table, **equals)
    world.advance(days=2)  # a pass: nobody due for 12 days, so the group is quiet for an hour
    assert "members" in reads
    reads.clear()
    for _ in range(239):
        world.advance(seconds=15)
    assert "members" not in reads
    world.advance(seconds=15)  # an hour after the pass: read again
    assert "members" in reads


def test_a_shorter_reminder_after_applies_at_the_next_tick(world):
    world.join("UALICE")
    world.advance(days=2)
    world.thread()
    world.advance(seconds=15)
    world.group = world.groups.set_setting(world.group, "reminder_after", "1d")[0]
    world.advance(seconds=15)
    assert world.users() == ["UALICE"]
