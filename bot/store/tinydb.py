"""The TinyDB backend of `Store`: one JSON file per table in the data directory.

Why it looks the way it does (TinyDB 4.8/4.9 facts, measured on this machine kind):
- TinyDB is not thread-safe (Bolt listeners and APScheduler run on thread pools): one re-entrant
  lock guards every operation, reads included.
- It rewrites the whole file on every write, so each table is its own file and callers partition
  growing tables by period (`questions.2026-11`, `activity.2026-W48`); hot counters are buffered in
  memory and flushed every `flush_interval` seconds (the loss window on a crash).
- Its writes are not atomic: `AtomicJSONStorage` writes a temp file, fsyncs and renames it over the
  old one, so a crash leaves either the old or the new file, never half of one.
- It re-reads and re-parses the file on every read: this storage keeps the parsed data in memory
  (one process owns the data directory) and only reads the file once.

Only the tables in use stay parsed. Every file is parsed at start (a corrupt one stops the bot
there, naming it) and then let go; a table is parsed again when first used, and let go once unused
for `release_after` seconds (checked by the flush thread). Past partitions (last year's questions,
last month's activity) are thus not held in memory, and so not walked by Python's cyclic garbage
collector either: with a year of history held, each full collection paused every thread for
50-100 ms (measured in `benchmarks/events.py`), and that pause grew with the history kept.

Counting once (`accumulate(..., once=event_id)`), across restarts too, since Slack may redeliver
an event to a bot that restarted and the inbox replays what it had not finished: the ids counted
since the last flush are appended to `counted-events.log` (one fsynced JSON line per flush, with
the flush's number and the table each id bumped) BEFORE that flush writes the counters, and each
table file records the number of the last flush whose counters it holds (its `flushed` table,
written in the same atomic file write as the counters). At open, the ids younger than
`COUNT_ONCE_WINDOW` are reloaded, except those whose table does not hold their flush: a crash
between the two writes lost those bumps, so their ids are forgotten (and dropped from the log) and
a replayed or redelivered event counts again, once. Ids and counters buffered since the last flush
are lost together, likewise. So a crash never counts an event twice, and never loses a bump whose
event comes again. The log is compacted when it spans twice the window (see `CountedEventsLog`).
A bump costs one dict look-up.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from tinydb import TinyDB
from tinydb.storages import Storage

from .base import (COUNT_ONCE_WINDOW, Change, CountedIds, Doc, StoreError, check_table, copy_doc, counter_change, json_copy,
                   merge_pending)
from .files import CountedEventsLog, ids_by_table, write_atomically

log = logging.getLogger(__name__)

COUNTED_EVENTS_FILE = "counted-events.log"
DOCS = "docs"  # the TinyDB table holding a store table's documents
FLUSHED = "flushed"  # TinyDB table in a counter file: {"n": the last flush whose counters it holds}
# A table unused this long is let go (parsed again when used). Every sweep runs each tick (15 s),
# so the tables of ongoing work stay; ten minutes keeps a burst of look-ups from parsing twice.
RELEASE_AFTER_SECONDS = 600.0


class AtomicJSONStorage(Storage):
    """TinyDB storage: parsed once, kept in memory, written with temp file + fsync + rename.

    Every write rewrites the whole file, but only the documents changed since the last write are
    encoded again: the JSON of the others is kept from then (`_encoded`). Encoding a 120 kB table
    took 0.7 ms of the GIL per write, the most of what a reply under a question cost to apply.
    Whoever changes a document says so first (`changed`): `TinyDBStore` does, and turns this on
    (`tracks_changes`); for any other TinyDB user the storage encodes every document each time.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._data: dict | None = None
        self._deferred = False
        self._dirty = False
        self._encoded: dict[str, str] = {}  # doc id -> its JSON as last written (the "docs" table)
        self._changed: set[str] = set()  # doc ids to encode again at the next write
        self.tracks_changes = False  # True: every change is announced by `changed`, kept JSON may be used
        if self.path.exists():
            self._data = self._load()

    def changed(self, *doc_ids: int) -> None:
        """These documents are about to change (or to be inserted or removed)."""
        self._changed.update(str(doc_id) for doc_id in doc_ids)

    def _load(self) -> dict:
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError as error:
            raise StoreError(f"cannot read {self.path}: {error.strerror or error}") from None
        try:
            data = json.loads(text) if text.strip() else {}
        except json.JSONDecodeError as error:
            raise StoreError(
                f"{self.path} is not valid JSON (line {error.lineno}, column {error.colno}); "
                "it was left untouched: restore it from a backup or move it away"
            ) from None
        if not isinstance(data, dict):
            raise StoreError(f"{self.path} does not hold TinyDB tables; it was left untouched")
        return data

    def read(self) -> dict | None:
        # A shallow copy: TinyDB assigns tables into the returned dict before calling write(),
        # and a failed write must not leave that half-change in memory.
        return None if self._data is None else dict(self._data)

    def write(self, data: dict) -> None:
        if self._deferred:
            self._data, self._dirty = data, True
            return
        try:
            encoded = self._write_file(data)
        except BaseException:
            self.reload()
            raise
        self._data = data
        self._encoded, self._changed = encoded, set()

    def reload(self) -> None:
        """Memory as the file holds it: after a failed write, or a change that failed half-way (TinyDB
        changes documents in place before it writes)."""
        self._data = self._load() if self.path.exists() else None
        self._encoded, self._changed = {}, set()

    def _write_file(self, data: dict) -> dict[str, str]:
        """Write `data`; the JSON of each of its documents."""
        encoded: dict[str, str] = {}
        tables = []
        for name, table in data.items():
            if name == DOCS:
                for doc_id, doc in table.items():
                    known = self._encoded.get(doc_id) if self.tracks_changes and doc_id not in self._changed else None
                    encoded[doc_id] = known if known is not None else _json(doc)
                body = "{" + ",".join(f"{_json(doc_id)}:{text}" for doc_id, text in encoded.items()) + "}"
            else:
                body = _json(table)
            tables.append(f"{_json(name)}:{body}")
        write_atomically(self.path, "{" + ",".join(tables) + "}")
        return encoded

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Many TinyDB writes, one file write (used to flush buffered counters)."""
        self._deferred = True
        try:
            yield
        finally:
            self._deferred = False
        if self._dirty:
            self._dirty = False
            self.write(self._data)

    def close(self) -> None:
        pass


class TinyDBStore:
    """`Store` on TinyDB: one JSON file per table under `data_dir`.

    `now` (epoch seconds) only dates counted event ids; it is wall time because it must still mean
    something after a restart. Tests pass a fake one to step over `COUNT_ONCE_WINDOW`.
    """

    def __init__(self, data_dir: str | Path, flush_interval: float = 5.0, *, now: Callable[[], float] = time.time,
                 release_after: float = RELEASE_AFTER_SECONDS):
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.flush_interval = flush_interval
        self.release_after = release_after
        self._now = now
        self._lock = threading.RLock()
        self._tables: dict[str, tuple[TinyDB, dict[str, int]]] = {}
        self._used: dict[str, float] = {}  # table -> when it was last used (time.monotonic), while parsed
        self._flushed: dict[str, int] = {}  # table -> the last flush whose counters its file holds
        self._pending: dict[tuple[str, str], tuple[dict, dict]] = {}
        self._closed = threading.Event()
        # Leftovers of a crash between temp write and rename: the real file is intact.
        for leftover in self.data_dir.glob(".*.tmp"):
            leftover.unlink(missing_ok=True)
        # Parse every table now so a corrupt file stops the bot at start, naming the file; then
        # let it go: it is parsed again when used (the module docstring says why).
        for path in sorted(self.data_dir.glob("*.json")):
            self._open(path.stem)
            self._release(path.stem)
        window = COUNT_ONCE_WINDOW.total_seconds()
        self._counted = CountedIds(window)  # ids counted within the window: checked on every bump
        self._unpersisted: dict[str, list[str]] = {}  # table -> ids not yet in the log: appended at the next flush
        self._counted_log = CountedEventsLog(self.data_dir / COUNTED_EVENTS_FILE, window)
        self._flush_number = max(self._flushed.values(), default=0)
        self._reload_counted_ids()
        self._flusher = threading.Thread(target=self._flush_periodically, name="store-flush", daemon=True)
        self._flusher.start()

    def _reload_counted_ids(self) -> None:
        """The ids of the log's live lines, but those whose counters their flush never wrote."""
        kept_lines, forgotten = [], 0
        for line in self._counted_log.load(self._now()):
            self._flush_number = max(self._flush_number, line.get("n", 0))
            kept: dict[str | None, list[str]] = {}
            for table, ids in ids_by_table(line).items():
                if table is None or self._flushed.get(table, 0) >= line["n"]:
                    kept[table] = ids
                else:
                    forgotten += len(ids)  # the crash came between the log and this table's write
            for ids in kept.values():
                for event_id in ids:
                    self._counted.add(event_id, line["at"])
            if kept:
                kept_lines.append(_line(line, kept))
        if forgotten:
            # Dropped from the file too: a later flush of the same table must not revive them.
            log.warning("%d counted event id(s) had no counters written (a crash mid-flush): they count again", forgotten)
            self._counted_log.rewrite(kept_lines)

    # --- table plumbing -------------------------------------------------------------------
    def _open(self, table: str) -> tuple[TinyDB, dict[str, int]]:
        opened = self._tables.get(table)
        if opened is None:
            check_table(table)
            db = TinyDB(self.data_dir / f"{table}.json", storage=AtomicJSONStorage)
            db.storage.tracks_changes = True  # `_write` and `_apply_counters` announce every change
            index = {doc["_key"]: doc.doc_id for doc in db.table("docs").all()}
            marks = db.table(FLUSHED).all()
            if marks:
                self._flushed[table] = int(marks[0]["n"])
            opened = self._tables[table] = (db, index)
        self._used[table] = time.monotonic()
        return opened

    def _release(self, table: str) -> None:
        """Let the parsed table go (its file holds all of it: writes go through at once, and
        buffered counters are kept apart, in `_pending`)."""
        db, _ = self._tables.pop(table)
        db.close()
        self._used.pop(table, None)

    @property
    def parsed_tables(self) -> list[str]:
        """The tables held parsed in memory now."""
        with self._lock:
            return sorted(self._tables)

    def release_idle(self) -> int:
        """Let go of the tables unused for `release_after` seconds; how many."""
        with self._lock:
            cutoff = time.monotonic() - self.release_after
            idle = [table for table, used in self._used.items() if used <= cutoff and table in self._tables]
            for table in idle:
                self._release(table)
            return len(idle)

    @staticmethod
    def _public(raw: dict) -> Doc:
        doc = copy_doc(dict(raw))
        doc.pop("_key", None)
        return doc

    def _write(self, table: str, key: str, doc: Doc | None) -> None:
        db, index = self._open(table)
        docs = db.table("docs")
        doc_id = index.get(key)
        if doc_id is not None:
            db.storage.changed(doc_id)  # a new document's id has no JSON kept: TinyDB numbers past those it wrote
        if doc is None:
            if doc_id is not None:
                docs.remove(doc_ids=[doc_id])
                del index[key]
            return
        stored = {**json_copy(doc), "_key": key}  # as the file will give it back; non-JSON refused here
        if doc_id is None:
            index[key] = docs.insert(stored)
        else:
            docs.update(lambda current: (current.clear(), current.update(stored)), doc_ids=[doc_id])

    def _exists(self, table: str) -> bool:
        check_table(table)  # before the name meets the file system
        return table in self._tables or (self.data_dir / f"{table}.json").exists()

    def _read(self, table: str, key: str) -> Doc | None:
        if not self._exists(table):
            doc = None
        else:
            db, index = self._open(table)
            doc_id = index.get(key)
            raw = db.table("docs").get(doc_id=doc_id) if doc_id is not None else None
            doc = self._public(raw) if raw is not None else None
        pending = self._pending.get((table, key))
        return merge_pending(doc, pending) if pending else doc

    # --- Store interface ------------------------------------------------------------------
    def get(self, table: str, key: str) -> Doc | None:
        with self._lock:
            return self._read(table, key)

    def put(self, table: str, key: str, doc: Doc) -> None:
        with self._lock:
            self._write(table, key, doc)
            self._pending.pop((table, key), None)  # after the write: a failed one leaves everything as it was

    def update(self, table: str, key: str, change: Change) -> Doc | None:
        with self._lock:
            current = self._read(table, key)  # with its buffered counters, which `new` replaces
            new = change(copy_doc(current) if current is not None else None)
            if new is not None or current is not None:
                self._write(table, key, new)
            self._pending.pop((table, key), None)
            return copy_doc(new)

    def insert_if_absent(self, table: str, key: str, doc: Doc) -> bool:
        with self._lock:
            if self._read(table, key) is not None:
                return False
            self._write(table, key, doc)
            return True

    def delete(self, table: str, key: str) -> bool:
        with self._lock:
            existed = self._read(table, key) is not None
            self._write(table, key, None)
            self._pending.pop((table, key), None)
            return existed

    def find(self, table: str, **equals) -> list[Doc]:
        with self._lock:
            found: dict[str, Doc] = {}
            matches = lambda doc: all(doc.get(f) == v for f, v in equals.items())  # noqa: E731
            if self._exists(table):
                db, _ = self._open(table)
                # The parsed documents as the storage holds them, read in place: copying (and
                # TinyDB's Document wrapping) only the ones that match keeps a find over a large
                # table (5,000 members) a filter, not 5,000 deep copies.
                for raw in (db.storage.read() or {}).get("docs", {}).values():
                    key = raw["_key"]
                    pending = self._pending.get((table, key))
                    if pending is not None:
                        found[key] = merge_pending(self._public(raw), pending)
                    elif matches(raw):
                        found[key] = self._public(raw)
                    else:
                        found[key] = None  # seen, and not wanted
            for (pending_table, key), pending in self._pending.items():
                if pending_table == table and key not in found:
                    found[key] = merge_pending(None, pending)
            return [doc for doc in found.values() if doc is not None and matches(doc)]

    def accumulate(self, table: str, key: str, add: dict[str, float] | None = None, latest: dict | None = None,
                   *, once: str | None = None) -> bool:
        check_table(table)  # now, not in the flusher thread where nobody would see it
        add, latest = counter_change(add, latest)  # likewise
        with self._lock:
            if once is not None:
                if not self._counted.add(once, self._now()):
                    return False
                self._unpersisted.setdefault(table, []).append(once)
            additions, latest_fields = self._pending.setdefault((table, key), ({}, {}))
            for name, amount in add.items():
                additions[name] = additions.get(name, 0) + amount
            latest_fields.update(latest)
            return True

    def flush(self) -> None:
        """Write the counted ids, then the buffered counters: one file write per table touched."""
        with self._lock:
            logged = self._persist_counted_ids()  # first (see the module docstring): never a bump counted twice
            pending, self._pending = self._pending, {}
            by_table: dict[str, list[tuple[str, tuple[dict, dict]]]] = {}
            for (table, key), change in pending.items():
                by_table.setdefault(table, []).append((key, change))
            # A table with logged ids is written even with no counter left (an `update` wrote them):
            # its flush number is what says those ids' counters are on disk.
            tables = list(by_table) + [table for table in logged if table not in by_table]
            failed: BaseException | None = None
            for table in tables:
                try:
                    self._apply_counters(table, dict(by_table.get(table, [])), self._flush_number if table in logged else None)
                except BaseException as error:  # this table's counters wait for the next flush; the others go on
                    for key, change in by_table.get(table, []):
                        self._pending[(table, key)] = change
                    if table in logged:  # logged again with the flush that writes them
                        self._unpersisted[table] = logged[table] + self._unpersisted.get(table, [])
                    failed = failed or error
            if failed is not None:
                raise failed

    def _persist_counted_ids(self) -> dict[str, list[str]]:
        """Append the ids bumped since the last flush under a new flush number; them, by table."""
        by_table, self._unpersisted = self._unpersisted, {}
        now = self._now()
        self._counted.expire(now)  # an idle bot releases its old ids too
        if not by_table:
            return {}
        try:
            self._counted_log.append([i for ids in by_table.values() for i in ids], now, n=self._flush_number + 1,
                                     tables={table: len(ids) for table, ids in by_table.items()})
        except BaseException:
            for table, ids in by_table.items():  # counters stay buffered too: both retried
                self._unpersisted[table] = ids + self._unpersisted.get(table, [])
            raise
        self._flush_number += 1
        return by_table

    def _apply_counters(self, table: str, changes: dict[str, tuple[dict, dict]], flush_number: int | None) -> None:
        """One pass over the table for all its buffered changes, and one file write, which also
        records `flush_number` (the flush whose logged ids these counters are) when given.

        TinyDB rebuilds the whole table on every update call, so updating key by key would cost
        (keys changed) x (table size) on every flush.
        """
        db, index = self._open(table)
        docs = db.table("docs")
        existing = {key: change for key, change in changes.items() if key in index}
        new = [{**(merge_pending(None, change) or {}), "_key": key} for key, change in changes.items() if key not in index]

        def add_changes(doc):
            merged = merge_pending(dict(doc), existing[doc["_key"]])
            doc.update(merged)
        db.storage.changed(*(index[key] for key in existing))
        try:
            with db.storage.deferred():
                if existing:
                    docs.update(add_changes, lambda doc: doc.get("_key") in existing)
                if new:
                    for doc, doc_id in zip(new, docs.insert_multiple(new)):
                        index[doc["_key"]] = doc_id
                if flush_number is not None:
                    marks = db.table(FLUSHED)
                    marks.truncate()
                    marks.insert({"n": flush_number})
        except BaseException:
            # Back to the file (a document may be bumped in memory already), and so the index.
            db.storage.reload()
            index.clear()
            index.update({doc["_key"]: doc.doc_id for doc in docs.all()})
            raise
        if flush_number is not None:
            self._flushed[table] = flush_number

    def _flush_periodically(self) -> None:
        while not self._closed.wait(self.flush_interval):
            try:
                self.flush()
            except Exception:  # a full disk must not kill the flusher; counters stay buffered
                log.exception("could not flush buffered counters; will retry")
            self.release_idle()

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        self._flusher.join(timeout=5)
        self.flush()
        with self._lock:
            for db, _ in self._tables.values():
                db.close()
            self._tables.clear()
            self._used.clear()


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _line(line: dict, kept: dict[str | None, list[str]]) -> dict:
    """A log line keeping only the `kept` tables' ids (as `CountedEventsLog.load` gives lines)."""
    if None in kept:
        return {"at": line["at"], "ids": kept[None]}
    return {"at": line["at"], "ids": [i for ids in kept.values() for i in ids], "n": line["n"],
            "tables": {table: len(ids) for table, ids in kept.items()}}
