"""What every store backend shares: the error, table names, buffered-counter merging, the `once` window."""
from __future__ import annotations

import copy
import json
import re
from collections import OrderedDict
from datetime import timedelta
from typing import Callable

Doc = dict
Change = Callable[[Doc | None], Doc | None]

# How long an event id passed as `accumulate(..., once=...)` is remembered. Slack retries an event
# after about 0 s, 1 min and 5 min; three times that covers slow deliveries and a restart between.
COUNT_ONCE_WINDOW = timedelta(minutes=15)

# Table names become file names in the TinyDB backend: no path separators, no leading dot.
_TABLE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,120}$")


class StoreError(RuntimeError):
    """The data directory cannot be used as it is (corrupt or unreadable file)."""


def check_table(table: str) -> None:
    """Every backend refuses the same names, so code tested on memory works on files."""
    if not isinstance(table, str) or not _TABLE_NAME.match(table):
        raise ValueError(f"bad table name {table!r}")


_SCALARS = frozenset({str, int, float, bool, type(None)})


def copy_doc(value):
    """A deep copy of a document: dicts, lists and scalars, as JSON holds them (`copy.deepcopy` for
    anything else). Three to five times faster than `copy.deepcopy`, which every read pays: a sweep
    over 5,000 members reads 15,000 documents."""
    kind = type(value)
    if kind is dict:
        return {key: item if type(item) in _SCALARS else copy_doc(item) for key, item in value.items()}
    if kind is list:
        return [item if type(item) in _SCALARS else copy_doc(item) for item in value]
    if kind in _SCALARS:
        return value
    return copy.deepcopy(value)


def merge_pending(doc: Doc | None, pending: tuple[dict, dict] | None) -> Doc | None:
    """A document as it will be once its buffered (additions, latest fields) are applied."""
    if not pending:
        return doc
    additions, latest = pending
    merged = dict(doc or {})
    for name, amount in additions.items():
        merged[name] = merged.get(name, 0) + amount
    merged.update(copy_doc(latest))
    return merged


def json_copy(doc: Doc) -> Doc:
    """A deep copy that is also what a JSON file gives back (tuples become lists, keys strings);
    TypeError for what JSON cannot hold, before anything is stored."""
    return json.loads(json.dumps(doc, ensure_ascii=False))


def counter_change(add: dict | None, latest: dict | None) -> tuple[dict, dict]:
    """A buffered counter change, checked and copied when it is made: a number that is not one, or
    a field JSON cannot hold, raises TypeError for the caller to see, instead of failing every
    later flush. Cheap on the hot path: scalar fields are taken as they are."""
    for name, amount in (add or {}).items():
        if type(amount) not in (int, float):
            raise TypeError(f"counter {name!r} must be added a number, not {amount!r}")
    return dict(add or {}), {name: value if type(value) in _SCALARS else json_copy(value)
                             for name, value in (latest or {}).items()}


class CountedIds:
    """Event ids counted within the last `window` seconds.

    O(1) per id on the hot path: a dict look-up, and expiry pops from the old end of an insertion-
    ordered dict (ids arrive in time order), so each id is removed once and memory holds one window.
    """

    def __init__(self, window: float):
        self.window = window
        self._at: OrderedDict[str, float] = OrderedDict()  # OrderedDict: O(1) access to the oldest

    def add(self, event_id: str, at: float) -> bool:
        """Remember `event_id` as counted at `at`; False when it already was, within the window."""
        self.expire(at)
        if event_id in self._at:
            return False
        self._at[event_id] = at
        return True

    def expire(self, now: float) -> None:
        cutoff = now - self.window
        while self._at:
            oldest = next(iter(self._at))
            if self._at[oldest] > cutoff:
                break
            del self._at[oldest]

    def __len__(self) -> int:
        return len(self._at)
