"""The inbox on its own: journal on disk before the ack, replay, compaction, channel order, lanes
woken once the acknowledgement is out."""
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.inbox import Inbox
from bot.inbox import journal as journal_module
from bot.inbox.journal import Journal


def test_an_appended_event_is_on_disk_and_replayed_until_marked_done(tmp_path):
    journal = Journal(tmp_path)
    assert journal.open() == []
    first = journal.append("Ev1", "C1", {"n": 1})
    second = journal.append("Ev2", "C2", {"n": 2})
    journal.mark_done(first.seq)
    journal.close()
    again = Journal(tmp_path)
    assert [(e.event_id, e.lane, e.event) for e in again.open()] == [("Ev2", "C2", {"n": 2})]
    assert again.seen("Ev1") and again.seen("Ev2")
    assert again.append("Ev2", "C2", {"n": 2}) is None  # a redelivery is not journalled twice
    again.close()


def test_a_line_cut_short_by_a_crash_is_skipped(tmp_path):
    journal = Journal(tmp_path)
    journal.open()
    journal.append("Ev1", "C1", {"n": 1})
    journal.close()
    [segment] = tmp_path.glob("segment-*.log")
    with open(segment, "ab") as raw:
        raw.write(b'{"seq": 2, "id": "Ev2", "la')  # the process died mid-write: never acked
    assert [e.event_id for e in Journal(tmp_path).open()] == ["Ev1"]


def test_full_segments_whose_events_are_done_are_deleted(tmp_path, monkeypatch):
    monkeypatch.setattr(journal_module, "SEGMENT_ENTRIES", 10)
    journal = Journal(tmp_path)
    journal.open()
    entries = [journal.append(f"Ev{n}", "C1", {"n": n}) for n in range(35)]
    assert len(list(tmp_path.glob("segment-*.log"))) == 4
    for entry in entries[:-1]:
        journal.mark_done(entry.seq)
    assert len(list(tmp_path.glob("segment-*.log"))) == 1  # only the current one is left
    journal.close()
    assert [e.event_id for e in Journal(tmp_path).open()] == ["Ev34"]


def test_concurrent_appends_share_syncs(tmp_path, monkeypatch):
    syncs = []
    real_sync = os.fdatasync
    monkeypatch.setattr(journal_module.os, "fdatasync", lambda fd: (syncs.append(fd), time.sleep(0.002), real_sync(fd)))
    journal = Journal(tmp_path)
    journal.open()
    barrier = threading.Barrier(32)

    def append(n):
        barrier.wait()
        journal.append(f"Ev{n}", "C1", {"n": n})
    threads = [threading.Thread(target=append, args=(n,)) for n in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    journal.close()
    assert len(Journal(tmp_path).open()) == 32
    assert len(syncs) < 16  # grouped: far fewer syncs than events


def test_events_of_one_channel_are_applied_in_order_and_channels_in_parallel(tmp_path):
    applied: dict[str, list[int]] = {}
    lock = threading.Lock()
    threads_seen = set()

    def apply(entry):
        time.sleep(0.001)
        with lock:
            applied.setdefault(entry.lane, []).append(entry.event["n"])
            threads_seen.add(threading.current_thread().name)
    inbox = Inbox(tmp_path, apply, workers=4)
    inbox.start()
    for n in range(200):
        assert inbox.accept(f"Ev{n}", f"C{n % 8}", {"n": n})
    assert inbox.wait_idle(10)
    assert {lane: numbers == sorted(numbers) for lane, numbers in applied.items()} == {f"C{i}": True for i in range(8)}
    assert sum(len(v) for v in applied.values()) == 200 and len(threads_seen) > 1
    inbox.close()
    assert Journal(tmp_path).open() == []  # everything applied was marked done


def test_a_failing_applier_leaves_the_event_for_the_next_start(tmp_path):
    def broken(entry):
        if entry.event["n"] == 1:
            raise RuntimeError("bug")
    inbox = Inbox(tmp_path, broken, workers=1)
    inbox.start()
    for n in range(3):
        inbox.accept(f"Ev{n}", "C1", {"n": n})
    inbox.wait_idle(5)
    inbox.close()
    replayed = []
    again = Inbox(tmp_path, lambda entry: replayed.append(entry.event["n"]), workers=1)
    assert again.start() == 1
    again.wait_idle(5)
    again.close()
    assert replayed == [1]


KILLED_WRITER = """
import sys, time
from bot.inbox.journal import Journal
journal = Journal(sys.argv[1])
journal.open()
n = 0
while True:
    journal.append(f"Ev{n}", "C1", {"n": n})
    print(n, flush=True)   # "acked": printed only once append returned
    n += 1
"""


def test_kill_9_loses_no_acknowledged_event(tmp_path):
    """What `append` returned for is on disk, whatever moment the process dies."""
    process = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                               cwd=Path(__file__).resolve().parents[1])
    acked = []
    for line in process.stdout:
        acked.append(int(line))
        if len(acked) >= 3000:
            break
    process.kill()
    process.wait()
    on_disk = {e.event["n"] for e in Journal(tmp_path).open()}
    assert set(acked) <= on_disk


def test_applied_events_are_done_only_after_the_store_has_written_them(tmp_path):
    """Counters are buffered: an event stays in the journal until the checkpoint wrote them, so a
    crash before that applies it again instead of losing its counts."""
    written = []
    inbox = Inbox(tmp_path, lambda entry: None, workers=1, checkpoint=lambda: written.append("flush"), checkpoint_every=3600)
    inbox.start()
    inbox.accept("Ev1", "C1", {"n": 1})
    inbox.wait_idle(5)
    assert inbox.journal.waiting() == 1 and written == []  # applied, not yet checkpointed
    inbox.checkpoint_now()
    assert written == ["flush"] and inbox.journal.waiting() == 0
    inbox.close()


def test_a_failed_checkpoint_keeps_the_events_for_the_next_one(tmp_path):
    attempts = []

    def disk_full():
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError(28, "No space left on device")
    inbox = Inbox(tmp_path, lambda entry: None, workers=1, checkpoint=disk_full, checkpoint_every=3600)
    inbox.start()
    inbox.accept("Ev1", "C1", {"n": 1})
    inbox.wait_idle(5)
    with pytest.raises(OSError):
        inbox.checkpoint_now()
    assert inbox.journal.waiting() == 1
    inbox.checkpoint_now()
    assert inbox.journal.waiting() == 0
    inbox.close()


def test_close_waits_for_a_checkpoint_in_progress_before_closing_the_journal(tmp_path):
    """A periodic checkpoint still writing when the bot stops must finish its "done" lines before
    the journal closes; otherwise they fail (logged as an error) and its events are replayed."""
    flushing, release = threading.Event(), threading.Event()

    def slow_flush():
        flushing.set()
        release.wait(5)
    inbox = Inbox(tmp_path, lambda entry: None, workers=1, checkpoint=slow_flush, checkpoint_every=0.05)
    inbox.start()
    inbox.accept("Ev1", "C1", {"n": 1})
    assert flushing.wait(5)  # the periodic checkpoint holds Ev1 and is writing the store
    threading.Timer(0.2, release.set).start()
    inbox.close()
    assert Journal(tmp_path).open() == []  # Ev1 was marked done, not left for a replay


def test_segments_roll_over_under_concurrent_appends_without_losing_or_replaying(tmp_path, monkeypatch):
    """Sixteen threads appending while small segments roll over: every acknowledged entry is on
    disk, and once all are marked done a restart replays nothing."""
    monkeypatch.setattr(journal_module, "SEGMENT_ENTRIES", 50)
    journal = Journal(tmp_path)
    journal.open()
    acked, lock = [], threading.Lock()

    def append(thread):
        for n in range(200):
            entry = journal.append(f"Ev{thread}-{n}", f"C{thread % 3}", {"n": n})
            with lock:
                acked.append(entry.seq)
    threads = [threading.Thread(target=append, args=(t,)) for t in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    journal.close()
    again = Journal(tmp_path)
    assert {e.seq for e in again.open()} == set(acked) and len(acked) == 3200
    for seq in acked:
        again.mark_done(seq)
    again.close()
    assert Journal(tmp_path).open() == []


def test_a_failed_write_acknowledges_nothing_and_a_redelivery_waits_for_the_disk(tmp_path, monkeypatch):
    journal = Journal(tmp_path)
    journal.open()
    real_sync, failing = os.fdatasync, [True]

    def sync(fd):
        if failing[0]:
            raise OSError(28, "No space left on device")
        real_sync(fd)
    monkeypatch.setattr(journal_module.os, "fdatasync", sync)
    with pytest.raises(OSError):
        journal.append("Ev1", "C1", {"n": 1})  # the request gets a 500: Slack will deliver it again
    with pytest.raises(OSError):
        journal.append("Ev1", "C1", {"n": 1})  # its redelivery is not acked while the disk refuses
    failing[0] = False
    assert journal.append("Ev1", "C1", {"n": 1}) is None  # now on disk (written once), acked as a redelivery
    journal.close()
    assert [e.event_id for e in Journal(tmp_path).open()] == ["Ev1"]


def test_a_lane_sleeps_until_the_acknowledgement_is_out_and_keeps_journal_order(tmp_path):
    """`after_ack` holds the lane's wake-up until the adapter has answered; answers that go out in
    another order than the events came in do not change the order they are applied in."""
    applied = []
    inbox = Inbox(tmp_path, lambda entry: applied.append(entry.event["n"]), workers=1)
    inbox.start()
    wakes = []
    assert inbox.accept("Ev1", "C1", {"n": 1}, after_ack=wakes.append)
    assert inbox.accept("Ev2", "C1", {"n": 2}, durable=False, after_ack=wakes.append)
    time.sleep(0.2)
    assert applied == [] and inbox.backlog() == 2 and len(wakes) == 2  # queued; nothing applied before its answer
    wakes[1]()  # the second request was answered first
    assert inbox.wait_idle(5)
    assert applied == [1, 2]
    wakes[0]()  # a late wake-up finds nothing left to do
    assert inbox.accept("Ev1", "C1", {"n": 1}, after_ack=lambda wake: wake()) is False  # a redelivery
    assert inbox.wait_idle(5) and applied == [1, 2]
    inbox.close()


def test_an_event_whose_write_failed_still_wakes_its_lane_and_is_applied_once(tmp_path, monkeypatch):
    """The journal numbers and queues an event before it writes it; when the write fails (500,
    Slack delivers it again) the lane is still woken, applies it once the disk takes it, and the
    redelivery is not applied a second time."""
    real_sync, failing = os.fdatasync, [True]

    def sync(fd):
        if failing[0]:
            raise OSError(28, "No space left on device")
        real_sync(fd)
    monkeypatch.setattr(journal_module.os, "fdatasync", sync)
    applied, wakes = [], []
    inbox = Inbox(tmp_path, lambda entry: applied.append(entry.event_id), workers=1)
    inbox.start()
    with pytest.raises(OSError):
        inbox.accept("Ev1", "C1", {"n": 1}, after_ack=wakes.append)
    assert len(wakes) == 1 and applied == []
    failing[0] = False
    wakes[0]()
    assert inbox.wait_idle(5) and applied == ["Ev1"]
    assert inbox.accept("Ev1", "C1", {"n": 1}) is False
    assert inbox.wait_idle(5) and applied == ["Ev1"]
    inbox.close()
    assert Journal(tmp_path).open() == []
