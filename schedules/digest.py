"""The owners' weekly checklist: once per group and ISO week at the group's digest day and time
(that day's grace), and the "Remind me tomorrow" re-sends when they fall due."""
from __future__ import annotations

from bot.digest import SLOT

from . import Sweep, weekly_sweep


def sweeps(core) -> list[Sweep]:
    return [weekly_sweep(core, SLOT, core.digest.send_week),
            Sweep("owner_digest_resend", core.digest.resend_due)]
