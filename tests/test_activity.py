"""The activity record on its own: what counts, once, from events as they arrive (no Slack)."""
from datetime import datetime, timedelta, timezone

import pytest

from bot.activity import MEMBERS, ActivityService, activity_table, member_key
from bot.clock import FakeClock, utc_iso
from bot.groups import GroupService
from bot.periods import iso_week
from bot.ports import Person, PlatformError
from bot.store import MemoryStore

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


class Directory:
    def person(self, team_id, user_id):
        if user_id == "UGONE":
            raise PlatformError("user_not_found")
        return Person(user_id, is_bot=user_id.startswith("UBOT"))


@pytest.fixture
def world():
    class World:
        pass
    w = World()
    w.clock, w.store = FakeClock(MONDAY), MemoryStore()
    w.groups = GroupService(w.store, w.clock)
    w.group, _ = w.groups.create("T1", "C1", "UOWNER", timezone="Europe/Paris")
    w.activity = ActivityService(w.store, w.clock, Directory())
    w.ids = iter(f"Ev{n}" for n in range(100_000))
    w.week = lambda: iso_week(w.clock.now(), "Europe/Paris")

    def said(user, ts, thread=None, kind="messages", event_id=None):
        w.activity.message(w.group, user, ts, thread, kind, event_id or next(w.ids))
    w.said = said

    def reacted(giver, ts, author, emoji="raised_hands", added=True, event_id=None):
        w.activity.reaction(w.group, giver, ts, author, emoji, added, event_id or next(w.ids))
    w.reacted = reacted
    w.scores = lambda: {c.user_id: c for c in w.activity.contributions(w.group, w.week())}
    return w


def test_chatter_scores_nothing_but_is_activity(world):
    world.said("UA", "1.0")
    world.said("UA", "2.0")
    assert world.scores() == {}
    assert world.store.get(activity_table(world.clock.now()), member_key("T1", "C1", "UA"))["messages"] == 2
    assert world.activity.last_active(world.group) == {"UA": MONDAY}


def test_a_thread_others_reply_to_credits_its_author_once(world):
    world.said("UA", "1.0")
    world.said("UA", "1.1", thread="1.0", kind="replies")  # the author's own follow-up: nothing yet
    assert world.scores() == {}
    world.said("UB", "1.2", thread="1.0", kind="replies")
    world.said("UC", "1.3", thread="1.0", kind="replies")
    assert world.scores()["UA"].threads == 1 and "UB" not in world.scores()


def test_the_first_reply_to_a_newcomer_welcomes_them(world):
    world.store.put(MEMBERS, member_key("T1", "C1", "UNEW"), {"team_id": "T1", "channel_id": "C1", "user_id": "UNEW",
                                                               "status": "member", "joined_at": utc_iso(MONDAY)})
    world.clock.advance(days=2)
    world.said("UNEW", "5.0")
    world.said("UB", "5.1", thread="5.0", kind="replies")
    world.said("UC", "5.2", thread="5.0", kind="replies")
    assert world.scores()["UB"].welcomed == 1 and "UC" not in world.scores()
    world.said("UOLD", "6.0")  # not a newcomer: a reply to them welcomes nobody
    world.said("UB", "6.1", thread="6.0", kind="replies")
    assert world.scores()["UB"].welcomed == 1


def test_kudos_count_for_the_author_and_never_for_oneself_or_from_bots(world):
    world.reacted("UB", "1.0", author="UA")
    world.reacted("UA", "1.0", author="UA")  # self-kudos
    world.reacted("UBOT1", "1.0", author="UA")  # a bot
    world.reacted("UC", "1.0", author="UA", emoji="tada")  # not the group's kudos emoji
    world.reacted("UC", "1.0", author=None)  # unknown author
    assert world.scores()["UA"].kudos == 1


def test_kudos_are_capped_per_giver_per_day_and_a_removed_one_is_taken_back(world):
    for n in range(7):
        world.reacted("UB", f"{n}.0", author="UA")
    assert world.scores()["UA"].kudos == 5  # the default daily cap
    world.reacted("UB", "0.0", author="UA", added=False)
    assert world.scores()["UA"].kudos == 4
    world.reacted("UB", "6.0", author="UA")  # the cap has room again
    assert world.scores()["UA"].kudos == 5
    world.reacted("UB", "99.0", author="UA", added=False)  # never counted: nothing to take back
    assert world.scores()["UA"].kudos == 5
    world.clock.advance(days=1)
    world.reacted("UB", "7.0", author="UA")  # a new day
    assert world.scores()["UA"].kudos == 6


def test_a_redelivered_event_counts_once(world):
    for _ in range(3):
        world.reacted("UB", "1.0", author="UA", event_id="EvSame")
        world.said("UC", "1.1", thread="1.0", kind="replies", event_id="EvReply")
    assert world.scores()["UA"].kudos == 1


def test_answers_are_credited_with_their_topics(world):
    world.activity.answered(world.group, "UA", ["kubernetes", "deploy"], "T1:C1:1.0")
    world.activity.answered(world.group, "UA", ["kubernetes"], "T1:C1:2.0")
    world.activity.answered(world.group, "UA", ["kubernetes"], "T1:C1:2.0")  # the same question again
    assert world.scores()["UA"].answers == 2 and world.scores()["UA"].topics == ("kubernetes", "deploy")


def test_contributions_are_kept_by_the_groups_week(world):
    world.clock.set(datetime(2026, 11, 29, 23, 30, tzinfo=timezone.utc))  # Monday 00:30 in Paris: a new week
    world.reacted("UB", "1.0", author="UA")
    assert world.week() == "2026-W49" and world.scores()["UA"].kudos == 1


def test_lively_threads_since_a_moment(world):
    world.said("UA", "1.0")
    world.said("UA", "2.0")
    for n in range(3):
        world.said(f"U{n}", f"1.{n + 1}", thread="1.0", kind="replies")
    world.clock.advance(days=3)
    world.said("UB", "2.1", thread="2.0", kind="replies")
    threads = world.activity.lively_threads(world.group, MONDAY - timedelta(minutes=1))
    assert [(t["id"], t["replies"]) for t in threads] == [("1.0", 3), ("2.0", 1)]
    assert [t["id"] for t in world.activity.lively_threads(world.group, MONDAY + timedelta(days=1))] == ["2.0"]


def test_a_member_who_only_reacts_is_found_among_the_groups_active_members(world):
    world.reacted("UR", "1.0", author="UA", emoji="tada")
    assert world.activity.active_members("T1", "C1") == [("UR", 1)]
