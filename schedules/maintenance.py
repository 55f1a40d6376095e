"""Housekeeping jobs."""
from __future__ import annotations

from datetime import timedelta

from bot.clock import parse_iso
from bot.services import Services

from . import JOB_RUNS, Sweep, once_per_period, period_start

CLEANUP_EVERY = timedelta(minutes=10)
KEEP_JOB_RUNS = timedelta(days=35)  # longer than any period a job is keyed by (a week, a month)


def cleanup_processed_events(core: Services) -> Sweep:
    """Forget expired Slack event ids and old done-records, once per 10-minute period of the clock."""
    def cleanup() -> None:
        core.ledger.forget_expired()
        oldest = core.clock.now() - KEEP_JOB_RUNS
        for record in core.store.find(JOB_RUNS):
            if parse_iso(record["started_at"]) < oldest:
                core.store.delete(JOB_RUNS, f"{record['job_id']}:{record['period']}")

    def run() -> None:
        period = period_start(core.clock.now(), CLEANUP_EVERY)
        once_per_period(core.store, core.clock, "cleanup_processed_events", period, cleanup)
    return Sweep("cleanup_processed_events", run)
