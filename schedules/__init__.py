"""Scheduled community work on one APScheduler 3 `BackgroundScheduler`.

Every job is a *sweep*: APScheduler calls it on a short real-time tick, and the job asks the
injectable clock what is due and the store what was already done. So:
- the store is the source of truth: a restarted bot rebuilds the same jobs (stable ids,
  `replace_existing`) and finds due work where it left it, nothing lives only in the job store;
- tests and the local workspace fast-forward by moving the clock, not by waiting;
- a durable done-record per job and period (`once_per_period`) makes a run idempotent, so a
  restart, a misfire catch-up or an overlapping run never posts twice.
APScheduler 3 must never share a job store between processes: one scheduler per deployment.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock, utc_iso
from bot.store import Store

log = logging.getLogger(__name__)
JOB_RUNS = "job_runs"


@dataclass(frozen=True)
class Sweep:
    job_id: str
    run: Callable[[], object]


def once_per_period(store: Store, clock: Clock, job_id: str, period_key: str, work: Callable[[], object]) -> bool:
    """Run `work` unless a run of `job_id` for `period_key` is recorded; True when it ran.

    The record is written before the work (at most once): after a crash mid-run the period is
    skipped rather than its posts repeated.
    """
    record = {"job_id": job_id, "period": period_key, "started_at": utc_iso(clock.now())}
    if not store.insert_if_absent(JOB_RUNS, f"{job_id}:{period_key}", record):
        return False
    work()
    return True


def period_start(moment: datetime, length: timedelta) -> str:
    """The key of the fixed-length period (aligned on the Unix epoch) holding `moment`."""
    seconds = int(moment.timestamp()) // int(length.total_seconds()) * int(length.total_seconds())
    return utc_iso(datetime.fromtimestamp(seconds, tz=timezone.utc))


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

    def job_ids(self) -> list[str]:
        return sorted(job.id for job in self.scheduler.get_jobs())
