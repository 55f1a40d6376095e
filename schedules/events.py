"""Events, swept on every tick: each live event's reminders, follow-up thread and nudges fall due
at times of their own (the event's start, each attendee's time zone), so there is no weekly slot;
the done-records live in the event itself (`bot.events`)."""
from __future__ import annotations

from . import Sweep


def sweeps(core) -> list[Sweep]:
    return [Sweep("events", core.events.sweep)]
