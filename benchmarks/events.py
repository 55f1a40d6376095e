"""Events benchmark: the real bot in HTTP mode against a bare Bolt app, with and without history.

    python benchmarks/events.py                 # headline: 1,500 events per phase at 50 events/s
    python benchmarks/events.py --quick         # smoke run: 300 events per phase
    python benchmarks/events.py --profile       # also cProfile the ack path and the message listener

Phases, in one run and one process (so the same machine, interpreter and load generator):
  bare          a bare Bolt app whose `message` listener does nothing, served like the bot
  real-empty    the real app (`Steward`), empty store except its managed groups
  real-history  the real app on a store holding 5,000 members and 20,000 closed questions

Load: a fixed-rate open-loop sender in a separate process (so it does not share the app's GIL).
Request i is due at t0 + i/rate; each of the sender threads takes the next due request, sleeps
until its time and POSTs it on a new connection (as Slack does). Ack latency runs from the
*scheduled* time to the HTTP response, so a slow app cannot hide by slowing the sender down
(no coordinated omission). See benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

SIGNING_SECRET = "benchmark-signing-secret"
TEAM = "T1"
EVENTS_PATH = "/slack/events"
RESULTS = REPO / "benchmarks" / "results" / "events-latest.json"

# Targets from the brief.
TARGET_RATIO = 1.5            # real/bare ack latency (p50 and p99)
TARGET_P99_MS = 100.0         # ack p99 at the headline rate
GROWTH_TOLERANCE = 1.25       # history/empty per-event cost ...
GROWTH_SLACK_MS = 1.0         # ... or within this many ms (timer noise on sub-ms figures)
GROWTH_SLACK_CPU_MS = 0.25

CHATTER = [
    "I pushed the build, CI is green again",
    "Morning all :wave:",
    "Thanks, that fixed it for me",
    "Deploying the new search index to staging now",
    "lol same here",
    "The release notes for 4.2 are in the wiki",
    "Merged, thanks for the review!",
    "Heads up: the VPN will be down for maintenance tonight",
    "I'll take the on-call handover after lunch",
    "Nice work on the dashboard :tada:",
    "Retro moved to Thursday 15:00",
    "Pairing with Sam on the flaky test this afternoon",
    "Ok, I will update the ticket",
    "Bonjour à tous, je serai en retard ce matin",
    "Le déploiement est terminé, tout est vert",
    "Here is the link to the design doc <https://example.com/doc|design doc>",
    "+1",
    "Back from lunch",
    "Rolled back the config change, latency is normal again",
    "See you at the meetup next week",
]
QUESTIONS = [
    "How do I rotate the staging certificate?",
    "Does anyone know why the nightly build fails on ARM?",
    "Is there a way to get read access to the billing dashboard?",
    "Which branch should I target for the 4.2 hotfix?",
    "Can someone explain how the feature flags are rolled out?",
    "What's the process to request a new GitHub repo?",
    "Anyone knows how to reset the VPN token",
    "Comment est-ce qu'on configure le proxy sur macOS ?",
    "Quelqu'un sait où trouver les notes de frais ?",
    "Where do we keep the runbook for the payment service?",
    "How long does the staging database refresh take?",
    "Why is the docker cache not reused between CI jobs?",
]
REPLIES = [
    "Try clearing the cache first",
    "I think the runbook covers it, page 3",
    "Same problem here since yesterday",
    "You need to ask the infra team for access",
    "Fixed by restarting the agent",
    "Use the script in tools/rotate.sh",
    "Merci, ça marche !",
]


# =============================================================================================
# Load generator (runs in a child process)
# =============================================================================================

def _sender_main(conn) -> None:
    """Child process: receive (port, requests, rate, threads), fire them open-loop, send back timings."""
    while True:
        job = conn.recv()
        if job is None:
            return
        conn.send(_fire(*job))


def _fire(port: int, requests: list, rate: float, threads: int) -> dict:
    import http.client

    n = len(requests)
    results: list = [None] * n
    lock = threading.Lock()
    cursor = [0]
    t0 = time.monotonic() + 0.25

    def worker() -> None:
        while True:
            with lock:
                i = cursor[0]
                cursor[0] += 1
            if i >= n:
                return
            due = t0 + i / rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            started = time.monotonic()
            body, headers = requests[i]
            status = -1
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                connection.request("POST", EVENTS_PATH, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
                connection.close()
            except OSError:
                pass
            results[i] = (due, started, time.monotonic(), status)

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return {"t0": t0, "results": results}


class LoadGenerator:
    def __init__(self, threads: int):
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self.threads = threads
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_sender_main, args=(child,), name="event-sender", daemon=True)
        self._process.start()

    def fire(self, port: int, requests: list, rate: float) -> dict:
        self._conn.send((port, requests, rate, self.threads))
        return self._conn.recv()

    def close(self) -> None:
        self._conn.send(None)
        self._process.join(timeout=5)


# =============================================================================================
# Workload
# =============================================================================================

def user_id(n: int) -> str:
    return f"U{n:04d}"


def build_workload(count: int, rate: float, seed: int, tag: str, users: int = 200) -> tuple[list, dict]:
    """`count` signed message events, the same sequence for every phase with the same seed.

    ~200 users (a few very chatty, Zipf-like); 80 % in C1, 20 % in C2; a quarter are thread
    replies (half of them under a recent question); ~10 % of all events are new questions.
    """
    from handlers.emulator import message_event, sign

    rng = random.Random(seed)
    weights = [1 / (rank ** 0.8) for rank in range(1, users + 1)]
    population = [user_id(n) for n in range(1, users + 1)]
    now = time.time()
    recent: dict[str, list[tuple[str, str, bool]]] = {"C1": [], "C2": []}  # (ts, asker, is_question)
    requests, kinds = [], {"chatter": 0, "question": 0, "reply_to_question": 0, "reply_to_chatter": 0}
    for i in range(count):
        channel = "C1" if rng.random() < 0.8 else "C2"
        user = rng.choices(population, weights)[0]
        ts = f"{now + i / rate:.6f}"
        thread_ts = None
        earlier = recent[channel][-200:]
        if earlier and rng.random() < 0.25:
            questions = [m for m in earlier if m[2]]
            if questions and rng.random() < 0.5:
                thread_ts, asker, _ = rng.choice(questions)
                kind = "reply_to_question"
            else:
                thread_ts, asker, _ = rng.choice(earlier)
                kind = "reply_to_chatter"
            text = rng.choice(REPLIES)
        elif rng.random() < 0.13:
            text, kind = rng.choice(QUESTIONS), "question"
            recent[channel].append((ts, user, True))
        else:
            text, kind = rng.choice(CHATTER), "chatter"
            recent[channel].append((ts, user, False))
        kinds[kind] += 1
        event = message_event(channel, user, text, ts=ts, thread_ts=thread_ts, team=TEAM)
        envelope = {
            "token": "legacy-verification-token", "team_id": TEAM, "api_app_id": "A1", "event": event,
            "type": "event_callback", "event_id": f"Ev{tag}{i:06d}{seed:04d}", "event_time": int(now),
            "authorizations": [{"enterprise_id": None, "team_id": TEAM, "user_id": "UBOT", "is_bot": True,
                                "is_enterprise_install": False}],
            "authed_users": ["UBOT"], "is_ext_shared_channel": False,
        }
        body = json.dumps(envelope)
        stamp = int(time.time())
        headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": str(stamp),
                   "X-Slack-Signature": sign(body, stamp, SIGNING_SECRET)}
        requests.append((body.encode("utf-8"), headers))
    return requests, kinds


# =============================================================================================
# The apps under test
# =============================================================================================

class BareApp:
    """Bolt with a no-op `message` listener, served exactly like `Steward.serve_http`."""

    name = "bare"

    def __init__(self, emulator):
        from slack_bolt import App
        from slack_sdk import WebClient

        from bot.runtime import ListenerExecutor
        from handlers.http_server import SlackHttpServer

        # Same listener pool class and size as the bot, so only the app differs.
        self.listeners = ListenerExecutor()
        self.app = App(signing_secret=SIGNING_SECRET, token_verification_enabled=False,
                       client=WebClient(base_url=emulator.url, token="xoxb-x"), listener_executor=self.listeners)

        @self.app.event("message")
        def noop():
            pass

        self.server = SlackHttpServer(self.app, "127.0.0.1", 0, signing_secret=SIGNING_SECRET, path=EVENTS_PATH)
        self.server.start_in_background()
        self.port = self.server.port
        self.data_dir = None

    flushes: list[float] = []

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.server.close()
        self.listeners.wait_idle()
        self.listeners.shutdown(wait=True)


class RealApp:
    """The bot itself: `Steward` in HTTP mode with its scheduler, on `data_dir`."""

    def __init__(self, name: str, emulator, data_dir: Path, create_groups: bool):
        from bot.runtime import Steward
        from bot.settings import Settings

        self.name = name
        self.data_dir = data_dir
        settings = Settings(mode="http", bot_token="xoxb-benchmark", signing_secret=SIGNING_SECRET, api_url=emulator.url,
                            port=0, data_dir=data_dir, counter_flush_seconds=5, scheduler_tick_seconds=15,
                            log_level="WARNING")
        started = time.perf_counter()
        self.steward = Steward(settings)
        self.open_seconds = time.perf_counter() - started
        if create_groups:
            for channel in ("C1", "C2"):
                self.steward.slack.core.groups.create(TEAM, channel, "U0001", timezone="Europe/Paris")
        server = self.steward.serve_http(host="127.0.0.1", port=0, block=False)
        self.steward.start_scheduler()
        self.port = server.server_address[1]
        self.listeners = self.steward.listeners
        self.flushes: list[float] = []
        self._watch_flushes()

    def _watch_flushes(self) -> None:
        """Time the store's background counter flushes (wrapping the instance's method, read-only)."""
        store = self.steward.store
        inner = store.flush

        def timed_flush() -> None:
            started = time.monotonic()
            try:
                inner()
            finally:
                self.flushes.append((started, time.monotonic()))
        store.flush = timed_flush

    def flush(self) -> None:
        self.steward.store.flush()

    def close(self) -> None:
        self.steward.close()


# =============================================================================================
# History: 5,000 members, 20,000 closed questions over 24 months, ~50 open ones
# =============================================================================================

def _write_table(data_dir: Path, table: str, docs: dict[str, dict]) -> None:
    """The TinyDB file `TinyDBStore` reads: {"docs": {"1": {...doc, "_key": key}, ...}}."""
    payload = {"docs": {str(i): {**doc, "_key": key} for i, (key, doc) in enumerate(docs.items(), 1)}}
    (data_dir / f"{table}.json").write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def write_history(data_dir: Path, members: int, closed: int, open_count: int, seed: int = 7) -> dict:
    """Write the store files directly, before the bot opens them. Returns the layout for the report."""
    from datetime import datetime, timedelta, timezone

    from bot.clock import utc_iso
    from bot.groups import Group, group_key
    from bot.membership import activity_table, member_key
    from bot.question_detection import question_summary
    from bot.questions import archive_table, question_key
    from bot.text import tokens

    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    data_dir.mkdir(parents=True, exist_ok=True)
    layout: dict = {}

    # Groups: the two the events go to, and a third, quieter one.
    groups = {}
    for channel, owner in (("C1", "U0001"), ("C2", "U0002"), ("C3", "U0003")):
        group = Group(TEAM, channel, [owner, user_id(10 + len(groups))], purpose=f"Community {channel}",
                      settings={"timezone": "Europe/Paris"}, created_by=owner,
                      created_at=utc_iso(now - timedelta(days=800)))
        groups[group_key(TEAM, channel)] = dict(group.__dict__)
    _write_table(data_dir, "groups", groups)

    # Members: 60 % in C1, 30 % in C2, 10 % in C3; the ~200 senders are members of C1 and C2.
    member_docs = {}
    split = {"C1": int(members * 0.6), "C2": int(members * 0.3)}
    split["C3"] = members - split["C1"] - split["C2"]
    for channel, count in split.items():
        for n in range(1, count + 1):
            uid = user_id(n)
            joined = now - timedelta(days=rng.uniform(1, 730))
            left = rng.random() < 0.08
            doc = {"team_id": TEAM, "channel_id": channel, "user_id": uid, "status": "left" if left else "member",
                   "joined_at": utc_iso(joined), "welcomed_at": utc_iso(joined),
                   "left_at": utc_iso(joined + timedelta(days=rng.uniform(1, 100))) if left else None,
                   "last_seen": utc_iso(now - timedelta(days=rng.uniform(0, 60)))}
            member_docs[member_key(TEAM, channel, uid)] = doc
    _write_table(data_dir, "members", member_docs)
    layout["members"] = {"table": "members", "docs": len(member_docs), "per_group": split}

    # Weekly activity counters for the last 12 weeks (current week included), ~700 active per week.
    weeks = {}
    for back in range(12):
        table = activity_table(now - timedelta(weeks=back))
        docs = {}
        for n in rng.sample(range(1, split["C1"] + 1), min(700, split["C1"])):
            uid = user_id(n)
            docs[member_key(TEAM, "C1", uid)] = {"team_id": TEAM, "channel_id": "C1", "user_id": uid,
                                                 "messages": rng.randint(1, 40), "replies": rng.randint(0, 20)}
        _write_table(data_dir, table, docs)
        weeks[table] = len(docs)
    layout["activity"] = weeks

    def question_doc(channel: str, asker: str, asked: datetime, ts: str) -> dict:
        text = rng.choice(QUESTIONS)
        due = asked + timedelta(minutes=30)
        return {"key": question_key(TEAM, channel, ts), "team_id": TEAM, "channel_id": channel, "ts": ts,
                "asker": asker, "text": text, "summary": question_summary(text), "asked_at": utc_iso(asked),
                "status": "open", "next_step": "experts", "next_due_at": utc_iso(due), "steps": {}, "pinged": [],
                "declined": [], "replies": {}}

    # Closed questions: spread evenly over the 24 months ending with the current one, each in
    # its monthly partition `questions.YYYY-MM` (exactly where `resolve` archives them).
    partitions: dict[str, dict] = {}
    answerers = [user_id(n) for n in range(1, 401)]
    month_starts = []
    year, month = now.year, now.month
    for _ in range(24):
        month_starts.append(datetime(year, month, 1, tzinfo=timezone.utc))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    for i in range(closed):
        start = month_starts[i % 24]
        end = max(start + timedelta(minutes=1), min(now - timedelta(hours=1), start + timedelta(days=28)))
        asked = start + (end - start) * rng.random()
        ts = f"{asked.timestamp():.6f}"
        channel = rng.choices(["C1", "C2", "C3"], [6, 3, 1])[0]
        doc = question_doc(channel, user_id(rng.randint(1, 3000)), asked, ts)
        answerer = rng.choice(answerers)
        replied = asked + timedelta(minutes=rng.uniform(2, 600))
        reply_ts = f"{replied.timestamp():.6f}"
        doc.update(status="resolved", next_step=None, replies={reply_ts: answerer}, first_replier=answerer,
                   first_reply_at=utc_iso(replied), answer_seconds=int((replied - asked).total_seconds()),
                   nudge_due_at=utc_iso(replied + timedelta(days=2)), resolved_by=doc["asker"],
                   resolved_at=utc_iso(replied + timedelta(minutes=30)), answerer=answerer)
        if rng.random() < 0.3:
            doc["steps"] = {"experts": {"at": utc_iso(asked + timedelta(minutes=30)), "pinged": [answerer]}}
            doc["pinged"] = [answerer]
        partitions.setdefault(archive_table(ts), {})[doc["key"]] = doc
    for table, docs in partitions.items():
        _write_table(data_dir, table, docs)
    layout["closed_questions"] = {"docs": closed, "partitions": len(partitions),
                                  "largest_partition": max(len(d) for d in partitions.values()),
                                  "first": min(partitions), "last": max(partitions)}

    # Open questions: asked in the last two days; due steps are in the future so the ladder
    # sweep stays quiet during the measurement (message handling is what is measured).
    open_docs = {}
    for i in range(open_count):
        asked = now - timedelta(hours=rng.uniform(1, 48))
        ts = f"{asked.timestamp():.6f}"
        channel = rng.choice(["C1", "C1", "C2"])
        doc = question_doc(channel, user_id(rng.randint(1, 200)), asked, ts)
        doc["next_due_at"] = utc_iso(now + timedelta(hours=rng.uniform(2, 8)))
        if i % 3 == 0:
            answerer = rng.choice(answerers)
            doc.update(status="answered", next_step=None, replies={f"{asked.timestamp() + 60:.6f}": answerer},
                       first_replier=answerer, first_reply_at=utc_iso(asked + timedelta(minutes=1)), answer_seconds=60,
                       nudge_due_at=utc_iso(now + timedelta(days=2)))
        open_docs[doc["key"]] = doc
    _write_table(data_dir, "open_questions", open_docs)
    layout["open_questions"] = len(open_docs)

    # Experts: the answerers learned the words of the questions they resolved.
    expert_docs = {}
    vocabulary = sorted({term for text in QUESTIONS for term in tokens(text)})
    for uid in answerers:
        learned = {term: [round(rng.uniform(0.2, 6), 3), utc_iso(now - timedelta(days=rng.uniform(0, 700))), term]
                   for term in rng.sample(vocabulary, min(len(vocabulary), 12))}
        expert_docs[f"{TEAM}:{uid}"] = {"team_id": TEAM, "user_id": uid, "topics": [], "assigned": {}, "learned": learned,
                                        "penalties": {}, "opted_out": False, "pings": {}}
    _write_table(data_dir, "experts", expert_docs)
    layout["experts"] = len(expert_docs)
    return layout


def write_ledger(data_dir: Path, count: int) -> None:
    """`processed_events` as it stands after hours of traffic: ids of durable events, not yet expired."""
    from datetime import datetime, timedelta, timezone

    from bot.clock import utc_iso

    now = datetime.now(timezone.utc)
    _write_table(data_dir, "processed_events", {
        f"EvOLD{i:07d}": {"event_id": f"EvOLD{i:07d}", "expires_at": utc_iso(now + timedelta(seconds=10800 * i / max(count, 1)))}
        for i in range(count)})


def dir_size(path: Path | None) -> tuple[int, int]:
    if path is None:
        return 0, 0
    files = [p for p in path.glob("*.json")]
    return sum(p.stat().st_size for p in files), len(files)


# =============================================================================================
# Measurement
# =============================================================================================

def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def run_phase(app, sender: LoadGenerator, events: int, rate: float, warmup: int, seed: int, tag: str) -> dict:
    if warmup:
        warm, _ = build_workload(warmup, rate, seed + 1000, tag + "w")
        sender.fire(app.port, warm, rate)
        app.listeners.wait_idle(timeout=120)
        app.flush()

    requests, kinds = build_workload(events, rate, seed, tag)
    app.flushes.clear()
    cpu_before = time.process_time()
    fired = sender.fire(app.port, requests, rate)
    idle = app.listeners.wait_idle(timeout=300)
    done_at = time.monotonic()
    cpu = time.process_time() - cpu_before
    flushes = list(app.flushes)
    app.flush()
    size, files = dir_size(app.data_dir)

    t0, results = fired["t0"], fired["results"]
    ok = [r for r in results if r and r[3] == 200]
    latencies = [(r[2] - r[0]) * 1000 for r in ok]
    # Which of the slowest 1 % of acks were waiting while a background counter flush ran?
    slowest = sorted(ok, key=lambda r: r[2] - r[0])[-max(1, len(ok) // 100):]
    during_flush = sum(1 for r in slowest if any(start < r[2] and end > r[0] for start, end in flushes))
    flush_ms = [(end - start) * 1000 for start, end in flushes]
    lags = [(r[1] - r[0]) * 1000 for r in results if r]
    last_ack = max(r[2] for r in ok) if ok else t0
    processing = done_at - t0
    return {
        "phase": app.name, "events": len(requests), "ok": len(ok), "errors": len(requests) - len(ok),
        "workload": kinds, "target_rate": rate,
        "rate_achieved": round(len(ok) / (last_ack - t0), 2) if ok else 0.0,
        "ack_ms": {"p50": round(percentile(latencies, 50), 2), "p90": round(percentile(latencies, 90), 2),
                   "p99": round(percentile(latencies, 99), 2), "max": round(max(latencies), 2) if latencies else None,
                   "mean": round(statistics.fmean(latencies), 2) if latencies else None},
        "sender_lag_ms_p99": round(percentile(lags, 99), 2),
        "last_ack_s": round(last_ack - t0, 2),
        "processing_done_s": round(processing, 2),
        "listeners_idle": idle,
        "listener_throughput": round(len(requests) / processing, 2),
        "cpu_ms_per_event": round(cpu * 1000 / len(requests), 3),
        "store_bytes": size, "store_files": files,
        "counter_flushes": {"count": len(flush_ms), "max_ms": round(max(flush_ms), 1) if flush_ms else None,
                            "mean_ms": round(statistics.fmean(flush_ms), 1) if flush_ms else None,
                            "slowest_1pct_acks": len(slowest), "of_which_during_flush": during_flush},
    }


MAX_RATE_STEPS = [50, 75, 100, 150, 200, 300, 400, 600, 800]


def find_max(emulator, tmp: Path, args) -> dict:
    """Highest step rate where acks keep up (p99 < 100 ms, no errors) and the listeners finish
    within a second of the last ack. A step is 4 seconds: indicative only."""
    out = {}
    sender = LoadGenerator(64)
    try:
        for kind in ("bare", "real-history"):
            if kind == "bare":
                app = BareApp(emulator)
            else:
                write_history(tmp / "max", args.members, args.questions, args.open_questions)
                app = RealApp("real-history", emulator, tmp / "max", create_groups=False)
            steps, best = [], None
            try:
                for i, rate in enumerate(MAX_RATE_STEPS):
                    phase = run_phase(app, sender, int(rate * 4), rate, int(rate) if i == 0 else 0, seed=50 + i,
                                      tag=f"M{kind[0]}{i}")
                    kept_up = (phase["errors"] == 0 and phase["ack_ms"]["p99"] < TARGET_P99_MS
                               and phase["processing_done_s"] - phase["last_ack_s"] < 1.0)
                    steps.append({"rate": rate, "achieved": phase["rate_achieved"], "p99_ms": phase["ack_ms"]["p99"],
                                  "max_ms": phase["ack_ms"]["max"],
                                  "listeners_behind_s": round(phase["processing_done_s"] - phase["last_ack_s"], 2),
                                  "cpu_ms_per_event": phase["cpu_ms_per_event"], "kept_up": kept_up})
                    if not kept_up:
                        break
                    best = rate
            finally:
                app.close()
            out[kind] = {"max_sustained": best, "steps": steps}
            print(f"  find-max {kind}: {best}/s")
    finally:
        sender.close()
    return out


def store_write_probe(sizes: list[int], writes: int = 8) -> list[dict]:
    """Cost of one durable `insert_if_absent` (what `EventLedger.claim(durable=True)` does per
    question) into a TinyDB table already holding N documents: the whole file is rewritten."""
    from bot.store import TinyDBStore

    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="probe-", dir=os.environ.get("BENCH_TMP")) as tmp:
            docs = {f"EvOLD{i:07d}": {"event_id": f"EvOLD{i:07d}", "expires_at": "2099-01-01T00:00:00+00:00"}
                    for i in range(size)}
            _write_table(Path(tmp), "processed_events", docs)
            store = TinyDBStore(tmp, flush_interval=60)
            timings = []
            for i in range(writes):
                started = time.perf_counter()
                store.insert_if_absent("processed_events", f"EvNEW{i}", {"event_id": f"EvNEW{i}", "expires_at": "2099"})
                timings.append((time.perf_counter() - started) * 1000)
            store.close()
            rows.append({"docs": size, "file_kb": round((Path(tmp) / "processed_events.json").stat().st_size / 1024),
                         "insert_ms_median": round(statistics.median(timings), 2)})
    return rows


# =============================================================================================
# Profiling (--profile)
# =============================================================================================

def profile(emulator, data_dir: Path, args) -> dict:
    """cProfile the ack path (Bolt dispatch in the calling thread) for bare and real apps, and
    the real `message` listener called directly, on the history store."""
    import cProfile
    import io
    import pstats

    from slack_bolt.request import BoltRequest

    out = {}

    def top(prof: cProfile.Profile, n: int = 14, key: str = "tottime") -> str:
        stream = io.StringIO()
        pstats.Stats(prof, stream=stream).strip_dirs().sort_stats(key).print_stats(n)
        lines = stream.getvalue().splitlines()
        start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
        return "\n".join(lines[start:start + n + 1])

    count = 1000 if args.quick else 3000
    real = RealApp("real-history", emulator, data_dir, create_groups=False)
    bare = BareApp(emulator)
    try:
        for app in (bare, real):
            bolt = app.app if app is bare else app.steward.app
            requests, _ = build_workload(count, 1000, 99, "P" + app.name)
            prof = cProfile.Profile()
            started = time.perf_counter()
            prof.enable()
            for body, headers in requests:
                response = bolt.dispatch(BoltRequest(body=body.decode(), headers={k.lower(): v for k, v in headers.items()}))
                assert response.status == 200, response.body
            prof.disable()
            elapsed = time.perf_counter() - started
            app.listeners.wait_idle(timeout=120)
            out[f"ack_path_{app.name}"] = {"us_per_event": round(elapsed * 1e6 / count, 1), "top": top(prof)}

        # The listener itself, called directly on this thread (no Bolt around it).
        listener = next(l for l in real.steward.app._listeners if l.ack_function.__name__ == "follow_conversation")
        requests, _ = build_workload(count, 1000, 98, "Plisten")
        bodies = [json.loads(body) for body, _ in requests]
        prof = cProfile.Profile()
        started = time.perf_counter()
        prof.enable()
        for body in bodies:
            listener.ack_function(event=body["event"], body=body)
        prof.disable()
        elapsed = time.perf_counter() - started
        out["listener_real_history"] = {"us_per_event": round(elapsed * 1e6 / count, 1), "top": top(prof),
                                        "top_cumulative": top(prof, 18, "cumulative")}

        # One background counter flush after a 5-second window at 50 events/s (~150 active users).
        core = real.steward.slack.core
        real.steward.store.flush()
        for n in range(1, 151):
            core.members.record_activity(TEAM, "C1", user_id(n), "messages")
        prof = cProfile.Profile()
        started = time.perf_counter()
        prof.enable()
        real.steward.store.flush()
        prof.disable()
        out["counter_flush_150_users"] = {"us_per_event": round((time.perf_counter() - started) * 1e6, 1),
                                          "top": top(prof, 10)}
    finally:
        bare.close()
        real.close()
    return out


# =============================================================================================
# Report
# =============================================================================================

def verdicts(phases: dict) -> dict:
    bare, empty, hist = phases["bare"], phases["real-empty"], phases["real-history"]

    def ratio(a, b):
        return round(a / b, 2) if b else float("inf")

    out = {"ratios": {}, "checks": []}
    for real in (empty, hist):
        r50 = ratio(real["ack_ms"]["p50"], bare["ack_ms"]["p50"])
        r99 = ratio(real["ack_ms"]["p99"], bare["ack_ms"]["p99"])
        rcpu = ratio(real["cpu_ms_per_event"], bare["cpu_ms_per_event"])
        out["ratios"][real["phase"]] = {"p50": r50, "p99": r99, "cpu_per_event": rcpu}
        out["checks"].append({"target": f"{real['phase']}: ack p50 real/bare <= {TARGET_RATIO}", "value": r50,
                              "pass": r50 <= TARGET_RATIO})
        out["checks"].append({"target": f"{real['phase']}: ack p99 real/bare <= {TARGET_RATIO}", "value": r99,
                              "pass": r99 <= TARGET_RATIO})
        out["checks"].append({"target": f"{real['phase']}: ack p99 < {TARGET_P99_MS:g} ms at {real['target_rate']:g}/s",
                              "value": real["ack_ms"]["p99"],
                              "pass": real["ack_ms"]["p99"] < TARGET_P99_MS and real["errors"] == 0
                              and real["rate_achieved"] >= 0.95 * real["target_rate"]})
    for label, get, slack in (("ack p50", lambda p: p["ack_ms"]["p50"], GROWTH_SLACK_MS),
                              ("ack p99", lambda p: p["ack_ms"]["p99"], GROWTH_SLACK_MS * 3),
                              ("CPU/event", lambda p: p["cpu_ms_per_event"], GROWTH_SLACK_CPU_MS),
                              ("listener done", lambda p: p["processing_done_s"], 1.0)):
        a, b = get(hist), get(empty)
        ok = a <= b * GROWTH_TOLERANCE or a - b <= slack
        out["checks"].append({"target": f"no growth with history: {label} history/empty <= {GROWTH_TOLERANCE} "
                                        f"(or +{slack:g})", "value": ratio(a, b), "pass": ok})
    out["pass"] = all(c["pass"] for c in out["checks"])
    return out


def print_report(result: dict) -> None:
    phases = result["phases"]
    print()
    header = (f"{'phase':<13} {'events':>6} {'rate/s':>7} {'ack p50':>8} {'p99':>8} {'max':>8} "
              f"{'done at':>8} {'listen/s':>8} {'CPU/ev':>7} {'store':>9} {'errs':>4}")
    print(header)
    print("-" * len(header))
    for p in phases.values():
        print(f"{p['phase']:<13} {p['events']:>6} {p['rate_achieved']:>7.1f} {p['ack_ms']['p50']:>6.2f}ms "
              f"{p['ack_ms']['p99']:>6.2f}ms {p['ack_ms']['max']:>6.1f}ms {p['processing_done_s']:>7.2f}s "
              f"{p['listener_throughput']:>8.1f} {p['cpu_ms_per_event']:>5.2f}ms {p['store_bytes'] / 1e6:>7.2f}MB "
              f"{p['errors']:>4}")
    print("  (rate/s: acks received per second of sending; done at: seconds from first send until every")
    print("   listener finished; CPU/ev: this process's CPU time per event, listeners + ack + background)")
    for p in phases.values():
        f = p["counter_flushes"]
        if f["count"]:
            print(f"  {p['phase']}: {f['count']} background counter flushes, mean {f['mean_ms']} ms, max {f['max_ms']} ms "
                  f"(store lock held throughout); {f['of_which_during_flush']} of the {f['slowest_1pct_acks']} slowest "
                  "acks overlapped a flush")
    lags = max(p["sender_lag_ms_p99"] for p in phases.values())
    print(f"  sender lag p99 (send time vs schedule): {lags:.2f} ms"
          + ("  <-- every sender thread was busy (slow acks): latency still counts from the scheduled time,"
             " but fewer requests were in flight than Slack would send; raise --senders" if lags > 5 else ""))
    v = result["verdict"]
    print()
    for name, r in v["ratios"].items():
        print(f"real/bare {name:<13} ack p50 x{r['p50']:.2f}   ack p99 x{r['p99']:.2f}   CPU/event x{r['cpu_per_event']:.2f}")
    print()
    for check in v["checks"]:
        print(f"  [{'PASS' if check['pass'] else 'FAIL'}] {check['target']}  (got {check['value']})")
    print(f"  overall: {'PASS' if v['pass'] else 'FAIL'}")
    if result.get("max_rate"):
        print()
        print("Max sustained rate (4 s steps; kept up = ack p99 < 100 ms, no errors, listeners < 1 s behind):")
        for kind, found in result["max_rate"].items():
            steps = ", ".join(f"{s['rate']}/s p99 {s['p99_ms']:.0f}ms{'' if s['kept_up'] else ' (no)'}" for s in found["steps"])
            print(f"  {kind:<13} {str(found['max_sustained']) + '/s' if found['max_sustained'] else '< ' + str(MAX_RATE_STEPS[0]) + '/s'}   [{steps}]")
    probe = result.get("store_write_probe")
    if probe:
        print()
        print("Durable write cost vs table size (one insert_if_absent = whole-file rewrite + fsync):")
        for row in probe:
            print(f"  {row['docs']:>6} docs ({row['file_kb']:>5} KB): {row['insert_ms_median']:>7.2f} ms")
    if result.get("profile"):
        for name, section in result["profile"].items():
            print()
            unit = "us for the whole flush" if name.startswith("counter_flush") else "us/event"
            print(f"--- profile {name}: {section['us_per_event']} {unit} (tottime) ---")
            print(section["top"])
            if "top_cumulative" in section:
                print(f"--- profile {name} (cumulative) ---")
                print(section["top_cumulative"])


# =============================================================================================

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=None, help="events per measured phase (default 1500)")
    parser.add_argument("--rate", type=float, default=50.0, help="events per second (default 50)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 300 events per phase, small warm-up")
    parser.add_argument("--senders", type=int, default=8, help="sender threads (default 8)")
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--questions", type=int, default=20000, help="closed questions in history")
    parser.add_argument("--open-questions", type=int, default=50)
    parser.add_argument("--ledger-history", type=int, default=0, metavar="N",
                        help="also pre-fill `processed_events` with N unexpired event ids in the history phase "
                             "(steady state of the durable dedupe ledger; default 0, as the brief's history)")
    parser.add_argument("--find-max", action="store_true",
                        help="also step the rate up (bare and real-history, 4 s per step) to find the max sustained rate")
    parser.add_argument("--profile", action="store_true", help="also cProfile the ack path and the listener")
    parser.add_argument("--no-probe", action="store_true", help="skip the durable-write probe")
    parser.add_argument("--json", type=Path, default=RESULTS, help=f"where to write results (default {RESULTS.relative_to(REPO)})")
    args = parser.parse_args(argv)
    args.events = args.events or (300 if args.quick else 1500)
    args.warmup = min(args.events, int(args.rate * (1 if args.quick else 2)))

    import logging
    logging.basicConfig(level=logging.WARNING)

    from handlers.emulator import SlackEmulator

    began = time.perf_counter()
    print(f"events benchmark: {args.events} events/phase at {args.rate:g}/s, {args.senders} sender threads "
          f"(separate process), warm-up {args.warmup}; {os.cpu_count()} CPUs, Python {platform.python_version()}")
    sender = LoadGenerator(args.senders)
    phases: dict = {}
    result: dict = {"config": {"events": args.events, "rate": args.rate, "senders": args.senders, "warmup": args.warmup,
                               "cpus": os.cpu_count(), "python": platform.python_version(),
                               "platform": platform.platform()}}
    with tempfile.TemporaryDirectory(prefix="steward-bench-", dir=os.environ.get("BENCH_TMP")) as tmp, SlackEmulator() as emulator:
        for n in range(1, max(args.members, 200) + 1):
            emulator.add_user(user_id(n))
        for channel in ("C1", "C2", "C3"):
            emulator.add_channel(channel, channel.lower(), creator="U0001", members=["UBOT"])

        app = BareApp(emulator)
        try:
            phases["bare"] = run_phase(app, sender, args.events, args.rate, args.warmup, seed=1, tag="B")
        finally:
            app.close()
        print(f"  bare done ({time.perf_counter() - began:.0f}s)")

        app = RealApp("real-empty", emulator, Path(tmp) / "empty", create_groups=True)
        try:
            phases["real-empty"] = run_phase(app, sender, args.events, args.rate, args.warmup, seed=1, tag="E")
        finally:
            app.close()
        print(f"  real-empty done ({time.perf_counter() - began:.0f}s)")

        history_dir = Path(tmp) / "history"
        started = time.perf_counter()
        layout = write_history(history_dir, args.members, args.questions, args.open_questions)
        if args.ledger_history:
            write_ledger(history_dir, args.ledger_history)
        layout["processed_events"] = args.ledger_history
        layout["write_seconds"] = round(time.perf_counter() - started, 2)
        layout["bytes"], layout["files"] = dir_size(history_dir)
        app = RealApp("real-history", emulator, history_dir, create_groups=False)
        layout["open_seconds"] = round(app.open_seconds, 2)
        result["history"] = layout
        try:
            phases["real-history"] = run_phase(app, sender, args.events, args.rate, args.warmup, seed=1, tag="H")
        finally:
            app.close()
        print(f"  real-history done ({time.perf_counter() - began:.0f}s)")
        sender.close()

        if args.find_max:
            result["max_rate"] = find_max(emulator, Path(tmp), args)
        if not args.no_probe:
            result["store_write_probe"] = store_write_probe([0, 1000, 5000, 20000, 60000])
        if args.profile:
            profile_dir = Path(tmp) / "profile"
            write_history(profile_dir, args.members, args.questions, args.open_questions)
            result["profile"] = profile(emulator, profile_dir, args)

    result["phases"] = phases
    result["verdict"] = verdicts(phases)
    result["seconds"] = round(time.perf_counter() - began, 1)

    h = result["history"]
    kinds = phases["bare"]["workload"]
    print()
    print(f"Workload per phase: {kinds['chatter']} chatter, {kinds['question']} new questions, "
          f"{kinds['reply_to_question']} replies under questions, {kinds['reply_to_chatter']} other thread replies; "
          f"~200 users, channels C1 (80%) / C2 (20%), every event_id unique.")
    print(f"History (real-history phase): {h['members']['docs']} members in `members` {h['members']['per_group']}, "
          f"{h['closed_questions']['docs']} closed questions in {h['closed_questions']['partitions']} monthly partitions "
          f"questions.{h['closed_questions']['first'][10:]}..{h['closed_questions']['last'][10:]} "
          f"(largest {h['closed_questions']['largest_partition']}), {h['open_questions']} in `open_questions`, "
          f"{h['experts']} experts, 12 weekly activity tables, {h['processed_events']} ids in `processed_events`; {h['bytes'] / 1e6:.1f} MB in {h['files']} files, "
          f"opened in {h['open_seconds']} s.")
    print("  A message reads `groups`, `open_questions` and the current month's partition, and writes `open_questions`,")
    print("  `processed_events` and buffered counters. TinyDB rewrites a whole table file on every write, so it is the")
    print("  monthly partitioning of closed questions (and a small open table) that keeps history off that path;")
    print("  `members` is not partitioned and is rewritten by every counter flush (see the flush times below).")
    print_report(result)
    print(f"\ntotal {result['seconds']} s; results written to {args.json}")

    args.json.parent.mkdir(parents=True, exist_ok=True)
    saved = {k: v for k, v in result.items() if k != "profile"}
    if "profile" in result:
        saved["profile_us_per_event"] = {k: v["us_per_event"] for k, v in result["profile"].items()}
    args.json.write_text(json.dumps(saved, indent=2) + "\n", encoding="utf-8")
    return 0 if result["verdict"]["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
