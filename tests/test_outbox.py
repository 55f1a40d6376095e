"""The outbox and its delivery worker on their own: a real store, a fake clock, and a scripted
platform (the `Transport` port) that answers like Slack does when it is slow, full or refusing."""
from datetime import timedelta

import pytest

from bot.clock import FakeClock
from bot.messages import Message
from bot.outbox import Outbox
from bot.outbox.delivery import DeliveryWorker
from bot.ports import DeliveryError, Post
from bot.store import TinyDBStore


class ScriptedPlatform:
    """Delivers unless told otherwise; records what it delivered and when (by the fake clock)."""

    def __init__(self, clock):
        self.clock = clock
        self.delivered: list[tuple[str, object]] = []
        self.refusals: list[DeliveryError] = []
        self.down_until = None

    def deliver(self, post: Post) -> str:
        if self.down_until is not None and self.clock.now() < self.down_until:
            raise DeliveryError("ratelimited", permanent=False, retry_after=2)
        if self.refusals:
            raise self.refusals.pop(0)
        self.delivered.append((post.key, self.clock.now()))
        return f"ts-{len(self.delivered)}"


@pytest.fixture
def world(tmp_path):
    class World:
        pass
    w = World()
    w.clock = FakeClock()
    w.store = TinyDBStore(tmp_path, flush_interval=60)
    w.outbox = Outbox(w.store, w.clock)
    w.platform = ScriptedPlatform(w.clock)
    w.reports = []
    w.worker = lambda **kw: DeliveryWorker(w.outbox, w.platform, report_failure=lambda doc, why: w.reports.append((doc["key"], why)), **kw)
    yield w
    w.store.close()


def post(key, channel="C1", **extra):
    return Post(key=key, team_id="T1", channel_id=channel, message=Message.of(("hello",)), group="T1:C1", **extra)


def run_until_idle(world, worker, limit=10_000):
    """Deliver, moving the fake clock to whenever the worker says the next post is due."""
    for _ in range(limit):
        wait = worker.step()
        if wait is None:
            return
        world.clock.advance(seconds=wait)
    raise AssertionError("never idle")


def test_a_key_is_queued_once_and_delivered_once(world):
    worker = world.worker()
    assert world.outbox.send(post("welcome:T1:C1:UA:1")) is True
    assert world.outbox.send(post("welcome:T1:C1:UA:1")) is False  # queued already
    run_until_idle(world, worker)
    assert world.outbox.send(post("welcome:T1:C1:UA:1")) is False  # delivered already
    run_until_idle(world, worker)
    assert [key for key, _ in world.platform.delivered] == ["welcome:T1:C1:UA:1"]
    assert world.outbox.was_sent("welcome:T1:C1:UA:1")["ref"] == "ts-1"


def test_a_channel_is_paced_at_about_one_post_a_second_after_a_short_burst(world):
    worker = world.worker()
    start = world.clock.now()
    for n in range(8):
        world.outbox.send(post(f"p{n}"))
    world.outbox.send(post("other", channel="C2"))
    run_until_idle(world, worker)
    times = {key: (at - start).total_seconds() for key, at in world.platform.delivered}
    assert [key for key, _ in world.platform.delivered if key.startswith("p")] == [f"p{n}" for n in range(8)]  # in order
    assert times["p2"] == 0 and times["p7"] == pytest.approx(5, abs=0.01)  # burst of 3, then 1/s
    assert times["other"] == 0  # another channel is not held up


def test_a_rate_limit_storm_delays_posts_and_loses_none(world):
    worker = world.worker()
    world.platform.down_until = world.clock.now() + timedelta(seconds=10)
    for n in range(15):
        world.outbox.send(post(f"welcome:{n}", channel=f"C{n % 3}"))
    run_until_idle(world, worker)
    keys = [key for key, _ in world.platform.delivered]
    assert sorted(keys) == sorted(f"welcome:{n}" for n in range(15)) and len(keys) == len(set(keys))
    assert all(at >= world.platform.down_until for _, at in world.platform.delivered)
    assert world.reports == []


def test_a_permanent_refusal_is_recorded_with_its_reason_reported_and_not_retried(world):
    worker = world.worker()
    world.platform.refusals = [DeliveryError("not_in_channel", permanent=True)]
    world.outbox.send(post("welcome:gone"))
    run_until_idle(world, worker)
    assert world.platform.delivered == []
    [failed] = world.outbox.for_group("T1:C1")[1]
    assert (failed["status"], failed["last_error"], failed["attempts"]) == ("failed", "not_in_channel", 1)
    assert world.reports == [("welcome:gone", "not_in_channel")]
    assert world.outbox.send(post("welcome:gone")) is False  # a failed key is not queued again by a retry


def test_passing_failures_are_retried_with_backoff_for_hours_then_reported(world):
    worker = world.worker(give_up_after=timedelta(hours=6))
    world.platform.refusals = [DeliveryError("internal_error", permanent=False) for _ in range(1000)]
    start = world.clock.now()
    world.outbox.send(post("ladder:q1:experts"))
    run_until_idle(world, worker)
    [failed] = world.outbox.for_group("T1:C1")[1]
    assert failed["last_error"].startswith("gave up after 6.") and failed["last_error"].endswith("internal_error")
    assert world.clock.now() - start >= timedelta(hours=6)
    assert 70 < failed["attempts"] < 1000 - len(world.platform.refusals) + 2  # backoff capped at 5 min: ~75 tries
    assert world.reports and world.reports[0][0] == "ladder:q1:experts"


def test_a_restarted_worker_delivers_what_was_queued_before(world):
    world.outbox.send(post("welcome:before-crash"))
    worker = world.worker()  # a new process: loads the queue from the store
    run_until_idle(world, worker)
    assert [key for key, _ in world.platform.delivered] == ["welcome:before-crash"]


def test_a_follow_up_runs_with_the_delivered_message_id(world):
    seen = []
    world.outbox.on_delivered("track", lambda p, ref: seen.append((p.then_args["asker"], ref)))
    worker = world.worker()
    world.outbox.send(post("ask:1", then="track", then_args={"asker": "UA"}))
    run_until_idle(world, worker)
    assert seen == [("UA", "ts-1")]


class Crash(BaseException):
    """Stands for the process dying at that instant (kill -9)."""


def test_a_post_left_queued_after_its_delivery_was_recorded_is_not_posted_again(world, monkeypatch):
    worker = world.worker()
    world.outbox.send(post("welcome:T1:C1:U1:1"))
    real_delete = world.store.delete

    def die_on_leaving_the_queue(table, key):
        if table == "outbox":
            raise Crash()
        return real_delete(table, key)
    monkeypatch.setattr(world.store, "delete", die_on_leaving_the_queue)
    with pytest.raises(Crash):
        worker.step()
    monkeypatch.setattr(world.store, "delete", real_delete)
    restarted = world.worker()  # the queue still holds the post, and its sent-record exists
    run_until_idle(world, restarted)
    assert [key for key, _ in world.platform.delivered] == ["welcome:T1:C1:U1:1"]
    assert world.outbox.waiting() == []


def test_a_failing_follow_up_neither_blocks_nor_repeats_the_post(world):
    world.outbox.on_delivered("track", lambda p, ref: (_ for _ in ()).throw(RuntimeError("store hiccup")))
    worker = world.worker()
    world.outbox.send(post("ask:T1:C1:inv1", then="track"))
    run_until_idle(world, worker)
    run_until_idle(world, world.worker())  # and after a restart
    assert [key for key, _ in world.platform.delivered] == ["ask:T1:C1:inv1"] and world.outbox.waiting() == []


def test_a_key_sent_again_while_it_is_delivered_is_posted_once(world, monkeypatch):
    worker = world.worker()
    world.outbox.send(post("ping:T1:C1:q1"))
    real_was_sent = world.outbox.was_sent
    raced = []

    def deliver_in_between(key):
        found = real_was_sent(key)
        if not raced:  # the second send checked before the delivery was recorded...
            raced.append(1)
            worker.step()  # ...and the worker delivers and leaves the queue right then
        return found
    monkeypatch.setattr(world.outbox, "was_sent", deliver_in_between)
    assert world.outbox.send(post("ping:T1:C1:q1")) is True  # queued again: the race happened
    monkeypatch.setattr(world.outbox, "was_sent", real_was_sent)
    run_until_idle(world, worker)
    assert [key for key, _ in world.platform.delivered] == ["ping:T1:C1:q1"]


def test_a_passing_failure_holds_back_later_posts_to_the_same_place(world):
    worker = world.worker()
    world.platform.refusals = [DeliveryError("http_503", permanent=False)]
    for n in (1, 2, 3):
        world.outbox.send(post(f"q:{n}", thread="1.0"))
    run_until_idle(world, worker)
    assert [key for key, _ in world.platform.delivered] == ["q:1", "q:2", "q:3"]


class EditingPlatform(ScriptedPlatform):
    """Also records edits: (key, the id of the message it replaced)."""

    def __init__(self, clock):
        super().__init__(clock)
        self.edits: list[tuple[str, str]] = []

    def deliver(self, post: Post, replacing: str | None = None) -> str:
        if replacing is None:
            return super().deliver(post)
        self.edits.append((post.key, replacing))
        return replacing


def test_an_edit_replaces_the_message_its_original_became_and_waits_for_it(world):
    world.platform = EditingPlatform(world.clock)
    worker = world.worker()
    world.platform.refusals.append(DeliveryError("ratelimited", permanent=False, retry_after=5))
    world.outbox.send(post("card:1"))
    world.outbox.send(post("card:1:v2", replaces="card:1"))
    world.outbox.send(post("card:1:v3", replaces="card:1"))
    run_until_idle(world, worker)
    assert [key for key, _ in world.platform.delivered] == ["card:1"]
    assert world.platform.edits == [("card:1:v2", "ts-1"), ("card:1:v3", "ts-1")]
    assert world.outbox.send(post("card:1:v2", replaces="card:1")) is False  # an edit is delivered once too


def test_an_edit_of_a_post_that_failed_for_good_fails_too_and_is_reported(world):
    world.platform = EditingPlatform(world.clock)
    worker = world.worker()
    world.platform.refusals.append(DeliveryError("channel_not_found", permanent=True))
    world.outbox.send(post("card:2"))
    run_until_idle(world, worker)
    world.outbox.send(post("card:2:v2", replaces="card:2"))
    run_until_idle(world, worker)
    assert world.platform.edits == []
    assert ("card:2:v2", "original_not_delivered") in world.reports
