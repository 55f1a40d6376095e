"""The in-memory backend of `Store`: same semantics as the TinyDB one, nothing kept after a restart.

For tests and trying the bot out (`STORE_BACKEND=memory`). The contract suite runs on both
backends, so what passes here behaves the same on files. Documents are copied in through JSON,
so a document TinyDB could not save is refused here too (TypeError), and copied out, so callers
never share state with the store. Counters are applied at once rather than buffered: there is no
file to spare, and what callers see (get and find include them, put and delete replace them) is
exactly what the buffered TinyDB backend shows before and after its flush.
"""
from __future__ import annotations

import threading
import time
from typing import Callable

from .base import COUNT_ONCE_WINDOW, Change, CountedIds, Doc, check_table, copy_doc, counter_change, json_copy, merge_pending


class MemoryStore:
    def __init__(self, *, now: Callable[[], float] = time.time):
        self._now = now
        self._lock = threading.RLock()  # re-entrant like TinyDBStore's: a `change` may read the store
        self._tables: dict[str, dict[str, Doc]] = {}
        self._counted = CountedIds(COUNT_ONCE_WINDOW.total_seconds())

    def get(self, table: str, key: str) -> Doc | None:
        check_table(table)
        with self._lock:
            return copy_doc(self._tables.get(table, {}).get(key))

    def put(self, table: str, key: str, doc: Doc) -> None:
        check_table(table)
        stored = json_copy(doc)
        with self._lock:
            self._tables.setdefault(table, {})[key] = stored

    def update(self, table: str, key: str, change: Change) -> Doc | None:
        check_table(table)
        with self._lock:
            docs = self._tables.setdefault(table, {})
            new = change(copy_doc(docs.get(key)))
            if new is None:
                docs.pop(key, None)
                return None
            docs[key] = json_copy(new)
            return copy_doc(docs[key])

    def insert_if_absent(self, table: str, key: str, doc: Doc) -> bool:
        check_table(table)
        stored = json_copy(doc)
        with self._lock:
            docs = self._tables.setdefault(table, {})
            if key in docs:
                return False
            docs[key] = stored
            return True

    def delete(self, table: str, key: str) -> bool:
        check_table(table)
        with self._lock:
            return self._tables.get(table, {}).pop(key, None) is not None

    def find(self, table: str, **equals) -> list[Doc]:
        check_table(table)
        with self._lock:
            return [copy_doc(doc) for doc in self._tables.get(table, {}).values()
                    if all(doc.get(field) == value for field, value in equals.items())]

    def accumulate(self, table: str, key: str, add: dict[str, float] | None = None, latest: dict | None = None,
                   *, once: str | None = None) -> bool:
        check_table(table)
        with self._lock:
            change = counter_change(add, latest)  # before the id is taken: a refused bump counts nothing
            if once is not None and not self._counted.add(once, self._now()):
                return False
            docs = self._tables.setdefault(table, {})
            docs[key] = merge_pending(docs.get(key), change)
            return True

    def flush(self) -> None:
        with self._lock:
            self._counted.expire(self._now())  # an idle store releases its old ids too

    def close(self) -> None:
        self.flush()

