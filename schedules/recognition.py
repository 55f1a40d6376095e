"""Weekly recognition: once per group and ISO week, at the group's day and time (that day's grace)."""
from __future__ import annotations

from . import Sweep, weekly_sweep


def sweeps(core) -> list[Sweep]:
    return [weekly_sweep(core, "recognition", core.recognition.post_week)]
