"""Conversation starters: the queue and the quiet rule on a real store with a fake clock, then end
to end over the emulator with the real scheduler, fast-forwarding weeks, restarting, and being
down over the prompt time."""
from datetime import datetime, timedelta, timezone

import pytest

from bot.activity import ActivityService, activity_table, member_key
from bot.clock import FakeClock
from bot.groups import GroupService, TooLong
from bot.messages import Message
from bot.outbox import QUEUE, Outbox
from bot.ports import Person
from bot.prompts import MAX_PROMPT, MAX_QUEUED, TRACK_POSTED, PromptService, QueueFull
from bot.store import TinyDBStore
from handlers.emulator import decode_json_args

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)  # 10:00 in Paris
TUESDAY_1000_PARIS = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
WEEK = timedelta(days=7)
USAGE = "Usage: `/community prompt add &lt;text&gt; | list | remove &lt;n&gt;`"  # as Slack receives it
BROADCASTS = ("<!channel", "<!here", "<!everyone", "@channel", "@here", "@everyone")


# --- the core on its own: a real TinyDB store, the real outbox (no delivery worker), a fake clock --
class Directory:
    def person(self, team_id, user_id):
        return Person(user_id)


class Crash(Exception):
    """The process dying at this point."""


class World:
    def __init__(self, data_dir, clock):
        self.data_dir, self.clock = data_dir, clock
        self.open()

    def open(self):
        """Start (or restart) over the same data directory."""
        self.store = TinyDBStore(self.data_dir, flush_interval=60)
        self.groups = GroupService(self.store, self.clock)
        self.group = self.groups.get("T1", "C1") or self.groups.create("T1", "C1", "UOWNER", timezone="Europe/Paris")[0]
        self.activity = ActivityService(self.store, self.clock, Directory())
        self.outbox = Outbox(self.store, self.clock)
        self.prompts = PromptService(self.store, self.clock, self.activity, self.outbox)
        self.outbox.on_delivered(TRACK_POSTED, self.prompts.track_posted)

    def restart(self):
        self.store.close()
        self.open()

    def queued_posts(self):
        return sorted(self.store.find(QUEUE), key=lambda doc: doc["queued_at"])

    def deliver(self, doc, ref):
        """What the delivery worker does once Slack took the post: the follow-up runs."""
        self.outbox.record_sent(doc, ref)

    def said(self, user, ts, thread=None, event_id=None):
        self.activity.message(self.group, user, ts, thread, "replies" if thread else "messages", event_id or f"Ev{ts}")


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path / "data", FakeClock(MONDAY))
    yield w
    w.store.close()


def plain_text(doc):
    return Message.from_dict(doc["message"]).plain()


def texts(items):
    return [item["text"] for item in items]


def test_the_queue_keeps_order_positions_and_bounds(world):
    assert world.prompts.add(world.group, "UOWNER", "  What are you reading?  ") == 1
    assert world.prompts.add(world.group, "UOWNER", "x" * MAX_PROMPT) == 2  # the limit itself fits
    with pytest.raises(TooLong):
        world.prompts.add(world.group, "UOWNER", "x" * (MAX_PROMPT + 1))
    with pytest.raises(ValueError):
        world.prompts.add(world.group, "UOWNER", " \n ")
    assert world.prompts.remove(world.group, 2)["text"] == "x" * MAX_PROMPT
    for position in (0, 2, 99, -1):
        assert world.prompts.remove(world.group, position) is None
    world.restart()  # the queue is durable
    assert texts(world.prompts.queue(world.group)) == ["What are you reading?"]
    for n in range(MAX_QUEUED - 1):
        world.prompts.add(world.group, "UOWNER", f"prompt {n}")
    with pytest.raises(QueueFull):
        world.prompts.add(world.group, "UOWNER", "one too many")
    assert len(world.prompts.queue(world.group)) == MAX_QUEUED


def test_quiet_means_nobody_posted_or_replied_for_the_set_time(world):
    assert world.prompts.is_quiet(world.group)  # nobody ever did
    world.said("UALICE", "1.0")
    assert not world.prompts.is_quiet(world.group)
    world.clock.advance(days=2)
    assert world.prompts.is_quiet(world.group)  # `prompt_when_quiet` is 2d by default
    world.said("UBOB", "2.0", thread="1.0")  # a reply in a thread counts too
    assert not world.prompts.is_quiet(world.group)
    world.group, _ = world.groups.set_setting(world.group, "prompt_when_quiet", "1h")
    world.clock.advance(minutes=59)
    assert not world.prompts.is_quiet(world.group)
    world.clock.advance(minutes=1)
    assert world.prompts.is_quiet(world.group)


def test_a_busy_week_posts_nothing_and_keeps_the_queue(world):
    world.prompts.add(world.group, "UOWNER", "What are you reading?")
    world.said("UALICE", "1.0")
    assert world.prompts.post_week(world.group, "2026-W48") is False
    assert world.queued_posts() == [] and texts(world.prompts.queue(world.group)) == ["What are you reading?"]


def test_a_quiet_week_takes_the_first_prompt_and_its_delivery_files_it(world):
    world.prompts.add(world.group, "UOWNER", "What are you reading?")
    world.prompts.add(world.group, "UOWNER", "Best tool you found this year?")
    assert world.prompts.post_week(world.group, "2026-W48") is True
    [post] = world.queued_posts()
    assert post["key"] == "prompt:T1:C1:2026-W48" and post["channel_id"] == "C1"
    assert plain_text(post) == "💬 Conversation starter: What are you reading?\nReply in the thread to join in."
    assert texts(world.prompts.queue(world.group)) == ["Best tool you found this year?"]
    assert world.prompts.taken(world.group)["week"] == "2026-W48"
    assert world.prompts.post_week(world.group, "2026-W48") is True  # asked again: same prompt, same key
    assert len(world.queued_posts()) == 1 and len(world.prompts.queue(world.group)) == 1
    world.deliver(post, "1764000000.000100")
    assert world.prompts.taken(world.group) is None
    [posted] = world.prompts.posted(world.group)
    assert (posted.text, posted.replies) == ("What are you reading?", 0)


def test_replies_in_the_prompts_thread_are_counted_once_per_event(world):
    world.prompts.add(world.group, "UOWNER", "What are you reading?")
    world.prompts.post_week(world.group, "2026-W48")
    world.deliver(world.queued_posts()[0], "1764000000.000100")
    assert world.prompts.replied(world.group, "1764000000.000100", "UALICE", "Ev1")
    assert not world.prompts.replied(world.group, "1764000000.000100", "UALICE", "Ev1")  # a redelivered event
    assert world.prompts.replied(world.group, "1764000000.000100", "UBOB", "Ev2")
    assert world.prompts.replied(world.group, "1764000000.000100", "UALICE", "Ev3")
    assert not world.prompts.replied(world.group, "1700000000.000001", "UBOB", "Ev4")  # some other thread
    world.store.flush()
    world.restart()
    [posted] = world.prompts.posted(world.group)
    assert (posted.replies, posted.repliers) == (3, ("UALICE", "UBOB"))


def test_a_crash_between_the_decision_and_the_outbox_loses_no_prompt_and_doubles_none(world):
    world.prompts.add(world.group, "UOWNER", "What are you reading?")
    world.prompts.add(world.group, "UOWNER", "Best tool you found this year?")

    def crash(post):
        raise Crash()
    world.outbox.send = crash
    with pytest.raises(Crash):
        world.prompts.post_week(world.group, "2026-W48")
    world.restart()  # the week's done-record was written first: this week is skipped, never decided twice
    assert world.queued_posts() == [] and world.prompts.taken(world.group)["text"] == "What are you reading?"
    world.clock.advance(WEEK)
    assert world.prompts.post_week(world.group, "2026-W49") is True  # the taken prompt is next again
    [post] = world.queued_posts()
    assert post["key"] == "prompt:T1:C1:2026-W49" and "What are you reading?" in plain_text(post)
    assert texts(world.prompts.queue(world.group)) == ["Best tool you found this year?"]


def test_a_restart_between_queueing_the_post_and_its_delivery_record_posts_each_prompt_once(world):
    world.prompts.add(world.group, "UOWNER", "What are you reading?")
    world.prompts.add(world.group, "UOWNER", "Best tool you found this year?")
    world.prompts.post_week(world.group, "2026-W48")
    world.restart()  # the post waits in the outbox; the prompt is out of the queue, taken for W48
    [post] = world.queued_posts()
    assert texts(world.prompts.queue(world.group)) == ["Best tool you found this year?"]
    world.deliver(post, "1764000000.000100")  # delivered after the restart
    world.restart()
    world.clock.advance(WEEK)
    world.prompts.post_week(world.group, "2026-W49")
    [post] = world.queued_posts()
    assert post["key"] == "prompt:T1:C1:2026-W49" and "Best tool you found this year?" in plain_text(post)
    assert world.prompts.queue(world.group) == []


def test_a_post_that_failed_for_good_puts_its_prompt_back_and_a_late_delivery_takes_it_out(world):
    world.prompts.add(world.group, "UOWNER", "What are you reading?")
    world.prompts.add(world.group, "UOWNER", "Best tool you found this year?")
    world.prompts.post_week(world.group, "2026-W48")
    [failed] = world.queued_posts()
    world.outbox.record_failed(failed, "is_archived")
    world.clock.advance(WEEK)
    world.said("UALICE", "1.0")  # a busy week: nothing taken, but the prompt is back at the head
    assert world.prompts.post_week(world.group, "2026-W49") is False
    assert texts(world.prompts.queue(world.group)) == ["What are you reading?", "Best tool you found this year?"]
    world.deliver(failed, "1764000000.000100")  # had it gone out after all, it leaves the queue for good
    assert texts(world.prompts.queue(world.group)) == ["Best tool you found this year?"]


# --- end to end: the real bot, the real scheduler, the emulator, a fake clock ----------------------
def prompt_posts(ws):
    return [p for p in ws.posts("C1") if p["text"].startswith(("💬 *Conversation starter:*", "💬 *Pour lancer"))]


def sections(post):
    return [b["text"]["text"] for b in decode_json_args(post)["blocks"] if b["type"] == "section"]


def posted_ts(ws, text):
    [message] = [m for m in ws.slack.messages("C1") if text in m.get("text", "") and m.get("user") != "UOWNER"]
    return message["ts"]


def test_the_prompt_goes_out_at_the_local_time_when_quiet(group):
    assert group.run("UOWNER", "prompt add What are you reading this week?") == "Queued as prompt 1: What are you reading this week?"
    group.run("UOWNER", "prompt add Best tool you found this year?")
    group.clock.set(TUESDAY_1000_PARIS - timedelta(minutes=1))
    group.settle()
    assert prompt_posts(group) == []  # not yet
    group.advance(minutes=1)
    [post] = prompt_posts(group)
    assert post["text"] == "💬 *Conversation starter:* What are you reading this week?\nReply in the thread to join in."
    assert sections(post) == ["💬 *Conversation starter:* What are you reading this week?"]
    listing = group.run("UOWNER", "prompt list")
    assert listing.splitlines()[:3] == [
        "Next: Tuesday 2026-12-01 at 10:00 (Europe/Paris), if nobody has posted in <#C1> for `2d`.",
        "*Queued* (1), the first goes out next:",
        "1. Best tool you found this year? — <@UOWNER>, 2026-11-23"]
    assert listing.splitlines()[-2:] == ["*Posted lately:*", "• 2026-11-24: What are you reading this week? — no replies yet"]
    group.advance(hours=6)
    assert len(prompt_posts(group)) == 1  # once a week


def test_replies_to_the_prompt_count_as_participation(group):
    group.run("UOWNER", "prompt add What are you reading this week?")
    group.clock.set(TUESDAY_1000_PARIS)
    group.settle()
    ts = posted_ts(group, "What are you reading")
    group.say("UALICE", "Dune, again", thread_ts=ts)
    group.say("UBOB", "The Pragmatic Programmer", thread_ts=ts)
    group.say("UALICE", "and a cookbook", thread_ts=ts)
    assert group.run("UOWNER", "prompt list").endswith(
        "• 2026-11-24: What are you reading this week? — 3 replies, from <@UALICE>, <@UBOB>")
    alice = group.core.store.get(activity_table(group.clock.now()), member_key("T1", "C1", "UALICE"))
    assert alice["replies"] == 2  # the replier's own activity record
    assert not group.core.prompts.is_quiet(group.core.groups.get("T1", "C1"))  # and the channel is lively


def test_a_busy_channel_skips_the_week_and_keeps_the_prompt(group):
    group.run("UOWNER", "prompt add What are you reading this week?")
    group.say("UALICE", "morning all")  # Monday: the channel was not quiet for 2 days by Tuesday 10:00
    group.clock.set(TUESDAY_1000_PARIS)
    group.settle()
    group.advance(hours=13)  # the rest of Tuesday: no retry
    assert prompt_posts(group) == []
    assert "1. What are you reading this week?" in group.run("UOWNER", "prompt list")
    group.clock.set(TUESDAY_1000_PARIS + WEEK)  # a quiet week later
    group.settle()
    assert len(prompt_posts(group)) == 1


def test_busy_at_the_time_is_not_retried_later_that_day(group):
    group.run("UOWNER", "config prompt_when_quiet 1h")
    group.run("UOWNER", "prompt add What are you reading this week?")
    group.clock.set(TUESDAY_1000_PARIS - timedelta(minutes=30))
    group.say("UBOB", "standup notes are up")
    group.clock.set(TUESDAY_1000_PARIS)
    group.settle()
    group.advance(hours=3)  # quiet for hours now, the same day: the week stays skipped (documented)
    assert prompt_posts(group) == []


def test_hostile_text_stays_inert_in_the_post(group):
    group.run("UOWNER", "prompt add &lt;!channel&gt; <!here|here> what do @here and @everyone think of <@UALICE|alice>'s *talk*?")
    group.clock.set(TUESDAY_1000_PARIS)
    group.settle()
    [post] = prompt_posts(group)
    for text in [post["text"], *sections(post)]:
        assert not any(b in text for b in BROADCASTS), text
        assert "<@UALICE>" not in text and "&lt;!channel&gt;" in text and "@\u2060here" in text
    assert "@\u2060everyone" in post["text"]


def test_bad_input_is_answered_clearly(group):
    answer = group.run
    assert answer("UOWNER", "prompt") == USAGE
    assert answer("UOWNER", "prompt shuffle") == USAGE
    assert answer("UOWNER", "prompt add").startswith("Write the prompt after `add`")
    assert answer("UOWNER", "prompt add    ").startswith("Write the prompt after `add`")
    assert answer("UOWNER", "prompt add " + "y" * (MAX_PROMPT + 1)) == (
        f"That is {MAX_PROMPT + 1} characters; the most this can hold is {MAX_PROMPT}. Please shorten it.")
    assert answer("UOWNER", "prompt remove 1") == "The queue is empty: there is nothing to remove."
    assert answer("UOWNER", "prompt list").startswith("Nothing queued.")
    answer("UOWNER", "prompt add First\nwith a second line")
    answer("UOWNER", "prompt add Second")
    assert answer("UOWNER", "prompt remove").startswith("Which one? Give its number")
    assert answer("UOWNER", "prompt remove abc").startswith("`abc` is not a prompt number.")
    assert answer("UOWNER", "prompt remove -1").startswith("`-1` is not a prompt number.")
    assert answer("UOWNER", "prompt remove 1.5").startswith("`1.5` is not a prompt number.")
    assert answer("UOWNER", "prompt remove 99999999999").startswith("There is no prompt `99999999999`")
    assert answer("UOWNER", "prompt remove 99") == (
        "There is no prompt `99`: the queue's numbers go from 1 to 2. `/community prompt list` shows them.")
    assert answer("UOWNER", "prompt remove 0").startswith("There is no prompt `0`")
    assert answer("UOWNER", "prompt remove 1") == "Removed prompt 1: First\nwith a second line"
    assert "1. Second" in answer("UOWNER", "prompt list")
    for action in ("list", "add Hi", "remove 1"):
        assert answer("UALICE", f"prompt {action}").startswith("Only this group's owners can do that.")
    assert answer("UBOB", "prompt list", channel="C2").startswith("This channel is not a managed group yet.")


def test_french_groups_get_french(group):
    group.run("UOWNER", "locale fr")
    assert group.run("UOWNER", "prompt add Qu'avez-vous appris cette semaine ?") == (
        "Ajouté en position 1 : Qu'avez-vous appris cette semaine ?")
    assert group.run("UOWNER", "prompt remove x").startswith("`x` n'est pas un numéro de sujet.")
    assert group.run("UOWNER", "prompt list").startswith("Prochain : mardi 2026-11-24 à 10:00 (Europe/Paris)")
    group.clock.set(TUESDAY_1000_PARIS)
    group.settle()
    [post] = prompt_posts(group)
    assert post["text"] == "💬 *Pour lancer la discussion :* Qu'avez-vous appris cette semaine ?\nRépondez dans le fil pour participer."


# --- fast-forwarding weeks with restarts and downtime -------------------------------------------
def test_weeks_fast_forwarded_with_restarts_mid_week_post_each_prompt_once_in_order(group):
    for n in (1, 2, 3):
        group.run("UOWNER", f"prompt add Prompt number {n}")
    for day in range(1, 29):  # four weeks, a day at a time, at 10:00 Paris
        group.advance(days=1)
        if day % 7 in (2, 4):  # restart on Wednesday (after the post) and on Friday
            group.restart()
            group.settle()
    posts = prompt_posts(group)
    assert [p["text"].split("\n")[0] for p in posts] == [f"💬 *Conversation starter:* Prompt number {n}" for n in (1, 2, 3)]
    assert group.run("UOWNER", "prompt list").splitlines()[0].startswith("Nothing queued.")


def test_a_restart_just_before_and_just_after_the_time_posts_once(group):
    group.run("UOWNER", "prompt add What are you reading this week?")
    group.clock.set(TUESDAY_1000_PARIS - timedelta(minutes=5))
    group.restart()
    group.settle()
    group.advance(minutes=5)
    assert len(prompt_posts(group)) == 1
    group.restart()
    group.advance(hours=1)
    assert len(prompt_posts(group)) == 1


def test_down_over_the_time_posts_once_that_day_and_skips_the_week_after_it(group):
    group.run("UOWNER", "prompt add First prompt")
    group.run("UOWNER", "prompt add Second prompt")
    group.stop()
    group.clock.set(TUESDAY_1000_PARIS + timedelta(hours=11))  # back at 21:00 the same Tuesday in Paris
    group.start()
    group.settle()
    assert [p["text"].split("\n")[0] for p in prompt_posts(group)] == ["💬 *Conversation starter:* First prompt"]
    group.stop()
    group.clock.set(TUESDAY_1000_PARIS + WEEK + timedelta(days=1))  # back on the next Wednesday: that week is skipped
    group.start()
    group.settle()
    assert len(prompt_posts(group)) == 1
    assert "1. Second prompt" in group.run("UOWNER", "prompt list")  # still queued
    group.clock.set(TUESDAY_1000_PARIS + 2 * WEEK)
    group.settle()
    assert [p["text"].split("\n")[0] for p in prompt_posts(group)][-1] == "💬 *Conversation starter:* Second prompt"
