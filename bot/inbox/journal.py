"""An append-only journal of accepted events, written before they are acknowledged.

Each accepted event is one JSON line `{"seq", "id", "lane", "event"}` in the current segment file
(`DATA_DIR/inbox/segment-<n>.log`), and `append` returns only once the line is on disk (fdatasync).
Concurrent appends are grouped: one thread writes and syncs everything waiting, the others wait
for it, so a burst costs one sync per group, not one per event (a sync took 0.15 to 0.4 ms on the
disk the benchmarks ran on).

Once an event is applied, a `{"done": seq}` line is written without a sync: a process killed with
`kill -9` still leaves it in the operating system's cache, and if a power cut loses it the event is
applied again, which the appliers make harmless (keyed writes, outbox keys, counted-once counters).

Segments roll over every `SEGMENT_ENTRIES` events; a full segment whose events are all done is
deleted (compaction). At start, `open` reads the segments and returns the events not done, in
order, and remembers the ids seen so a redelivered event is not journalled twice.
"""
from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

SEGMENT_ENTRIES = 5000
SEEN_IDS_KEPT = 50_000  # Slack redelivers within minutes; this covers a busy workspace's hour


@dataclass(frozen=True)
class Entry:
    seq: int
    event_id: str
    lane: str
    event: dict


class Journal:
    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._cond = threading.Condition()
        self._next_seq = 1
        self._durable_seq = 0
        self._pending: list[tuple[int, bytes]] = []  # (seq, line) not yet written
        self._writing = False
        self._fd: int | None = None
        self._segment: int = 0
        self._segment_entries = 0
        self._undone: dict[int, set[int]] = {}  # segment -> seqs not yet done
        self._segment_of: dict[int, int] = {}
        self._seen: dict[str, int] = {}  # event id -> seq; insertion-ordered, trimmed to SEEN_IDS_KEPT

    # --- start ---------------------------------------------------------------------------------
    def open(self) -> list[Entry]:
        """Read what a previous run left; the entries still to apply, oldest first."""
        waiting: dict[int, Entry] = {}
        segments = sorted(self._segments())
        for number, path in segments:
            self._undone[number] = set()
            with open(path, "rb") as lines:
                for raw in lines:
                    record = _parse(raw)
                    if record is None:
                        continue  # a line cut short by a crash mid-write was never acked
                    if "done" in record:
                        waiting.pop(record["done"], None)
                        self._undone[number].discard(record["done"])
                        continue
                    entry = Entry(record["seq"], record["id"], record["lane"], record["event"])
                    waiting[entry.seq] = entry
                    self._undone[number].add(entry.seq)
                    self._segment_of[entry.seq] = number
                    self._remember(entry.event_id, entry.seq)
                    self._next_seq = max(self._next_seq, entry.seq + 1)
        self._durable_seq = self._next_seq - 1
        self._roll(segments[-1][0] + 1 if segments else 1)
        for number, _ in segments:
            self._drop_if_done(number)
        return [waiting[seq] for seq in sorted(waiting)]

    def _segments(self) -> list[tuple[int, Path]]:
        return [(int(p.stem.split("-")[1]), p) for p in self.directory.glob("segment-*.log")]

    def _path(self, number: int) -> Path:
        return self.directory / f"segment-{number:08d}.log"

    def _roll(self, number: int) -> None:
        if self._fd is not None:
            os.close(self._fd)
        self._segment, self._segment_entries = number, 0
        self._undone.setdefault(number, set())
        self._fd = os.open(self._path(number), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        _fsync_directory(self.directory)

    # --- accepting -----------------------------------------------------------------------------
    def seen(self, event_id: str) -> bool:
        with self._cond:
            return event_id in self._seen

    def append(self, event_id: str, lane: str, event: dict, on_sequenced=None) -> Entry | None:
        """Durably record one event; None when this id was already journalled (a redelivery,
        returned only once that first copy is on disk too). Raises OSError when the disk refuses:
        nothing was acknowledged, and the entry stays queued for the next write.

        `on_sequenced(entry)` runs under the journal's lock as soon as the entry has its number, so
        whoever queues entries for applying sees them in journal order (a reply after its question).
        """
        with self._cond:
            earlier = self._seen.get(event_id)
            if earlier is not None:
                self._until_durable(earlier)
                return None
            entry = Entry(self._next_seq, event_id, lane, event)
            self._next_seq += 1
            self._remember(event_id, entry.seq)
            line = json.dumps({"seq": entry.seq, "id": event_id, "lane": lane, "event": event},
                              ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
            self._pending.append((entry.seq, line))
            if on_sequenced is not None:
                on_sequenced(entry)
            self._until_durable(entry.seq)
            return entry

    def wait_durable(self, seq: int) -> None:
        """Block until entry `seq` is on disk (an applier never acts on an event not yet kept)."""
        with self._cond:
            self._until_durable(seq)

    def _until_durable(self, seq: int) -> None:
        """Holding the lock: write (or wait for the writer) until `seq` is on disk."""
        while self._durable_seq < seq:
            if self._writing:
                self._cond.wait()
            else:
                self._write_pending()

    def _write_pending(self) -> None:
        """Holding the lock: write and sync what is pending, releasing the lock meanwhile so
        others queue behind. The segment is chosen here, at write time, and rolled over only here,
        after a write, so no line lands in a segment other than the one it is booked in."""
        batch, self._pending = self._pending, []
        segment, fd = self._segment, self._fd
        self._writing = True
        self._cond.release()
        try:
            os.write(fd, b"".join(line for _, line in batch))
            os.fdatasync(fd)
        except BaseException:
            self._cond.acquire()
            self._writing = False
            self._pending = batch + self._pending  # not on disk: kept for the next write, never counted done
            self._cond.notify_all()
            raise
        self._cond.acquire()
        self._writing = False
        for seq, _ in batch:
            self._segment_of[seq] = segment
            self._undone[segment].add(seq)
        self._segment_entries += len(batch)
        self._durable_seq = batch[-1][0] if batch else self._durable_seq
        if self._segment_entries >= SEGMENT_ENTRIES:
            self._roll(segment + 1)
            self._drop_if_done(segment)
        self._cond.notify_all()

    def _remember(self, event_id: str, seq: int) -> None:
        self._seen[event_id] = seq
        if len(self._seen) > SEEN_IDS_KEPT:
            del self._seen[next(iter(self._seen))]

    # --- applying ------------------------------------------------------------------------------
    def mark_done(self, seq: int) -> None:
        with self._cond:
            number = self._segment_of.pop(seq, None)
            if number is None:
                return
            line = json.dumps({"done": seq}).encode() + b"\n"
            if number == self._segment:
                # The entry itself was synced before it was handed out, so "done" always follows it;
                # O_APPEND keeps this line whole beside a concurrent group write.
                os.write(self._fd, line)
            else:
                with open(self._path(number), "ab") as old:
                    old.write(line)
            self._undone[number].discard(seq)
            self._drop_if_done(number)

    def _drop_if_done(self, number: int) -> None:
        if number != self._segment and not self._undone.get(number):
            self._path(number).unlink(missing_ok=True)
            self._undone.pop(number, None)

    def waiting(self) -> int:
        with self._cond:
            return sum(len(s) for s in self._undone.values())

    def close(self) -> None:
        with self._cond:
            while self._writing:
                self._cond.wait()
            if self._pending:
                self._write_pending()
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


def waiting_on_disk(directory: str | Path) -> int:
    """How many journalled events are not marked done, read without opening the journal (for
    tests and tools looking at a data directory while the bot runs)."""
    waiting: set[int] = set()
    for path in sorted(Path(directory).glob("segment-*.log")):
        with open(path, "rb") as lines:
            for raw in lines:
                record = _parse(raw)
                if record is None:
                    continue
                if "done" in record:
                    waiting.discard(record["done"])
                else:
                    waiting.add(record["seq"])
    return len(waiting)


def _parse(raw: bytes) -> dict | None:
    try:
        record = json.loads(raw)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
