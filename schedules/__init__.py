"""Scheduled community work on one APScheduler 3 `BackgroundScheduler`.

Every job is a *sweep*: APScheduler calls it on a short real-time tick, and the job asks the
injectable clock what is due and the store what was already done. So:
- the store is the source of truth: a restarted bot rebuilds the same jobs (stable ids,
  `replace_existing`) and finds due work where it left it, nothing lives only in the job store;
- tests and the local workspace fast-forward by moving the clock, not by waiting;
- a durable done-record per job, group and calendar period (`bot.periods.once_per_period`, in
  the group's time zone) makes a run idempotent: a restart, a misfire catch-up or
  an overlapping run never posts twice.
Jobs receive the core (`bot.assembly.Core`) and post only through its Messenger.
APScheduler 3 must never share a job store between processes: one scheduler per deployment.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.periods import due_this_week, iso_week, once_per_period

log = logging.getLogger(__name__)
# APScheduler logs two INFO lines per job and tick (tens of thousands a day): keep its warnings only.
logging.getLogger("apscheduler").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Sweep:
    job_id: str
    run: Callable[[], object]


def weekly_sweep(core, slot: str, work: Callable[[object, str], object]) -> Sweep:
    """A sweep running `work(group, week)` once per group and ISO week (in the group's time zone),
    from the group's set day and time for `slot` until the end of that local day (the grace: a bot
    down at the time catches up the same day, and skips the week after that)."""
    def run() -> None:
        now = core.clock.now()
        for group in core.groups.all():
            on, day, at = group.slot(slot, now)
            tz = group.config["timezone"]
            if on and due_this_week(now, tz, day, at):
                week = iso_week(now, tz)
                once_per_period(core.store, core.clock, slot, f"{group.key}:{week}", lambda: work(group, week))
    return Sweep(slot, run)


class StewardScheduler:
    def __init__(self, sweeps: list[Sweep], tick_seconds: float):
        self.sweeps = sweeps
        self.tick_seconds = tick_seconds
        self.scheduler = BackgroundScheduler(
            timezone=timezone.utc,
            job_defaults={
                "coalesce": True,  # many missed ticks → one run
                "max_instances": 1,  # a slow sweep is never overlapped by the next tick
                "misfire_grace_time": 3600,  # the default (1 s) silently drops runs when busy
            },
        )

    def start(self) -> None:
        for sweep in self.sweeps:
            self.scheduler.add_job(
                self._guarded(sweep), IntervalTrigger(seconds=self.tick_seconds, timezone=timezone.utc),
                id=sweep.job_id, name=sweep.job_id, replace_existing=True,
                next_run_time=datetime.now(timezone.utc),  # catch up on due work right at start
            )
        self.scheduler.start()

    @staticmethod
    def _guarded(sweep: Sweep) -> Callable[[], None]:
        def run() -> None:
            try:
                sweep.run()
            except Exception:  # one failing run must not stop the next ticks
                log.exception("scheduled job %s failed; it will run again at the next tick", sweep.job_id)
        return run

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
