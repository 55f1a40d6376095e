"""The escalation ladder and the resolve nudge, swept on every tick; stale questions, daily."""
from __future__ import annotations

from bot.periods import local_day, once_per_period

from . import Sweep


def sweeps(core) -> list[Sweep]:
    def ladder() -> None:
        core.questions.escalate_due()
        core.questions.nudge_due()

    def archive_stale() -> None:
        once_per_period(core.store, core.clock, "archive_stale_questions", local_day(core.clock.now()), core.questions.archive_stale)
    return [Sweep("question_ladder", ladder), Sweep("archive_stale_questions", archive_stale)]
