"""The dashboard's daily counts: once a local day per group, what waits for its owners (join
requests, flags, stale content), so the Home can show each count's change (`bot.home.counts`)."""
from __future__ import annotations

from . import Sweep


def sweeps(core) -> list[Sweep]:
    return [Sweep("home_counts", core.home.record_counts)]
