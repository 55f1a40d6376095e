"""Visit reminders, swept on every tick: each member has their own timing (their last activity,
their last reminder, their working hours), so there is no weekly slot to wait for."""
from __future__ import annotations

from . import Sweep


def sweeps(core) -> list[Sweep]:
    return [Sweep("visit_reminders", core.reminders.sweep)]
