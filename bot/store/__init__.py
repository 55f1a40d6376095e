"""The bot's storage: a small document interface (`Store`) and its backends.

The core only sees `Store`: JSON documents addressed by (table, key), an atomic read-modify-write,
equality look-ups and buffered counters. Keys always start with the workspace (`team_id`), so a
shared database backend (PostgreSQL, for several workers) can implement the same few methods later
without touching the core. Backends: `TinyDBStore` (files, the default) and `MemoryStore` (tests,
trying the bot out); `tests/test_store_contract.py` holds both to the same behaviour.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

from .base import COUNT_ONCE_WINDOW, Change, Doc, StoreError
from .memory import MemoryStore
from .tinydb import AtomicJSONStorage, TinyDBStore

if TYPE_CHECKING:
    from ..settings import Settings

__all__ = ["COUNT_ONCE_WINDOW", "AtomicJSONStorage", "Change", "Doc", "MemoryStore", "Store", "StoreError",
           "TinyDBStore", "open_store"]

log = logging.getLogger(__name__)


class Store(Protocol):
    def get(self, table: str, key: str) -> Doc | None:
        """A copy of the document, buffered counters included; None when absent."""
    def put(self, table: str, key: str, doc: Doc) -> None:
        """Store a copy of `doc`, replacing the document and its buffered counters."""
    def update(self, table: str, key: str, change: Change) -> Doc | None:
        """Atomically replace a document by `change(current)`; returning None deletes it."""
    def insert_if_absent(self, table: str, key: str, doc: Doc) -> bool:
        """Insert unless the key exists; True when inserted (idempotency claims use this)."""
    def delete(self, table: str, key: str) -> bool:
        """True when there was a document to delete."""
    def find(self, table: str, **equals) -> list[Doc]:
        """Documents whose top-level fields equal the given values (all of a table when none), in no set order."""
    def accumulate(self, table: str, key: str, add: dict[str, float] | None = None, latest: dict | None = None,
                   *, once: str | None = None) -> bool:
        """Buffered counter update: add to numeric fields, overwrite `latest` fields.

        `once` is an event id: a bump whose id was already counted within `COUNT_ONCE_WINDOW` is
        ignored (False is returned), also after a restart, so a redelivered event counts once. An id
        counts once per store whatever the counter (a retry landing in next week's table too); an
        event bumping two counters passes two ids. Costs O(1), whatever the history.
        """
    def flush(self) -> None:
        """Write buffered counters now (they are also written every few seconds)."""
    def close(self) -> None:
        """Flush and release the files; the store is not used afterwards."""


def open_store(settings: Settings) -> Store:
    """The backend `STORE_BACKEND` names (validated by `bot.settings`)."""
    if settings.store_backend == "tinydb":
        return TinyDBStore(settings.data_dir, settings.counter_flush_seconds)
    if settings.store_backend == "memory":
        log.warning("STORE_BACKEND=memory: nothing the bot learns is kept after it stops")
        return MemoryStore()
    raise ValueError(f"unknown store backend {settings.store_backend!r}")
