"""Dashboard and report benchmark: a group of 5,000 members with a year of history.

    python benchmarks/dashboard.py                  # 5,000 members, a year; figures printed and saved
    python benchmarks/dashboard.py --members 20000  # a bigger group

The store is a real TinyDB data directory, written as files first (as a year of running would have
left it) and then opened by `TinyDBStore` as the bot opens it:
  - the group C1 with 5,000 members who joined over the year (10 % of them gone again), 500 more
    from before the set-up known only from their activity, and a neighbour group C2 sharing the
    tables;
  - a year of activity, simulated day by day (a tenth of the members active most days, a third now
    and then, the rest rarely), recorded as the bot records it: the per-day documents of
    `bot.activity.daily` (first activity of the day by gap, kudos, each question's state, the
    weekly thanks), the last-activity and weekly activity tables;
  - 55 questions a day (20,000 in the year: 80 % answered, 60 % resolved), archived by month as
    `bot.questions` archives them, and a year of weekly contribution records (800 people a week).
The numbers read back are checked against the simulation itself (sets of who was active, the
questions' own times), so the per-day counting is verified at this size too.

Timed, with `time.perf_counter` (the median and the slowest of `--runs`):
  - the dashboard's numbers: `MetricsService.overview` (the last 7 days against the 7 before,
    30-day activity, questions still open and the oldest), as a first read (the member records
    read too) and as a read with nothing changed in them since the last one;
  - the report: `ReportService.report` for 4 weeks (numbers and trends, success stories with
    their links, newcomers who became contributors);
  - the export: `MetricsService.weeks` for 52 weeks, and the CSV text (`ReportService.csv`);
  - the extra memory the dashboard read allocates at its peak (`tracemalloc`, a separate run).
The target: each well under a second (< 1 s).
"""
from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.activity import LAST_ACTIVE, MEMBERS, activity_table, contributions_table, member_key  # noqa: E402
from bot.activity.daily import GAP_CAP, QuestionState, daily_key, daily_table  # noqa: E402
from bot.audit import AuditLog  # noqa: E402
from bot.clock import FakeClock, utc_iso  # noqa: E402
from bot.groups import Group, GroupService, group_key  # noqa: E402
from bot.ports import Person  # noqa: E402
from bot.questions import archive_table, question_key  # noqa: E402
from bot.recognition import RecognitionService  # noqa: E402
from bot.activity import ActivityService  # noqa: E402
from bot.report import ReportService  # noqa: E402
from bot.report.metrics import MetricsService, midnight  # noqa: E402
from bot.store import TinyDBStore  # noqa: E402
from bot.worktime import zone  # noqa: E402

TEAM, TZ = "T1", "Europe/Paris"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)  # a Monday, 11:00 in Paris
TODAY = NOW.astimezone(zone(TZ)).date()
RESULTS = REPO / "benchmarks" / "results" / "dashboard-latest.json"
TARGET_SECONDS = 1.0
TOPICS = ["kubernetes", "helm", "terraform", "python", "postgres", "billing", "ci", "docker", "react", "security"]


def user_id(n: int) -> str:
    return f"U{n:06d}"


def write_table(data_dir: Path, table: str, docs: dict[str, dict]) -> None:
    """The TinyDB file `TinyDBStore` reads: {"docs": {"1": {...doc, "_key": key}, ...}}."""
    payload = {"docs": {str(i): {**doc, "_key": key} for i, (key, doc) in enumerate(docs.items(), 1)}}
    (data_dir / f"{table}.json").write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def at_local(day: date, hour: float) -> datetime:
    return midnight(day, TZ) + timedelta(hours=hour)


class Truth:
    """What the simulation did, to check the numbers read back: who was active on which day, and
    each question's times."""

    def __init__(self):
        self.active: dict[date, set[int]] = {}
        self.questions: list[tuple[float, float | None, float | None]] = []  # asked, answered, resolved (epoch s)

    def distinct(self, first: date, end: date) -> int:
        found: set[int] = set()
        day = first
        while day < end:
            found |= self.active.get(day, set())
            day += timedelta(days=1)
        return len(found)


def seed(data_dir: Path, members: int, days: int, per_day: int, rng: random.Random) -> tuple[dict, Truth]:
    truth = Truth()
    first_day = TODAY - timedelta(days=days)
    created = at_local(first_day, 9)
    write_table(data_dir, "groups", {group_key(TEAM, c): dict(Group(
        TEAM, c, [user_id(1), user_id(2)], settings={"timezone": TZ}, created_by=user_id(1),
        created_at=utc_iso(created)).__dict__) for c in ("C1", "C2")})
    # Members: joined over the period (10 % left again), and 500 from before the set-up (no join record).
    old_timers = 500
    joined, left = {}, {}
    member_docs = {}
    for n in range(1, members + old_timers + 1):
        if n > members:
            joined[n] = first_day
            continue
        joined[n] = first_day + timedelta(days=rng.randrange(days))
        gone = rng.random() < 0.10
        join_at = at_local(joined[n], rng.uniform(8, 20))
        doc = {"team_id": TEAM, "channel_id": "C1", "user_id": user_id(n), "status": "member",
               "joined_at": utc_iso(join_at), "welcomed_at": utc_iso(join_at), "left_at": None}
        if gone:
            left[n] = joined[n] + timedelta(days=rng.randrange(1, 120))
            doc.update(status="left", left_at=utc_iso(at_local(left[n], 12)))
        member_docs[member_key(TEAM, "C1", user_id(n))] = doc
    for n in range(1, members // 5 + 1):  # the neighbour group shares the table
        member_docs[member_key(TEAM, "C2", user_id(n))] = {"team_id": TEAM, "channel_id": "C2", "user_id": user_id(n),
                                                           "status": "member", "joined_at": utc_iso(created),
                                                           "welcomed_at": utc_iso(created), "left_at": None}
    write_table(data_dir, MEMBERS, member_docs)
    # A year of activity, day by day: a tenth of the members active most days, a third now and then.
    rate = {n: 0.5 if n % 10 == 0 else 0.08 if n % 3 == 0 else 0.01 for n in joined}
    last: dict[int, date] = {}
    daily: dict[str, dict[str, dict]] = {}
    weekly: dict[str, dict[str, dict]] = {}
    ts = iter(range(10**9))
    people = list(joined)
    for offset in range(days + 1):
        day = first_day + timedelta(days=offset)
        doc = {"team_id": TEAM, "channel_id": "C1", "day": day.isoformat()}
        active = {n for n, p in rate.items() if joined[n] <= day and (n not in left or day < left[n]) and rng.random() < p}
        if day == TODAY:  # today is not over: the morning's share of it
            active = {n for n in active if rng.random() < 0.3}
        truth.active[day] = active
        for n in active:
            gap = GAP_CAP if n not in last else min((day - last[n]).days, GAP_CAP)
            doc[f"seen:{gap}"] = doc.get(f"seen:{gap}", 0) + 1
            last[n] = day
            week_table = activity_table(at_local(day, 12))
            entry = weekly.setdefault(week_table, {}).setdefault(member_key(TEAM, "C1", user_id(n)), {
                "team_id": TEAM, "channel_id": "C1", "user_id": user_id(n), "messages": 0})
            entry["messages"] += 1
        doc["kudos"] = rng.randint(0, 60)
        if day.weekday() == 4:
            year, week, _ = day.isocalendar()
            doc[f"thanked:{year}-W{week:02d}"] = 5
        askers = list(active) or people
        archive = daily.setdefault(archive_table(at_local(day, 12).astimezone(timezone.utc)), {})
        for _ in range(per_day if day < TODAY else per_day // 4):
            asked_at = at_local(day, rng.uniform(7, 11) if day == TODAY else rng.uniform(7, 22))
            answer = rng.lognormvariate(8, 1.2) if rng.random() < 0.8 else None  # a median of about 50 min
            resolve = (answer or 0) + rng.uniform(600, 86400) if rng.random() < 0.6 else None
            if asked_at + timedelta(seconds=answer or 0) > NOW:
                answer = None
            if asked_at + timedelta(seconds=resolve or 0) > NOW:
                resolve = None
            q_ts = f"{asked_at.timestamp():.0f}.{next(ts):06d}"
            asker = rng.choice(askers)
            helpers = rng.randint(1, 4) if answer else 0
            answered_by = 1 if resolve and answer else 0
            state = QuestionState(int(asked_at.timestamp()), None if answer is None else int(answer),
                                  None if resolve is None else int(resolve), helpers, answered_by)
            doc[f"q:{q_ts}"] = state.encode()
            truth.questions.append((asked_at.timestamp(), None if answer is None else asked_at.timestamp() + int(answer),
                                    None if resolve is None else asked_at.timestamp() + int(resolve)))
            text = f"How do I configure {rng.choice(TOPICS)} for {rng.choice(TOPICS)} in staging?"
            key = question_key(TEAM, "C1", q_ts)
            replies = {f"{q_ts}.{k}": user_id(rng.randint(1, members)) for k in range(helpers)}
            archive[key] = {"key": key, "team_id": TEAM, "channel_id": "C1", "ts": q_ts, "asker": user_id(asker),
                            "text": text, "summary": text, "asked_at": utc_iso(asked_at),
                            "status": "resolved" if resolve else "answered" if answer else "stale", "replies": replies,
                            "first_replier": next(iter(replies.values()), None), "answer_seconds": state.answer,
                            "answerer": next(iter(replies.values()), None) if resolve else None,
                            "resolved_at": utc_iso(asked_at + timedelta(seconds=resolve)) if resolve else None}
        daily.setdefault(daily_table(day), {})[daily_key(TEAM, "C1", day)] = doc
    for table, docs in daily.items():
        write_table(data_dir, table, docs)
    for table, docs in weekly.items():
        write_table(data_dir, table, docs)
    write_table(data_dir, LAST_ACTIVE, {member_key(TEAM, "C1", user_id(n)): {
        "team_id": TEAM, "channel_id": "C1", "user_id": user_id(n), "at": utc_iso(at_local(day, 12))} for n, day in last.items()})
    # A year of contribution records: 800 people a week helped.
    monday = first_day - timedelta(days=first_day.weekday())
    while monday <= TODAY:
        year, week, _ = monday.isocalendar()
        write_table(data_dir, contributions_table(f"{year}-W{week:02d}"), {
            member_key(TEAM, "C1", user_id(n)): {"team_id": TEAM, "channel_id": "C1", "user_id": user_id(n),
                                                 "answers": rng.randint(0, 3), "welcomed": rng.randint(0, 2),
                                                 "kudos": rng.randint(0, 5), "threads": rng.randint(0, 2),
                                                 f"topic:{rng.choice(TOPICS)}": 1}
            for n in rng.sample(range(1, members + 1), min(800, members))})
        monday += timedelta(weeks=1)
    return {"members": members, "known_from_activity_only": old_timers, "days": days + 1,
            "questions": len(truth.questions), "data_dir_bytes": sum(p.stat().st_size for p in data_dir.glob("*.json")),
            "files": len(list(data_dir.glob("*.json")))}, truth


class Directory:
    def person(self, team_id, user_id):
        return Person(user_id, timezone=TZ)

    def permalink(self, team_id, channel_id, message_id):
        return f"https://example.slack.com/archives/{channel_id}/p{message_id.replace('.', '')}"


class Messenger:
    def send(self, post):
        return True


def timed(work, runs: int) -> tuple[object, list[float]]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return result, times


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def check(metrics: MetricsService, group, truth: Truth) -> dict:
    """The numbers read back against the simulation's own record."""
    overview = metrics.overview(group, 7)
    end = TODAY + timedelta(days=1)
    expected = {"active_7": truth.distinct(end - timedelta(days=7), end),
                "active_7_before": truth.distinct(end - timedelta(days=14), end - timedelta(days=7)),
                "active_30": truth.distinct(end - timedelta(days=30), end)}
    low, high = midnight(end - timedelta(days=7), TZ).timestamp(), midnight(end, TZ).timestamp()
    window = [q for q in truth.questions if low <= q[0] < high]
    expected["asked_7"] = len(window)
    expected["answered_7"] = sum(1 for q in window if q[1] is not None and q[1] < high)
    found = {"active_7": overview.current.active, "active_7_before": overview.previous.active,
             "active_30": overview.active_month, "asked_7": overview.current.asked, "answered_7": overview.current.answered}
    if found != expected:
        raise SystemExit(f"the numbers read back differ from the simulation: {found} != {expected}")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--questions-per-day", type=int, default=55)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", type=Path, default=RESULTS)
    args = parser.parse_args()
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        started = time.perf_counter()
        sizes, truth = seed(data, args.members, args.days, args.questions_per_day, rng)
        seeding = time.perf_counter() - started
        started = time.perf_counter()
        store = TinyDBStore(data, flush_interval=3600)  # opened as the bot opens it: every file parsed once
        opening = time.perf_counter() - started
        clock = FakeClock(NOW)
        group = GroupService(store, clock).get(TEAM, "C1")
        metrics = MetricsService(store, clock)
        activity = ActivityService(store, clock, Directory())
        recognition = RecognitionService(store, activity, Directory(), Messenger())
        report = ReportService(store, clock, metrics, recognition, Directory(), Messenger(), None, AuditLog(store, clock))
        checked = check(metrics, group, truth)
        _, cold_times = timed(lambda: MetricsService(store, clock).overview(group, 7), args.runs)  # members read each time
        overview, dashboard_times = timed(lambda: metrics.overview(group, 7), args.runs)
        text, report_times = timed(lambda: report.report(group, 4), args.runs)
        weeks, weeks_times = timed(lambda: metrics.weeks(group, 52), args.runs)
        csv_text, csv_times = timed(lambda: report.csv(group, 52), max(1, args.runs // 4))
        tracemalloc.start()
        metrics.overview(group, 7)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        tracemalloc.start()
        kept = metrics.membership(group).__class__(store, group)  # what a group's member records cost to keep read
        kept_bytes, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del kept
        store.close()
    result = {
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "store": sizes, "seeding_s": round(seeding, 1), "store_open_s": round(opening, 2), "checked": checked,
        "dashboard_ms_median": ms(statistics.median(dashboard_times)), "dashboard_ms_max": ms(max(dashboard_times)),
        "dashboard_first_read_ms_median": ms(statistics.median(cold_times)), "dashboard_first_read_ms_max": ms(max(cold_times)),
        "dashboard_peak_memory_mib": round(peak / 2**20, 2), "member_records_kept_mib": round(kept_bytes / 2**20, 2),
        "report_4_weeks_ms_median": ms(statistics.median(report_times)), "report_4_weeks_ms_max": ms(max(report_times)),
        "weeks_52_ms_median": ms(statistics.median(weeks_times)), "weeks_52_ms_max": ms(max(weeks_times)),
        "csv_52_weeks_ms_median": ms(statistics.median(csv_times)), "csv_52_weeks_ms_max": ms(max(csv_times)),
        "overview": {"members": overview.current.members, "active_7": overview.current.active,
                     "active_30": overview.active_month, "asked_7": overview.current.asked,
                     "open_now": overview.open_now, "weeks_in_export": len(weeks), "csv_bytes": len(csv_text),
                     "report_parts": len(text)},
        "target_ms": TARGET_SECONDS * 1000,
    }
    result["passed"] = max(cold_times + dashboard_times + report_times + weeks_times + csv_times) < TARGET_SECONDS
    print(json.dumps(result, indent=2))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
