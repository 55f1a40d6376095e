"""The scheduler base: stable jobs rebuilt at start, clock-driven, idempotent per period."""
import threading
from datetime import timedelta

from bot.clock import FakeClock
from bot.store import TinyDBStore
from bot.periods import JOB_RUNS, once_per_period


def cleanup_runs(ws):
    return [r for r in ws.core.store.find(JOB_RUNS) if r["job_id"] == "housekeeping"]


def test_jobs_have_stable_ids_utc_and_a_real_misfire_grace(workspace):
    job = workspace.steward.scheduler.scheduler.get_job("housekeeping")
    assert job is not None and job.coalesce is True and job.misfire_grace_time >= 600 and job.max_instances == 1
    assert str(job.trigger.timezone) == "UTC"


def test_restart_with_due_work_runs_it_exactly_once(workspace):
    workspace.settle()
    period = cleanup_runs(workspace)[-1]["period"]
    workspace.restart()  # a restart in the same period must not run it again
    workspace.settle()
    assert [r["period"] for r in cleanup_runs(workspace)].count(period) == 1
    workspace.stop()
    workspace.clock.advance(minutes=10)  # the next period passed while the bot was down
    workspace.start()
    workspace.settle()
    assert len(cleanup_runs(workspace)) == 2


def test_the_cleanup_follows_the_clock_not_the_wall(workspace):
    workspace.settle()
    first = len(cleanup_runs(workspace))
    workspace.settle()
    assert len(cleanup_runs(workspace)) == first  # same 10-minute period: nothing new
    workspace.advance(minutes=10)
    assert len(cleanup_runs(workspace)) == first + 1


def test_once_per_period_runs_once_under_concurrency(tmp_path):
    store = TinyDBStore(tmp_path, flush_interval=60)
    clock = FakeClock()
    ran = []
    barrier = threading.Barrier(8)

    def contender():
        barrier.wait()
        once_per_period(store, clock, "weekly_digest", "T1:C1:2026-W48", lambda: ran.append(1))
    threads = [threading.Thread(target=contender) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ran == [1]
    store.close()


def test_a_failing_sweep_does_not_stop_the_next_ticks(workspace, monkeypatch):
    calls = []

    def flaky():
        calls.append(1)
        raise RuntimeError("boom")
    monkeypatch.setattr(workspace.core.outbox, "prune_failed", flaky)
    workspace.advance(minutes=10)
    workspace.advance(minutes=10)
    assert len(calls) >= 2


def test_old_done_records_are_pruned(workspace):
    workspace.settle()
    [first_period] = [r["period"] for r in cleanup_runs(workspace)]
    workspace.advance(days=36)
    assert first_period not in [r["period"] for r in cleanup_runs(workspace)]
