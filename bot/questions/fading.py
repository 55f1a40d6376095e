"""How learned weights fade: a 90-day half-life, kept cheap by scaling to a fixed epoch.

A weight `w` learned at time `t` is worth `w · 0.5^((now − t) / half-life)` now. Stored as
`w · 2^((t − EPOCH) / half-life)` (its "scaled" value), it is worth `scaled · factor(now)`, with one
`factor` for every weight at a given moment. So adding to a faded weight is a plain addition (a
buffered counter does it), every learned weight of a group fades together without being rewritten,
and an index of scaled weights never needs recomputing as time passes. A double holds the scale for
about 250 years after the epoch.
"""
from __future__ import annotations

from datetime import datetime, timezone

from ..clock import parse_iso

HALF_LIFE_DAYS = 90.0
EPOCH = datetime(2025, 1, 1, tzinfo=timezone.utc)


def _half_lives(moment: datetime) -> float:
    return (moment - EPOCH).total_seconds() / 86400 / HALF_LIFE_DAYS


def scale(weight: float, at: datetime) -> float:
    """The scaled value of `weight` learned at `at`."""
    return weight * 2.0 ** _half_lives(at)


def factor(now: datetime) -> float:
    """What one scaled unit is worth at `now`."""
    return 2.0 ** -_half_lives(now)


def decayed(entry: list | None, now: datetime) -> float:
    """A `[weight, learned at (ISO), …]` entry (the experts' learned answers) as worth now."""
    if not entry:
        return 0.0
    age_days = (now - parse_iso(entry[1])).total_seconds() / 86400
    return entry[0] * 0.5 ** (max(age_days, 0) / HALF_LIFE_DAYS)
