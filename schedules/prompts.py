"""Conversation starters: once per group and ISO week, at the group's prompt day and time (that
day's grace); the quiet rule is checked at that one run, and a busy week is skipped (`bot.prompts`)."""
from __future__ import annotations

from . import Sweep, weekly_sweep


def sweeps(core) -> list[Sweep]:
    return [weekly_sweep(core, "prompts", core.prompts.post_week)]
