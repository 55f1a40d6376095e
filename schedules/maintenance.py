"""Housekeeping jobs."""
from __future__ import annotations

from datetime import timedelta

from bot.services import Services

from . import Sweep, once_per_period, period_start

CLEANUP_EVERY = timedelta(minutes=10)


def cleanup_processed_events(core: Services) -> Sweep:
    """Forget expired Slack event ids, once per 10-minute period of the clock."""
    def run() -> None:
        period = period_start(core.clock.now(), CLEANUP_EVERY)
        once_per_period(core.store, core.clock, "cleanup_processed_events", period, core.ledger.forget_expired)
    return Sweep("cleanup_processed_events", run)
