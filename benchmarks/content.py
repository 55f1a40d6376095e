"""Fresh content benchmark: the daily check over 500 groups, and the reads the dashboard and the
checklist make.

    python benchmarks/content.py                 # 500 groups of 30 items, figures printed and saved
    python benchmarks/content.py --groups 2000

A real TinyDB data directory (`TinyDBStore`, fsync and all); the platform is an in-process fake
(no network: what is timed is the bot's own work), holding 20 pins and 10 bookmarks per group,
a third of them older than the 180-day default and a few with a newer namesake. The clock is a
`FakeClock` moved 15 s per tick (the production tick), so the pacing is the real one.

Measured with `time.perf_counter`:
  - the first day's pass: how many ticks and minutes of clock it takes under the rate tiers, the
    busiest rolling minute of list calls, and the bot's own time per tick (median and most);
  - an idle tick once every group is checked for the day;
  - `stale_count` (the App Home's read) and `checklist_section` for one group;
  - applying one pin event (`track`).
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.audit import AuditLog  # noqa: E402
from bot.clock import FakeClock  # noqa: E402
from bot.content import BOOKMARK, PIN, ContentService, Listed  # noqa: E402
from bot.groups import GroupService  # noqa: E402
from bot.store import TinyDBStore  # noqa: E402

START = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


class Platform:
    pin_lists_per_minute, bookmark_lists_per_minute = 20, 50

    def __init__(self, clock, items):
        self.clock, self.items, self.calls = clock, items, []

    def pinned(self, team_id, channel_id):
        self.calls.append(self.clock.now())
        return [item for item in self.items[channel_id] if item.kind == PIN]

    def bookmarked(self, team_id, channel_id):
        return [item for item in self.items[channel_id] if item.kind == BOOKMARK]


class Directory:
    def permalink(self, team_id, channel_id, message_id):
        return f"https://community.slack.com/archives/{channel_id}/p{message_id.replace('.', '')}"


def timed(work):
    began = time.perf_counter()
    value = work()
    return time.perf_counter() - began, value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=500)
    args = parser.parse_args()
    clock = FakeClock(START)
    items = {}
    for g in range(args.groups):
        channel = f"C{g:05d}"
        items[channel] = [Listed(PIN, f"{1_600_000_000 + n}.000100", f"Pinned note {n % 17}", "",
                                 START - timedelta(days=(n * 23 + g) % 400), "UALICE") for n in range(20)]
        items[channel] += [Listed(BOOKMARK, f"Bk{g}x{n}", f"Doc {n}", f"https://wiki.example/{g}/{n}",
                                  START - timedelta(days=(n * 41 + g) % 300), "UBOB") for n in range(10)]
    with tempfile.TemporaryDirectory() as folder:
        store = TinyDBStore(Path(folder), flush_interval=60)
        groups = GroupService(store, clock)
        for channel in items:
            groups.create("T1", channel, "UOWNER")
        fake = Platform(clock, items)
        content = ContentService(store, clock, groups, fake, Directory(), AuditLog(store, clock))
        ticks, checked = [], 0
        while checked < args.groups:
            seconds, done = timed(content.reconcile_due)
            ticks.append(seconds)
            checked += done
            clock.advance(seconds=15)
        busiest = max(sum(1 for other in fake.calls if start <= other < start + timedelta(minutes=1)) for start in fake.calls)
        idle, _ = timed(content.reconcile_due)
        group = groups.get("T1", "C00007")
        count_time, count = timed(lambda: content.stale_count(group))
        section_time, _ = timed(lambda: content.checklist_section(group, "2026-W48"))
        track_time, _ = timed(lambda: content.track(group, Listed(PIN, "1799999999.000100", "New", "", clock.now())))
        store.close()
    figures = {
        "groups": args.groups, "items_per_group": 30,
        "first_pass_ticks": len(ticks), "first_pass_clock_minutes": round(len(ticks) * 15 / 60, 1),
        "busiest_minute_pin_lists": busiest,
        "tick_seconds_median": round(statistics.median(ticks), 4), "tick_seconds_max": round(max(ticks), 4),
        "idle_tick_seconds": round(idle, 4),
        "stale_count_seconds": round(count_time, 5), "stale_count_of_one_group": count,
        "checklist_section_seconds": round(section_time, 5), "track_one_pin_seconds": round(track_time, 5),
        "python": platform.python_version(), "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    print(json.dumps(figures, indent=2))
    results = Path(__file__).resolve().parent / "results" / "content-latest.json"
    results.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
