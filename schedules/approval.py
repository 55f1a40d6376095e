"""Join requests, swept on every tick: a request waiting three days is reminded to the owners once,
and a decision a crash cut short is finished (`bot.approval`). Each request has its own timing, so
there is no weekly slot; the pending table is small (waiting requests only), so a tick is cheap."""
from __future__ import annotations

from . import Sweep


def sweeps(core) -> list[Sweep]:
    return [Sweep("approval_requests", core.approval.sweep)]
