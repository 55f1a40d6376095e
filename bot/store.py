"""The bot's storage: a small document interface (`Store`) and its TinyDB backend.

The core only sees `Store`: JSON documents addressed by (table, key), an atomic read-modify-write,
equality look-ups and buffered counters. Keys always start with the workspace (`team_id`), so a
shared database backend (PostgreSQL, for several workers) can implement the same few methods later
without touching the core.

Why the TinyDB backend looks the way it does (TinyDB 4.8/4.9 facts, measured on this machine kind):
- TinyDB is not thread-safe (Bolt listeners and APScheduler run on thread pools): one re-entrant
  lock guards every operation, reads included.
- It rewrites the whole file on every write, so each table is its own file and callers partition
  growing tables by period (`questions.2026-11`, `activity.2026-W48`); hot counters are buffered in
  memory and flushed every `flush_interval` seconds (the loss window on a crash).
- Its writes are not atomic: `AtomicJSONStorage` writes a temp file, fsyncs and renames it over the
  old one, so a crash leaves either the old or the new file, never half of one.
- It re-reads and re-parses the file on every read: this storage keeps the parsed data in memory
  (one process owns the data directory) and only reads the file once.
"""
from __future__ import annotations

import copy
import json
import logging
import os
import re
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Protocol

from tinydb import TinyDB
from tinydb.storages import Storage

log = logging.getLogger(__name__)

Doc = dict
Change = Callable[[Doc | None], Doc | None]


class StoreError(RuntimeError):
    """The data directory cannot be used as it is (corrupt or unreadable file)."""


class Store(Protocol):
    def get(self, table: str, key: str) -> Doc | None: ...
    def put(self, table: str, key: str, doc: Doc) -> None: ...
    def update(self, table: str, key: str, change: Change) -> Doc | None:
        """Atomically replace a document by `change(current)`; returning None deletes it."""
    def insert_if_absent(self, table: str, key: str, doc: Doc) -> bool:
        """Insert unless the key exists; True when inserted (idempotency claims use this)."""
    def delete(self, table: str, key: str) -> bool: ...
    def find(self, table: str, **equals) -> list[Doc]:
        """Documents whose top-level fields equal the given values (all of a table when none)."""
    def accumulate(self, table: str, key: str, add: dict[str, float] | None = None, latest: dict | None = None) -> None:
        """Buffered counter update: add to numeric fields, overwrite `latest` fields."""
    def tables(self, prefix: str = "") -> list[str]: ...
    def drop_table(self, table: str) -> None: ...
    def flush(self) -> None: ...
    def close(self) -> None: ...


class AtomicJSONStorage(Storage):
    """TinyDB storage: parsed once, kept in memory, written with temp file + fsync + rename."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._data: dict | None = None
        self._deferred = False
        self._dirty = False
        if self.path.exists():
            self._data = self._load()

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
            self._write_file(data)
        except BaseException:
            # Documents may have been changed in place by TinyDB: re-read the file next time.
            self._data = self._load() if self.path.exists() else None
            raise
        self._data = data

    def _write_file(self, data: dict) -> None:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        fd, temp_name = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as temp:
                temp.write(text)
                temp.flush()
                os.fsync(temp.fileno())
            os.replace(temp_name, self.path)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        _fsync_directory(self.path.parent)

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


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; not every platform allows opening a directory.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_TABLE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,120}$")


class TinyDBStore:
    """`Store` on TinyDB: one JSON file per table under `data_dir`."""

    def __init__(self, data_dir: str | Path, flush_interval: float = 5.0):
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.flush_interval = flush_interval
        self._lock = threading.RLock()
        self._tables: dict[str, tuple[TinyDB, dict[str, int]]] = {}
        self._pending: dict[tuple[str, str], tuple[dict, dict]] = {}
        self._closed = threading.Event()
        # Leftovers of a crash between temp write and rename: the real file is intact.
        for leftover in self.data_dir.glob(".*.tmp"):
            leftover.unlink(missing_ok=True)
        # Open every table now so a corrupt file stops the bot at start, naming the file.
        for path in sorted(self.data_dir.glob("*.json")):
            self._open(path.stem)
        self._flusher = threading.Thread(target=self._flush_periodically, name="store-flush", daemon=True)
        self._flusher.start()

    # --- table plumbing -------------------------------------------------------------------
    def _open(self, table: str) -> tuple[TinyDB, dict[str, int]]:
        opened = self._tables.get(table)
        if opened is None:
            if not _TABLE_NAME.match(table):
                raise ValueError(f"bad table name {table!r}")
            db = TinyDB(self.data_dir / f"{table}.json", storage=AtomicJSONStorage)
            index = {doc["_key"]: doc.doc_id for doc in db.table("docs").all()}
            opened = self._tables[table] = (db, index)
        return opened

    @staticmethod
    def _public(raw: dict) -> Doc:
        doc = copy.deepcopy(dict(raw))
        doc.pop("_key", None)
        return doc

    def _write(self, table: str, key: str, doc: Doc | None) -> None:
        db, index = self._open(table)
        docs = db.table("docs")
        doc_id = index.get(key)
        if doc is None:
            if doc_id is not None:
                docs.remove(doc_ids=[doc_id])
                del index[key]
            return
        stored = {**copy.deepcopy(doc), "_key": key}
        if doc_id is None:
            index[key] = docs.insert(stored)
        else:
            docs.update(lambda current: (current.clear(), current.update(stored)), doc_ids=[doc_id])

    def _read(self, table: str, key: str) -> Doc | None:
        if table not in self._tables and not (self.data_dir / f"{table}.json").exists():
            doc = None
        else:
            db, index = self._open(table)
            doc_id = index.get(key)
            raw = db.table("docs").get(doc_id=doc_id) if doc_id is not None else None
            doc = self._public(raw) if raw is not None else None
        pending = self._pending.get((table, key))
        return _merge_pending(doc, pending) if pending else doc

    # --- Store interface ------------------------------------------------------------------
    def get(self, table: str, key: str) -> Doc | None:
        with self._lock:
            return self._read(table, key)

    def put(self, table: str, key: str, doc: Doc) -> None:
        with self._lock:
            self._pending.pop((table, key), None)
            self._write(table, key, doc)

    def update(self, table: str, key: str, change: Change) -> Doc | None:
        with self._lock:
            current = self._read(table, key)
            self._pending.pop((table, key), None)
            new = change(copy.deepcopy(current) if current is not None else None)
            if new is not None or current is not None:
                self._write(table, key, new)
            return copy.deepcopy(new)

    def insert_if_absent(self, table: str, key: str, doc: Doc) -> bool:
        with self._lock:
            if self._read(table, key) is not None:
                return False
            self._write(table, key, doc)
            return True

    def delete(self, table: str, key: str) -> bool:
        with self._lock:
            existed = self._read(table, key) is not None
            self._pending.pop((table, key), None)
            self._write(table, key, None)
            return existed

    def find(self, table: str, **equals) -> list[Doc]:
        with self._lock:
            found: dict[str, Doc] = {}
            if table in self._tables or (self.data_dir / f"{table}.json").exists():
                db, _ = self._open(table)
                for raw in db.table("docs").all():
                    key = raw["_key"]
                    found[key] = _merge_pending(self._public(raw), self._pending.get((table, key)))
            for (pending_table, key), pending in self._pending.items():
                if pending_table == table and key not in found:
                    found[key] = _merge_pending(None, pending)
            return [doc for doc in found.values() if all(doc.get(f) == v for f, v in equals.items())]

    def accumulate(self, table: str, key: str, add: dict[str, float] | None = None, latest: dict | None = None, *, once=None) -> None:
        with self._lock:
            additions, latest_fields = self._pending.setdefault((table, key), ({}, {}))
            for name, amount in (add or {}).items():
                additions[name] = additions.get(name, 0) + amount
            latest_fields.update(latest or {})

    def flush(self) -> None:
        """Write buffered counters: one file write per table touched."""
        with self._lock:
            pending, self._pending = self._pending, {}
            by_table: dict[str, list[tuple[str, tuple[dict, dict]]]] = {}
            for (table, key), change in pending.items():
                by_table.setdefault(table, []).append((key, change))
            for table, changes in by_table.items():
                try:
                    self._apply_counters(table, dict(changes))
                except BaseException:
                    for key, change in changes:  # keep them for the next flush
                        self._pending.setdefault((table, key), change)
                    raise

    def _apply_counters(self, table: str, changes: dict[str, tuple[dict, dict]]) -> None:
        """One pass over the table for all its buffered changes, and one file write.

        TinyDB rebuilds the whole table on every update call, so updating key by key would cost
        (keys changed) x (table size) on every flush.
        """
        db, index = self._open(table)
        docs = db.table("docs")
        existing = {key: change for key, change in changes.items() if key in index}
        new = [{**(_merge_pending(None, change) or {}), "_key": key} for key, change in changes.items() if key not in index]

        def add_changes(doc):
            merged = _merge_pending(dict(doc), existing[doc["_key"]])
            doc.update(merged)
        with db.storage.deferred():
            if existing:
                docs.update(add_changes, lambda doc: doc.get("_key") in existing)
            if new:
                for doc, doc_id in zip(new, docs.insert_multiple(new)):
                    index[doc["_key"]] = doc_id

    def tables(self, prefix: str = "") -> list[str]:
        with self._lock:
            on_disk = {p.stem for p in self.data_dir.glob("*.json")}
            return sorted(name for name in on_disk | set(self._tables) if name.startswith(prefix))

    def drop_table(self, table: str) -> None:
        with self._lock:
            opened = self._tables.pop(table, None)
            if opened:
                opened[0].close()
            self._pending = {k: v for k, v in self._pending.items() if k[0] != table}
            (self.data_dir / f"{table}.json").unlink(missing_ok=True)

    def _flush_periodically(self) -> None:
        while not self._closed.wait(self.flush_interval):
            try:
                self.flush()
            except Exception:  # a full disk must not kill the flusher; counters stay buffered
                log.exception("could not flush buffered counters; will retry")

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


def _merge_pending(doc: Doc | None, pending: tuple[dict, dict] | None) -> Doc | None:
    if not pending:
        return doc
    additions, latest = pending
    merged = dict(doc or {})
    for name, amount in additions.items():
        merged[name] = merged.get(name, 0) + amount
    merged.update(copy.deepcopy(latest))
    return merged


def open_store(settings) -> TinyDBStore:
    return TinyDBStore(settings.data_dir, settings.counter_flush_seconds)
