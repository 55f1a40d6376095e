"""A wider audience: topics followed across the workspace, resolved questions and highlights
shared with followers outside the group, in at most one digest a day."""
from datetime import datetime, timedelta, timezone

import pytest

from bot.audience import ITEMS, WEEKLY_CAP, AudienceService, Item, TopicError
from bot.clock import FakeClock
from bot.groups import Group
from bot.outbox import Outbox
from bot.ports import Channel, Person, PlatformError
from bot.store import TinyDBStore
from handlers.emulator import decode_json_args, reaction_added_event


class People:
    """The Directory port: people in their time zones, and permalinks."""

    def __init__(self, **zones):
        self.zones = zones

    def person(self, team_id, user_id):
        if user_id not in self.zones:
            raise PlatformError("user_not_found")
        return Person(user_id, timezone=self.zones[user_id], is_bot=user_id.endswith("BOT"),
                      deleted=user_id in getattr(self, "deactivated", ()))

    def permalink(self, team_id, channel_id, message_id):
        return f"https://example.slack.com/archives/{channel_id}/p{message_id.replace('.', '')}"


class Channels:
    """The Workspace port: who is in which channel, and which channels are private."""

    def __init__(self, members, private=()):
        self._members, self.private = members, set(private)

    def channel(self, team_id, channel_id):
        return Channel(channel_id, is_private=channel_id in self.private)

    def members(self, team_id, channel_id):
        return list(self._members.get(channel_id, []))


@pytest.fixture
def world(tmp_path):
    store = TinyDBStore(tmp_path, flush_interval=60)
    clock = FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc))  # Monday 10:00 in Paris
    outbox = Outbox(store, clock)
    people = People(UASKER="Europe/Paris", UHELPER="Europe/Paris", UFAR="Europe/Paris", UNIGHT="Asia/Tokyo",
                    UMEMBER="Europe/Paris", UFOLLOWBOT="Europe/Paris")
    channels = Channels({"C1": ["UASKER", "UHELPER", "UMEMBER"]})
    service = AudienceService(store, clock, people, channels, outbox)
    group = Group("T1", "C1", owners=["UOWNER"])
    yield service, group, outbox, channels
    store.close()


def digests(outbox):
    return {doc["user_id"]: doc for doc in outbox.waiting() if doc["key"].startswith("audience:")}


def test_following_is_per_person_by_meaning_not_spelling_and_bounded(world):
    service, *_ = world
    assert service.follow("T1", "UFAR", "Kubernetes") is True
    assert service.follow("T1", "UFAR", "  kubernetes ") is False  # the same topic
    assert service.follow("T1", "UFAR", "Comptabilité fournisseurs") is True
    assert service.following("T1", "UFAR") == ["Kubernetes", "Comptabilité fournisseurs"]
    assert set(service.followers_of("T1", "How do I scale kubernetes pods?")) == {"UFAR"}
    assert service.followers_of("T1", "la comptabilité des fournisseurs est fermée") == {"UFAR": ["Comptabilité fournisseurs"]}
    assert service.followers_of("T1", "la comptabilité est fermée") == {}  # every word of the topic must be there
    assert service.unfollow("T1", "UFAR", "KUBERNETES") == "Kubernetes"
    assert service.unfollow("T1", "UFAR", "kubernetes") is None
    assert service.followers_of("T1", "kubernetes pods") == {}
    for bad, reason in (("", "audience.topic_missing"), ("the and of", "audience.topic_no_words"), ("x" * 61, "audience.topic_too_long")):
        with pytest.raises(TopicError) as error:
            service.follow("T1", "UFAR", bad)
        assert error.value.reason == reason
    for n in range(19):
        service.follow("T1", "UFAR", f"topic{n}x")
    with pytest.raises(TopicError):
        service.follow("T1", "UFAR", "one more topic")


def test_a_resolved_question_reaches_outside_followers_only(world):
    service, group, outbox, _ = world
    for user in ("UASKER", "UHELPER", "UFAR", "UMEMBER"):
        service.follow("T1", user, "kubernetes")
    service.question_resolved(group, {"ts": "1.1", "text": "Our kubernetes ingress drops requests?", "asker": "UASKER",
                                      "answerer": "UHELPER", "replies": {"1.2": "UHELPER"}})
    service.send_due()
    [only] = digests(outbox).values()
    assert only["user_id"] == "UFAR"  # not the asker, the answerer or a member of the group
    body = str(only["message"])
    assert "kubernetes" in body and "p11" in body and "Our kubernetes ingress drops requests?" in body


def test_a_private_group_shares_nothing(world):
    service, group, outbox, channels = world
    channels.private.add("C1")
    service.follow("T1", "UFAR", "kubernetes")
    assert service.share(Item("highlight", group, "1.1", "kubernetes tips", "UASKER"))[:2] == (0, [])
    assert service.store.find(ITEMS) == []


def test_one_digest_a_day_in_working_hours_and_a_weekly_cap(world):
    service, group, outbox, _ = world
    service.follow("T1", "UFAR", "kubernetes")
    service.follow("T1", "UNIGHT", "kubernetes")
    service.share(Item("highlight", group, "1.1", "kubernetes tip one", "UASKER"))
    service.share(Item("highlight", group, "1.1", "kubernetes tip one", "UASKER"))  # the same message: queued once
    service.share(Item("highlight", group, "1.2", "kubernetes tip two", "UASKER"))
    assert service.send_due() == 1  # 18:00 in Tokyo: UNIGHT waits for her morning
    first = digests(outbox)["UFAR"]
    assert "tip one" in str(first["message"]) and "tip two" in str(first["message"])
    service.share(Item("highlight", group, "1.3", "kubernetes tip three", "UASKER"))
    assert service.send_due() == 0  # UFAR had today's
    service.clock.advance(hours=15)  # Tuesday 09:00 in Tokyo, 01:00 in Paris
    assert service.send_due() == 1 and "UNIGHT" in digests(outbox)
    service.clock.advance(hours=8)  # Tuesday 09:00 in Paris
    assert service.send_due() == 1
    sent_to_far = [d for d in outbox.waiting() if d["user_id"] == "UFAR"]
    assert len(sent_to_far) == 2 and "tip three" in str(sent_to_far[1]["message"])
    for n in range(4, 10):  # more news every day: still at most WEEKLY_CAP digests this week
        service.share(Item("highlight", group, f"1.{n}", f"kubernetes tip {n}", "UASKER"))
        service.clock.advance(days=1)
        service.send_due()
    this_week = [d for d in outbox.waiting() if d["user_id"] == "UFAR" and d["queued_at"] < "2026-11-30"]
    assert len(this_week) == WEEKLY_CAP


def test_a_message_shared_again_after_its_digest_went_out_is_not_sent_twice(world):
    """A second owner highlights the message the next day, or the question is resolved again: the
    follower had it in yesterday's digest, so nothing new is queued (it was sent a second time)."""
    service, group, outbox, _ = world
    service.follow("T1", "UFAR", "kubernetes")
    item = Item("highlight", group, "1.1", "kubernetes tip one", "UASKER")
    service.share(item)
    assert service.send_due() == 1
    service.clock.advance(days=1)  # Tuesday 10:00 in Paris
    service.share(item)
    service.question_resolved(group, {"ts": "1.1", "text": "kubernetes tip one", "asker": "UASKER"})
    assert service.send_due() == 0
    assert len([d for d in outbox.waiting() if d["user_id"] == "UFAR"]) == 1
    service.clock.advance(days=8)  # a week on, the record of it is gone with the item
    assert service.send_due() == 0 and service.store.find(ITEMS) == []


def test_a_crash_while_a_digest_is_sent_loses_no_day(world):
    """The bot dies as it hands today's digest to the outbox: the next tick sends it, today, once
    (the day was recorded as done first, so the follower waited for tomorrow and lost one of the
    week's three)."""
    service, group, outbox, _ = world
    service.follow("T1", "UFAR", "kubernetes")
    service.share(Item("highlight", group, "1.1", "kubernetes tip one", "UASKER"))
    send = service.outbox.send

    def crash(post):
        raise RuntimeError("the bot dies")
    service.outbox.send = crash
    with pytest.raises(RuntimeError):
        service.send_due()
    service.outbox.send = send
    assert service.send_due() == 1 and list(digests(outbox)) == ["UFAR"]
    assert service.send_due() == 0


def test_old_items_are_dropped_and_bots_get_nothing(world):
    service, group, outbox, _ = world
    service.follow("T1", "UFOLLOWBOT", "kubernetes")
    service.follow("T1", "UNIGHT", "kubernetes")
    service.share(Item("highlight", group, "1.1", "kubernetes tip", "UASKER"))
    service.clock.advance(days=8)
    assert service.send_due() == 0 and service.store.find(ITEMS) == []


def test_bots_and_deactivated_followers_are_not_counted_as_reached(world):
    """The owner is told how many people a highlight reaches: a bot or a deactivated account that
    follows the topic never gets a digest, so it is not queued nor counted."""
    service, group, outbox, _ = world
    service.directory.zones["UGONE"] = "Europe/Paris"
    service.directory.deactivated = {"UGONE"}
    for user in ("UFAR", "UFOLLOWBOT", "UGONE"):
        service.follow("T1", user, "kubernetes")
    assert service.share(Item("highlight", group, "1.1", "kubernetes tips", "UASKER"))[:2] == (1, ["kubernetes"])
    assert [doc["user"] for doc in service.store.find(ITEMS)] == ["UFAR"]


# --- end to end, over the emulator ------------------------------------------------------------
def test_follow_commands_work_anywhere_and_answer_bad_input(group):
    assert "You now follow *kubernetes*" in group.run("UCAROL", "follow kubernetes", channel="C2")
    assert group.run("UCAROL", "following").startswith("You follow: *kubernetes*")
    assert "You do not follow *rust*" in group.run("UCAROL", "unfollow rust")
    assert group.run("UCAROL", "follow").startswith("Usage")
    assert "<!channel>" not in group.run("UCAROL", "follow <!channel> deploys")


def test_a_resolved_question_reaches_a_follower_outside_the_group_once(group):
    for user in ("UCAROL", "UALICE"):
        group.run(user, "follow kubernetes", channel="C2")
    question = group.say("UBOB", "How do I restart a kubernetes pod?")
    reply = group.say("UALICE", "kubectl rollout restart", thread_ts=question)
    group.sender.event(reaction_added_event("UBOB", "white_check_mark", "C1", reply, item_user="UALICE"))
    group.settle()
    assert not [p for p in group.posts() if p["channel"] == "UCAROL"]  # 18:00 in Tokyo: tomorrow morning
    group.advance(hours=16)  # Tuesday 10:00 in Tokyo
    group.settle(ticks=10)
    [digest] = [p for p in group.posts() if p["channel"] == "UCAROL"]
    print(digest["text"])
    assert "*kubernetes* — answered in <#C1>" in digest["text"]
    assert "How do I restart a kubernetes pod?" in digest["text"]
    blocks = decode_json_args(digest)["blocks"]
    assert blocks and not [p for p in group.posts() if p["channel"] in ("UALICE", "UBOB")]


def test_only_owners_highlight_and_the_owner_hears_how_far_it_went(group):
    group.run("UDAN", "follow onboarding checklist", channel="C2")
    ts = group.say("UALICE", "The new onboarding checklist is pinned, have a look")
    message = {"type": "message", "user": "UALICE", "ts": ts, "text": "The new onboarding checklist is pinned, have a look"}

    def highlight(user):
        before = len(group.slack.calls_to("response_url"))
        group.sender.message_shortcut("highlight", user_id=user, channel_id="C1", message=message)
        group.steward.wait_idle()
        return group.slack.wait_for("response_url", count=before + 1)[before]["text"]

    assert highlight("UBOB") == "Only this group's owners can highlight a message."
    assert highlight("UOWNER").startswith("Shared with 1 person outside the group who follows *onboarding checklist*")
    message["text"] = "Lunch is at noon"
    assert highlight("UOWNER").startswith("Nobody outside this group follows")
    group.advance(hours=8)  # Monday 09:00 in Los Angeles: Dan's working day begins, his digest goes out
    group.settle(ticks=10)
    [digest] = [p for p in group.posts() if p["channel"] == "UDAN"]
    assert "*onboarding checklist* — highlighted by the owners of <#C1>" in digest["text"]
    assert "The new onboarding checklist is pinned, have a look" in digest["text"]
    assert not [p for p in group.posts() if p["channel"] == "UALICE"]  # never the author


def test_a_message_highlighted_twice_is_said_to_be_shared_already(group):
    """The second press (another owner, or the same one unsure it worked) used to answer "Nobody
    outside this group follows a topic this message is about", which is not true."""
    group.run("UDAN", "follow onboarding checklist", channel="C2")
    ts = group.say("UALICE", "The new onboarding checklist is pinned, have a look")
    message = {"type": "message", "user": "UALICE", "ts": ts, "text": "The new onboarding checklist is pinned, have a look"}
    answers = []
    for _ in range(2):
        before = len(group.slack.calls_to("response_url"))
        group.sender.message_shortcut("highlight", user_id="UOWNER", channel_id="C1", message=message)
        group.steward.wait_idle()
        answers.append(group.slack.wait_for("response_url", count=before + 1)[before]["text"])
    assert answers[0].startswith("Shared with 1 person outside the group")
    assert answers[1] == "Already shared with the 1 person outside the group who follows *onboarding checklist*: nothing new was sent."
