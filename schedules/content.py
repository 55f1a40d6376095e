"""Fresh content: the daily reconciliation of each group's pins and bookmarks with Slack's lists,
on every tick, once per group and local day, paced under the list calls' rate tiers (`bot.content`)."""
from __future__ import annotations

from . import Sweep


def sweeps(core) -> list[Sweep]:
    return [Sweep("content_check", core.content.reconcile_due)]
