"""The followers' daily digests, swept on every tick: each person has their own day and hours."""
from __future__ import annotations

from . import Sweep


def sweeps(core) -> list[Sweep]:
    return [Sweep("audience_digests", core.audience.send_due)]
