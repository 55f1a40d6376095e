"""Housekeeping: old done-records and old delivery failures, every ten minutes of the clock."""
from __future__ import annotations

from datetime import timedelta

from bot.clock import parse_iso
from bot.periods import ten_minutes

from bot.periods import JOB_RUNS, once_per_period

from . import Sweep

KEEP_JOB_RUNS = timedelta(days=35)  # longer than any period a job is keyed by (a week, a month)


def sweeps(core) -> list[Sweep]:
    def cleanup() -> None:
        oldest = core.clock.now() - KEEP_JOB_RUNS
        for record in core.store.find(JOB_RUNS):
            if parse_iso(record["started_at"]) < oldest:
                core.store.delete(JOB_RUNS, f"{record['job_id']}:{record['period']}")
        core.outbox.prune_failed()

    def run() -> None:
        once_per_period(core.store, core.clock, "housekeeping", ten_minutes(core.clock.now()), cleanup)
    return [Sweep("housekeeping", run)]
