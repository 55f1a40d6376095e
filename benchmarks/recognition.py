"""Recognition benchmark: the weekly draft for a group of 5,000 members with a year of activity.

    python benchmarks/recognition.py [--members 5000] [--weeks 52] [--contributors 800]

Seeds a TinyDB store (the real backend, on disk) with a year of weekly activity and contribution
records for one group, then times the work the weekly sweep does for that group (the draft: read
this week's contributions, score, name the top five) and measures its peak memory with
tracemalloc. Target: well under a second per sweep. Not a timed test: it prints figures.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta, timezone

from bot.activity import ActivityService, activity_table, contributions_table, member_key
from bot.clock import FakeClock
from bot.groups import GroupService
from bot.periods import iso_week
from bot.ports import Person
from bot.recognition import RecognitionService
from bot.store import TinyDBStore

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=timezone.utc)


class Directory:
    def person(self, team_id, user_id):
        return Person(user_id)


class Messenger:
    def __init__(self):
        self.sent = []

    def send(self, post):
        self.sent.append(post)
        return True


def seed(store: TinyDBStore, members: int, weeks: int, contributors: int) -> None:
    rng = random.Random(7)
    for back in range(weeks):
        moment = NOW - timedelta(weeks=back)
        week = iso_week(moment, "Europe/Paris")
        for n in rng.sample(range(members), contributors):
            user = f"U{n:05d}"
            store.accumulate(contributions_table(week), member_key("T1", "C1", user),
                             add={"answers": rng.randint(0, 3), "welcomed": rng.randint(0, 2), "kudos": rng.randint(0, 5),
                                  "threads": rng.randint(0, 2), "topic:kubernetes": 1},
                             latest={"team_id": "T1", "channel_id": "C1", "user_id": user})
        for n in rng.sample(range(members), members // 3):
            user = f"U{n:05d}"
            store.accumulate(activity_table(moment), member_key("T1", "C1", user), add={"messages": rng.randint(1, 20)},
                             latest={"team_id": "T1", "channel_id": "C1", "user_id": user, "last_seen": moment.isoformat()})
        store.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--contributors", type=int, default=800, help="members who helped in a given week")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        store = TinyDBStore(data, flush_interval=3600)
        started = time.perf_counter()
        seed(store, args.members, args.weeks, args.contributors)
        seeding = time.perf_counter() - started
        store.close()
        store = TinyDBStore(data, flush_interval=3600)  # reopened, as after a restart: files parsed once
        clock = FakeClock(NOW)
        groups = GroupService(store, clock)
        group, _ = groups.create("T1", "C1", "UOWNER", timezone="Europe/Paris")
        recognition = RecognitionService(store, ActivityService(store, clock, Directory()), Directory(), Messenger())
        week = iso_week(NOW, "Europe/Paris")
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            draft = recognition.draft(group, week)
            times.append(time.perf_counter() - started)
        tracemalloc.start()
        recognition.draft(group, week)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        store.close()
    result = {"members": args.members, "weeks": args.weeks, "contributors_per_week": args.contributors,
              "seeding_s": round(seeding, 1), "draft_ms_median": round(statistics.median(times) * 1000, 1),
              "draft_ms_max": round(max(times) * 1000, 1), "draft_peak_memory_mb": round(peak / 1e6, 2),
              "named": len(draft), "target_ms": 1000, "passed": max(times) < 1.0}
    print(json.dumps(result, indent=2))
    raise SystemExit(0 if result["passed"] else 1)


if __name__ == "__main__":
    main()
