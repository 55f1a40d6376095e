"""App Home benchmark: the whole Home of an owner whose group has 5,000 members and a year of history.

    python benchmarks/home.py                  # 5,000 members, a year; figures printed and saved
    python benchmarks/home.py --members 20000  # a bigger group

The store is the one `benchmarks/dashboard.py` builds (a real TinyDB data directory: the group C1
with 5,000 members who joined over the year and 500 from before the set-up, a neighbour group C2,
a year of per-day activity, 20,000 questions, weekly contributions), opened as the bot opens it.
The owner of both groups opens the Home: `HomeService.view_for` with the metrics registered as
the assembly registers them (`MetricsService.overview` for each card, three waiting counts with
their daily record), the member's parts (expertise, preferences), then the Block Kit view
(`handlers.blocks.home_view`) as JSON, as `views.publish` sends it.

Timed, with `time.perf_counter` (the median and the slowest of `--runs`): the Home, first open
(each group's member records read) and again; its size in blocks and bytes. Target: well under a
second (< 1 s), within Slack's 100 blocks and 250 kB.
"""
from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from dashboard import NOW, TEAM, Directory, Messenger, ms, seed, timed, user_id  # noqa: E402  (the shared store)

from bot.activity import ActivityService  # noqa: E402
from bot.clock import FakeClock  # noqa: E402
from bot.groups import GroupService  # noqa: E402
from bot.home import HomeService  # noqa: E402
from bot.questions.experts import ExpertService  # noqa: E402
from bot.recognition import RecognitionService  # noqa: E402
from bot.report.metrics import MetricsService  # noqa: E402
from bot.store import TinyDBStore  # noqa: E402
from handlers.blocks import home_view  # noqa: E402

RESULTS = REPO / "benchmarks" / "results" / "home-latest.json"
TARGET_SECONDS = 1.0


class Core:
    """What the Home reads from the assembled core beside its own services."""
    reminders = None
    digest = None
    audit = None

    def __init__(self, recognition):
        self.recognition = recognition


def build(store, clock) -> HomeService:
    groups = GroupService(store, clock)
    experts = ExpertService(store, clock)
    recognition = RecognitionService(store, ActivityService(store, clock, Directory()), Directory(), Messenger())
    core = Core(recognition)
    home = HomeService(store, clock, groups, experts, lambda: core)
    home.add_overview(MetricsService(store, clock).overview)
    for name in ("join_requests", "flags", "stale_content"):
        home.add_count(name, lambda group: 0)
    return home


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--questions-per-day", type=int, default=55)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", type=Path, default=RESULTS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        sizes, _ = seed(data, args.members, args.days, args.questions_per_day, random.Random(11))
        store = TinyDBStore(data, flush_interval=3600)
        clock = FakeClock(NOW)
        owner = user_id(1)
        ExpertService(store, clock).declare(TEAM, owner, ["kubernetes", "helm", "terraform"])

        def publish() -> dict:
            return home_view(build_home.view_for(TEAM, owner)).to_dict()
        build_home = None

        def first_open() -> dict:  # a fresh service: every group's member records read
            nonlocal build_home
            build_home = build(store, clock)
            return publish()
        _, first_times = timed(first_open, max(1, args.runs // 4))
        view, times = timed(publish, args.runs)
        store.close()
    payload = json.dumps(view)
    fields = [f["text"] for block in view["blocks"] for f in block.get("fields", [])]
    result = {
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "store": sizes, "owned_groups": 2,
        "home_first_open_ms_median": ms(statistics.median(first_times)), "home_first_open_ms_max": ms(max(first_times)),
        "home_ms_median": ms(statistics.median(times)), "home_ms_max": ms(max(times)),
        "blocks": len(view["blocks"]), "bytes": len(payload.encode()), "figures_shown": len(fields),
        "first_card": fields[:15],
        "target_ms": TARGET_SECONDS * 1000,
    }
    result["passed"] = max(first_times + times) < TARGET_SECONDS and result["blocks"] <= 100 and result["bytes"] < 250_000
    print(json.dumps(result, indent=2, ensure_ascii=False))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
