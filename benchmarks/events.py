"""Events benchmark: the real bot (`handlers.runtime.Steward`) against a bare Bolt app, in one run.

    python benchmarks/events.py                          # every phase (~3 minutes)
    python benchmarks/events.py --quick                  # smoke run (~1 minute)
    python benchmarks/events.py --phases burst,storm     # some phases only
    python benchmarks/events.py --profile                # also cProfile the ack path and the appliers

Phases (see benchmarks/README.md for what each measures and why):
  paced   1,500 message events at 50/s: bare Bolt, the real bot on an empty store, the real bot on
          a store with 5,000 members and 20,000 closed questions. Ack latency, ratios, growth.
  burst   2,000 events at full speed (questions, replies, chatter in four channels) with
          `/community help` commands sent during it: ack figures, time until every acked event
          is applied, events applied per second, command ack latency. Bare Bolt and the real bot.
  storm   chat.postMessage answers 429 (Retry-After 2) for 10 s while 50 members join 5 groups:
          welcomes delivered after the storm, duplicates, losses, time to deliver them all.

Both apps are served by the same front door (`handlers.http_server.SlackHttpServer`) with the same
thread counts, so the bare app is the floor any Bolt app served this way pays and the ratio
real/bare is the bot's own cost. Load comes from a separate process (so it does not share the
app's GIL); paced requests are open-loop (latency from the *scheduled* time, no coordinated
omission). Results go to benchmarks/results/events-latest.json; the exit status is 1 when a
target fails.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent

SIGNING_SECRET = "benchmark-signing-secret"
TEAM = "T1"
EVENTS_PATH = "/slack/events"
RESULTS = REPO / "benchmarks" / "results" / "events-latest.json"
PHASES = ("paced", "burst", "storm")

# Targets (the brief). Absolute figures depend on the machine; ratios to bare Bolt do not.
TARGET_RATIO_P50 = 1.5        # paced: ack p50 real/bare
TARGET_P99_MS = 100.0         # paced: ack p99 at 50 events/s
GROWTH_TOLERANCE = 1.25       # paced: history/empty per-event cost ...
GROWTH_SLACK_MS = 1.0         # ... or within this many ms (timer noise on sub-ms figures)
GROWTH_SLACK_CPU_MS = 0.25
TARGET_COMMAND_ACK_P99_MS = 1000.0  # burst: `/community help` ack p99 while the burst is sent
APPLY_TIMEOUT_S = 300.0       # burst: every acked event applied within this (else FAIL)
STORM_SECONDS = 10.0
STORM_RETRY_AFTER = 2
DELIVERY_TIMEOUT_S = 120.0    # storm: every welcome delivered within this after the storm (else FAIL)

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
PACED_CHANNELS = {"C1": 0.8, "C2": 0.2}
BURST_CHANNELS = {"C1": 0.4, "C2": 0.3, "C3": 0.2, "C4": 0.1}
GROUP_CHANNELS = ("C1", "C2", "C3", "C4", "C5")


# =============================================================================================
# Load generator (runs in a child process)
# =============================================================================================

def _exchange(port: int, raw: bytes, timeout: float = 60.0) -> int:
    """POST one pre-built request on a new connection (as Slack does); the HTTP status, -1 on error."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(raw)
            buffer = b""
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                buffer += chunk
                head, sep, body = buffer.partition(b"\r\n\r\n")
                if sep:
                    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")[1:]
                                   if line.lower().startswith(b"content-length:")), None)
                    if length is not None and len(body) >= length:
                        break
            return int(buffer.split(b" ", 2)[1]) if buffer.startswith(b"HTTP/") else -1
    except (OSError, ValueError, IndexError):
        return -1


def _sender_main(conn) -> None:
    """Child process: receive jobs, fire them, send back timings."""
    while True:
        job = conn.recv()
        if job is None:
            return
        conn.send(_fire(**job))


def _fire(port: int, requests: list, rate: float | None, threads: int, side: dict | None = None) -> dict:
    """Send `requests`. With a `rate`, request i is due at t0 + i/rate (open loop); without, every
    sender thread sends the next request as soon as its previous one was answered (full speed).

    `side`: other requests (slash commands) sent open-loop every `interval` seconds from
    t0 + `offset` on their own threads, for as long as the main requests are being sent.
    Each result is (due, started, answered, status), all time.monotonic(); side results start
    with their index.
    """
    n = len(requests)
    results: list = [None] * n
    lock = threading.Lock()
    cursor = [0]
    t0 = time.monotonic() + 0.25
    finished = threading.Event()

    def worker() -> None:
        while True:
            with lock:
                i = cursor[0]
                cursor[0] += 1
            if i >= n:
                return
            due = t0 + i / rate if rate else t0
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            started = time.monotonic()
            status = _exchange(port, requests[i])
            results[i] = (due, started, time.monotonic(), status)

    side_results: list = []
    side_threads: list[threading.Thread] = []
    if side:
        side_requests, interval, offset, k = side["requests"], side["interval"], side["offset"], side["threads"]
        side_results = [None] * len(side_requests)

        def side_worker(first: int) -> None:
            for j in range(first, len(side_requests), k):
                due = t0 + offset + j * interval
                delay = due - time.monotonic()
                if delay > 0:
                    finished.wait(delay)
                if finished.is_set() and time.monotonic() >= finished_at[0]:
                    return  # the main requests are all answered: the side stream stops with them
                started = time.monotonic()
                status = _exchange(port, side_requests[j])
                side_results[j] = (j, due, started, time.monotonic(), status)

        finished_at = [float("inf")]
        side_threads = [threading.Thread(target=side_worker, args=(first,), daemon=True) for first in range(k)]
    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for thread in pool + side_threads:
        thread.start()
    for thread in pool:
        thread.join()
    end = time.monotonic()
    if side:
        finished_at[0] = end
        finished.set()
    for thread in side_threads:
        thread.join()
    return {"t0": t0, "end": end, "results": results, "side": [r for r in side_results if r]}


class LoadGenerator:
    def __init__(self):
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_sender_main, args=(child,), name="event-sender", daemon=True)
        self._process.start()

    @property
    def pid(self) -> int:
        return self._process.pid

    def fire(self, port: int, requests: list, rate: float | None, threads: int, side: dict | None = None) -> dict:
        self._conn.send({"port": port, "requests": requests, "rate": rate, "threads": threads, "side": side})
        return self._conn.recv()

    def close(self) -> None:
        self._conn.send(None)
        self._process.join(timeout=5)


# =============================================================================================
# Workload: signed requests, built as raw HTTP so the sender only writes bytes
# =============================================================================================

def user_id(n: int) -> str:
    return f"U{n:04d}"


def raw_request(body: str, content_type: str) -> bytes:
    from handlers.emulator import sign

    data = body.encode("utf-8")
    stamp = int(time.time())
    head = (f"POST {EVENTS_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(data)}\r\nX-Slack-Request-Timestamp: {stamp}\r\n"
            f"X-Slack-Signature: {sign(body, stamp, SIGNING_SECRET)}\r\nConnection: close\r\n\r\n")
    return head.encode("latin-1") + data


def envelope(event: dict, event_id: str) -> str:
    return json.dumps({
        "token": "legacy-verification-token", "team_id": TEAM, "api_app_id": "A1", "event": event,
        "type": "event_callback", "event_id": event_id, "event_time": int(time.time()),
        "authorizations": [{"enterprise_id": None, "team_id": TEAM, "user_id": "UBOT", "is_bot": True,
                            "is_enterprise_install": False}],
        "authed_users": ["UBOT"], "is_ext_shared_channel": False,
    })


def build_messages(count: int, spacing: float, seed: int, tag: str, channels: dict[str, float] = PACED_CHANNELS,
                   users: int = 200) -> tuple[list[bytes], dict, list[dict]]:
    """`count` signed message events, the same sequence for a given seed.

    ~200 users (a few very chatty, Zipf-like) over `channels` (weights); a quarter are thread
    replies (half of them under a recent question); ~10 % of all events are new questions.
    Returns the raw requests, the count of each kind and the envelopes (for --profile).
    """
    from handlers.emulator import message_event

    rng = random.Random(seed)
    weights = [1 / (rank ** 0.8) for rank in range(1, users + 1)]
    population = [user_id(n) for n in range(1, users + 1)]
    names, shares = list(channels), list(channels.values())
    now = time.time()
    recent: dict[str, list[tuple[str, str, bool]]] = {c: [] for c in channels}  # (ts, asker, is_question)
    requests, bodies = [], []
    kinds = {"chatter": 0, "question": 0, "reply_to_question": 0, "reply_to_chatter": 0}
    for i in range(count):
        channel = rng.choices(names, shares)[0]
        user = rng.choices(population, weights)[0]
        ts = f"{now + i * spacing:.6f}"
        thread_ts = None
        earlier = recent[channel][-200:]
        if earlier and rng.random() < 0.25:
            questions = [m for m in earlier if m[2]]
            if questions and rng.random() < 0.5:
                thread_ts, _, _ = rng.choice(questions)
                kind = "reply_to_question"
            else:
                thread_ts, _, _ = rng.choice(earlier)
                kind = "reply_to_chatter"
            text = rng.choice(REPLIES)
        elif rng.random() < 0.13:
            text, kind = rng.choice(QUESTIONS), "question"
            recent[channel].append((ts, user, True))
        else:
            text, kind = rng.choice(CHATTER), "chatter"
            recent[channel].append((ts, user, False))
        kinds[kind] += 1
        body = envelope(message_event(channel, user, text, ts=ts, thread_ts=thread_ts, team=TEAM),
                        f"Ev{tag}{i:06d}{seed:04d}")
        bodies.append(body)
        requests.append(raw_request(body, "application/json"))
    return requests, kinds, bodies


def build_commands(count: int, hooks_url: str, tag: str, channel: str = "C1") -> list[bytes]:
    """`/community help` slash commands; each response_url names its index, so the reply can be
    matched in the emulator's record."""
    out = []
    for i in range(count):
        uid = user_id(1 + i % 150)
        fields = {"token": "legacy-verification-token", "team_id": TEAM, "team_domain": "community",
                  "channel_id": channel, "channel_name": channel.lower(), "user_id": uid, "user_name": uid.lower(),
                  "command": "/community", "text": "help", "api_app_id": "A1", "is_enterprise_install": "false",
                  "response_url": f"{hooks_url}{TEAM}/{tag}-{i}/hook", "trigger_id": f"{i}.{tag}.bench"}
        out.append(raw_request(urlencode(fields), "application/x-www-form-urlencoded"))
    return out


def build_joins(users: list[str], channels: list[str], tag: str) -> list[bytes]:
    from handlers.emulator import member_joined_event

    return [raw_request(envelope(member_joined_event(channel, uid), f"Ev{tag}{i:05d}"), "application/json")
            for i, (uid, channel) in enumerate(zip(users, channels))]


# =============================================================================================
# The apps under test: both behind `SlackHttpServer`, both with Bolt's process_before_response
# =============================================================================================

class BareApp:
    """Bolt with no-op listeners, configured and served like the bot: the same front door class
    (hence the same server threads), `process_before_response=True`, and a listener executor of
    the bot's class and size for the lazy half of the slash command."""

    name = "bare"
    data_dir = None
    open_seconds = 0.0

    def __init__(self, emulator):
        from slack_bolt import App
        from slack_sdk import WebClient

        from handlers.http_server import SlackHttpServer
        from handlers.runtime import InteractiveLane

        self.interactive = InteractiveLane()
        self.app = App(signing_secret=SIGNING_SECRET, token_verification_enabled=False,
                       client=WebClient(base_url=emulator.url, token="xoxb-bare"), process_before_response=True,
                       listener_executor=self.interactive)

        @self.app.event("message")
        def on_message():
            pass

        @self.app.event("member_joined_channel")
        def on_join():
            pass

        def ack_now(ack):
            ack()

        def community(respond):
            respond(text="help", response_type="ephemeral")

        self.app.command("/community")(ack=ack_now, lazy=[community])
        self.server = SlackHttpServer(self.app, "127.0.0.1", 0, signing_secret=SIGNING_SECRET)
        self.server.start_in_background()
        self.port = self.server.port
        self.flushes: list = []
        self.applied: list = []
        self.sweep_cpu = 0.0

    def backlog(self) -> int:
        return 0

    def waiting_on_disk(self) -> int:
        return 0

    def wait_applied(self, timeout: float) -> bool:
        return self.interactive.wait_idle(timeout)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.server.close()
        self.interactive.wait_idle()
        self.interactive.shutdown(wait=True)


class RealApp:
    """The bot: `Steward` in HTTP mode (inbox lanes, delivery worker, scheduler), production
    settings (counters flushed every 5 s, sweeps every 15 s), on `data_dir`."""

    def __init__(self, name: str, emulator, data_dir: Path, create_groups: bool = False):
        from bot.settings import Settings
        from handlers.runtime import Steward

        self.name = name
        self.data_dir = data_dir
        settings = Settings(mode="http", bot_token="xoxb-benchmark", signing_secret=SIGNING_SECRET, api_url=emulator.url,
                            port=0, data_dir=data_dir, counter_flush_seconds=5, scheduler_tick_seconds=15,
                            log_level="WARNING")
        started = time.perf_counter()
        self.steward = Steward(settings)
        self.steward.start()
        self.open_seconds = time.perf_counter() - started
        if create_groups:
            for channel in GROUP_CHANNELS:
                self.steward.core.groups.create(TEAM, channel, "U0001", timezone="Europe/Paris")
        self.server = self.steward.serve_http(host="127.0.0.1", port=0, block=False)
        self.port = self.server.port
        self.flushes: list[tuple[float, float]] = []
        self.applied: list[float] = []  # when each event's applier returned (time.monotonic)
        self.sweep_cpu = 0.0  # CPU seconds the scheduled sweeps took (their own threads' time)
        self._watch()

    def _watch(self) -> None:
        """Time the store's background counter flushes and note when each event is applied
        (wrapping instance attributes, read-only: the code under test is unchanged)."""
        store, inbox = self.steward.store, self.steward.inbox
        flush, apply = store.flush, inbox.apply

        def timed_flush() -> None:
            started = time.monotonic()
            try:
                flush()
            finally:
                self.flushes.append((started, time.monotonic()))

        def noted_apply(entry) -> None:
            try:
                apply(entry)
            finally:
                self.applied.append(time.monotonic())
        store.flush = timed_flush
        inbox.apply = noted_apply
        lock = threading.Lock()

        def timed_sweep(run):
            def sweep() -> None:
                started = time.thread_time()
                try:
                    run()
                finally:
                    with lock:
                        self.sweep_cpu += time.thread_time() - started
            return sweep
        for job in self.steward.scheduler.scheduler.get_jobs():
            job.modify(func=timed_sweep(job.func))

    @property
    def inbox_dir(self) -> Path:
        return self.data_dir / "inbox"

    def backlog(self) -> int:
        return self.steward.inbox.backlog()

    def waiting_on_disk(self) -> int:
        from bot.inbox.journal import waiting_on_disk
        return waiting_on_disk(self.inbox_dir)

    def wait_applied(self, timeout: float) -> bool:
        return self.steward.inbox.wait_idle(timeout) and self.steward.interactive.wait_idle(timeout)

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
    from bot.questions import OPEN, archive_table, question_key
    from bot.questions.detection import question_summary
    from bot.questions.experts import TABLE as EXPERTS, expert_key
    from bot.text import tokens
    from bot.activity import MEMBERS, activity_table, member_key

    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    data_dir.mkdir(parents=True, exist_ok=True)
    layout: dict = {}

    # Groups: C1 and C2 (the paced events), C3 and C4 (the burst too), C5 (the storm too).
    groups = {}
    for n, channel in enumerate(GROUP_CHANNELS):
        owner = user_id(1 + n)
        group = Group(TEAM, channel, [owner, user_id(10 + n)], purpose=f"Community {channel}",
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
            member_docs[member_key(TEAM, channel, uid)] = {
                "team_id": TEAM, "channel_id": channel, "user_id": uid, "status": "left" if left else "member",
                "joined_at": utc_iso(joined), "welcomed_at": utc_iso(joined),
                "left_at": utc_iso(joined + timedelta(days=rng.uniform(1, 100))) if left else None}
    _write_table(data_dir, MEMBERS, member_docs)
    layout["members"] = {"table": MEMBERS, "docs": len(member_docs), "per_group": split}

    # Weekly activity counters for the last 12 weeks (current week included), ~700 active per week.
    weeks = {}
    for back in range(12):
        table = activity_table(now - timedelta(weeks=back))
        docs = {}
        for n in rng.sample(range(1, split["C1"] + 1), min(700, split["C1"])):
            uid = user_id(n)
            docs[member_key(TEAM, "C1", uid)] = {"team_id": TEAM, "channel_id": "C1", "user_id": uid,
                                                 "last_seen": utc_iso(now - timedelta(weeks=back)),
                                                 "messages": rng.randint(1, 40), "replies": rng.randint(0, 20)}
        _write_table(data_dir, table, docs)
        weeks[table] = len(docs)
    layout["activity"] = weeks

    def question_doc(channel: str, asker: str, asked: datetime, ts: str) -> dict:
        text = rng.choice(QUESTIONS)
        return {"key": question_key(TEAM, channel, ts), "team_id": TEAM, "channel_id": channel, "ts": ts,
                "asker": asker, "text": text, "summary": question_summary(text), "asked_at": utc_iso(asked),
                "status": "open", "next_step": "experts", "next_due_at": utc_iso(asked + timedelta(minutes=30)),
                "steps": {}, "pinged": [], "declined": [], "replies": {}}

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
        doc.update(status="resolved", next_step=None, replies={f"{replied.timestamp():.6f}": answerer},
                   first_replier=answerer, first_reply_at=utc_iso(replied),
                   answer_seconds=int((replied - asked).total_seconds()),
                   nudge_due_at=utc_iso(replied + timedelta(days=2)), resolved_by=doc["asker"],
                   resolved_at=utc_iso(replied + timedelta(minutes=30)), answerer=answerer)
        if rng.random() < 0.3:
            doc["steps"] = {"experts": {"at": utc_iso(asked + timedelta(minutes=30)), "pinged": [answerer]}}
            doc["pinged"] = [answerer]
        partitions.setdefault(archive_table(asked), {})[doc["key"]] = doc
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
        doc = question_doc(rng.choice(["C1", "C1", "C2"]), user_id(rng.randint(1, 200)), asked, ts)
        doc["next_due_at"] = utc_iso(now + timedelta(hours=rng.uniform(2, 8)))
        if i % 3 == 0:
            answerer = rng.choice(answerers)
            doc.update(status="answered", next_step=None, replies={f"{asked.timestamp() + 60:.6f}": answerer},
                       first_replier=answerer, first_reply_at=utc_iso(asked + timedelta(minutes=1)), answer_seconds=60,
                       nudge_due_at=utc_iso(now + timedelta(days=2)))
        open_docs[doc["key"]] = doc
    _write_table(data_dir, OPEN, open_docs)
    layout["open_questions"] = len(open_docs)

    # Experts: the answerers learned the words of the questions they resolved.
    expert_docs = {}
    vocabulary = sorted({term for text in QUESTIONS for term in tokens(text)})
    for uid in answerers:
        learned = {term: [round(rng.uniform(0.2, 6), 3), utc_iso(now - timedelta(days=rng.uniform(0, 700))), term]
                   for term in rng.sample(vocabulary, min(len(vocabulary), 12))}
        expert_docs[expert_key(TEAM, uid)] = {"team_id": TEAM, "user_id": uid, "topics": [], "assigned": {},
                                              "learned": learned, "penalties": {}, "opted_out": False, "pings": {}}
    _write_table(data_dir, EXPERTS, expert_docs)
    layout["experts"] = len(expert_docs)
    return layout


def dir_size(path: Path | None) -> tuple[int, int]:
    if path is None:
        return 0, 0
    files = [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


# =============================================================================================
# Measurement helpers
# =============================================================================================

def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def latency_summary(values: list[float]) -> dict:
    if not values:
        return {"p50": None, "p90": None, "p99": None, "max": None, "mean": None}
    return {"p50": round(percentile(values, 50), 2), "p90": round(percentile(values, 90), 2),
            "p99": round(percentile(values, 99), 2), "max": round(max(values), 2),
            "mean": round(statistics.fmean(values), 2)}


def ratio(a, b):
    return round(a / b, 2) if a is not None and b else None


def machine_cpu() -> tuple[float, float] | None:
    """(busy, stolen) CPU seconds of the whole machine so far, from /proc/stat (None elsewhere)."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(v) for v in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    tick = os.sysconf("SC_CLK_TCK")
    return (user + nice + system + irq + softirq) / tick, steal / tick


def process_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) used so far by process `pid`, from /proc (None elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Collections:
    """Python's garbage collections while a phase runs (`gc.callbacks`): a full collection walks
    every object the process holds, and no other thread runs meanwhile."""

    def __init__(self):
        self.pauses: list[tuple[float, float, int]] = []  # (start, end, generation), time.monotonic
        self._started = 0.0
        gc.callbacks.append(self._seen)

    def _seen(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.monotonic()
        else:
            self.pauses.append((self._started, time.monotonic(), info["generation"]))

    def stop(self) -> list[tuple[float, float, int]]:
        gc.callbacks.remove(self._seen)
        return self.pauses


class OtherLoad:
    """How busy the machine was with work other than this benchmark (its app process and its
    sender) while a phase ran, in CPUs: the benchmark shares the machine with whatever else runs,
    and a median of a millisecond moves with it. An observation only; no figure is corrected."""

    def __init__(self, sender: "LoadGenerator"):
        self.sender_pid = sender.pid
        self.wall, self.machine = time.monotonic(), machine_cpu()
        self.own, self.sender = time.process_time(), process_cpu(self.sender_pid)

    def result(self) -> dict | None:
        machine, sender = machine_cpu(), process_cpu(self.sender_pid)
        if machine is None or self.machine is None or sender is None or self.sender is None:
            return None
        wall = time.monotonic() - self.wall
        others = (machine[0] - self.machine[0]) - (time.process_time() - self.own) - (sender - self.sender)
        return {"cpus_busy": round(max(others, 0.0) / wall, 2), "cpus_stolen": round((machine[1] - self.machine[1]) / wall, 2),
                "loadavg_1min": round(os.getloadavg()[0], 2)}


def warm_up(app, sender: LoadGenerator, count: int, rate: float, tag: str, channels=PACED_CHANNELS) -> None:
    if count:
        warm, _, _ = build_messages(count, 1 / rate, 4242, tag, channels)
        sender.fire(app.port, warm, rate, 8)
        app.wait_applied(120)
        app.flush()


# =============================================================================================
# Phase (a): paced
# =============================================================================================

def run_paced(app, sender: LoadGenerator, events: int, rate: float, warmup: int, seed: int, tag: str,
              senders: int) -> dict:
    warm_up(app, sender, warmup, rate, tag + "w")
    requests, kinds, _ = build_messages(events, 1 / rate, seed, tag)
    app.flushes.clear()
    app.applied.clear()
    app.sweep_cpu = 0.0
    cpu_before = time.process_time()
    others = OtherLoad(sender)
    collections = Collections()
    fired = sender.fire(app.port, requests, rate, senders)
    idle = app.wait_applied(300)
    cpu = time.process_time() - cpu_before
    sweep_cpu = app.sweep_cpu
    pauses = collections.stop()
    other_load = others.result()
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
    full_ms = [(end - start) * 1000 for start, end, generation in pauses if generation == 2]
    long_pauses = [(start, end) for start, end, _ in pauses if end - start > 0.005]
    during_collection = sum(1 for r in slowest if any(start < r[2] and end > r[0] for start, end in long_pauses))
    lags = [(r[1] - r[0]) * 1000 for r in results if r]
    last_ack = max(r[2] for r in ok) if ok else t0
    applied_at = max(app.applied) if app.applied else last_ack
    done = max(applied_at, last_ack) - t0
    return {
        "phase": app.name, "events": len(requests), "ok": len(ok), "errors": len(requests) - len(ok),
        "workload": kinds, "target_rate": rate,
        "rate_achieved": round(len(ok) / (last_ack - t0), 2) if ok else 0.0,
        "ack_ms": latency_summary(latencies),
        "sender_lag_ms_p99": round(percentile(lags, 99), 2),
        "other_load": other_load,
        "last_ack_s": round(last_ack - t0, 2),
        "applied_done_s": round(done, 2),
        "applied_events": len(app.applied) if app.data_dir else len(ok),
        "idle": idle,
        "applied_per_s": round(len(requests) / done, 2),
        "cpu_ms_per_event": round(cpu * 1000 / len(requests), 3),
        "sweeps_cpu_ms_per_event": round(sweep_cpu * 1000 / len(requests), 3),
        "store_bytes": size, "store_files": files,
        "counter_flushes": {"count": len(flush_ms), "max_ms": round(max(flush_ms), 1) if flush_ms else None,
                            "mean_ms": round(statistics.fmean(flush_ms), 1) if flush_ms else None,
                            "slowest_1pct_acks": len(slowest), "of_which_during_flush": during_flush},
        "garbage_collections": {"count": len(pauses), "full": len(full_ms),
                                "full_max_ms": round(max(full_ms), 1) if full_ms else None,
                                "longest_ms": round(max((end - start) * 1000 for start, end, _ in pauses), 1) if pauses else None,
                                "slowest_1pct_acks_during_one_over_5ms": during_collection},
    }


def paced_checks(phases: dict) -> tuple[dict, list]:
    bare, empty, hist = phases["bare"], phases["real-empty"], phases["real-history"]
    ratios, checks = {}, []
    for real in (empty, hist):
        r50 = ratio(real["ack_ms"]["p50"], bare["ack_ms"]["p50"])
        r99 = ratio(real["ack_ms"]["p99"], bare["ack_ms"]["p99"])
        ratios[real["phase"]] = {"p50": r50, "p99": r99,
                                 "cpu_per_event": ratio(real["cpu_ms_per_event"], bare["cpu_ms_per_event"])}
        checks.append({"phase": "paced", "target": f"{real['phase']}: ack p50 real/bare <= {TARGET_RATIO_P50}",
                       "value": r50, "pass": r50 is not None and r50 <= TARGET_RATIO_P50})
        checks.append({"phase": "paced",
                       "target": f"{real['phase']}: ack p99 < {TARGET_P99_MS:g} ms at {real['target_rate']:g}/s, "
                                 "every event acked, rate kept",
                       "value": real["ack_ms"]["p99"],
                       "pass": real["ack_ms"]["p99"] < TARGET_P99_MS and real["errors"] == 0
                       and real["rate_achieved"] >= 0.95 * real["target_rate"]})
        checks.append({"phase": "paced", "target": f"{real['phase']}: every acked event applied",
                       "value": f"{real['applied_events']}/{real['ok']}",
                       "pass": real["idle"] and real["applied_events"] == real["ok"]})
    for label, get, slack in (("ack p50", lambda p: p["ack_ms"]["p50"], GROWTH_SLACK_MS),
                              ("ack p99", lambda p: p["ack_ms"]["p99"], GROWTH_SLACK_MS * 3),
                              ("CPU/event", lambda p: p["cpu_ms_per_event"], GROWTH_SLACK_CPU_MS),
                              ("applied done", lambda p: p["applied_done_s"], 1.0)):
        a, b = get(hist), get(empty)
        checks.append({"phase": "paced", "target": f"no growth with history: {label} history/empty <= "
                                                   f"{GROWTH_TOLERANCE} (or +{slack:g})",
                       "value": ratio(a, b), "pass": a <= b * GROWTH_TOLERANCE or a - b <= slack})
    return ratios, checks


# =============================================================================================
# Phase (b): burst
# =============================================================================================

def run_burst(app, sender: LoadGenerator, emulator, events: int, concurrency: int, command_interval: float,
              tag: str, clock_offset: float) -> dict:
    """`events` message events as fast as the app takes them, `/community help` every
    `command_interval` s meanwhile; then wait until every acked event is applied."""
    warm_up(app, sender, 100, 50, tag + "w", BURST_CHANNELS)
    requests, kinds, _ = build_messages(events, 0.001, 11, tag, BURST_CHANNELS)
    commands = build_commands(int(120 / command_interval), emulator.hooks_url, f"{tag}cmd")
    app.applied.clear()
    app.flushes.clear()

    # In-process watcher: the inbox backlog (acked, not yet applied) every 10 ms.
    samples: list[tuple[float, int]] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            samples.append((time.monotonic(), app.backlog()))
            stop.wait(0.01)
    watcher = threading.Thread(target=watch, name="backlog-watch", daemon=True)
    watcher.start()

    cpu_before = time.process_time()
    fired = sender.fire(app.port, requests, None, concurrency,
                        side={"requests": commands, "interval": command_interval, "offset": 0.05, "threads": 8})
    # Every request is answered: now poll until every acked event is applied, in memory and on disk.
    deadline = time.monotonic() + APPLY_TIMEOUT_S
    on_disk = None
    while time.monotonic() < deadline:
        if app.backlog() == 0:
            on_disk = app.waiting_on_disk()
            if on_disk == 0:
                break
        time.sleep(0.01)
    confirmed_at = time.monotonic()
    cpu = time.process_time() - cpu_before
    stop.set()
    watcher.join()
    app.wait_applied(60)  # the lazy command replies too

    t0, results = fired["t0"], fired["results"]
    ok = [r for r in results if r and r[3] == 200]
    acks = [(r[2] - r[1]) * 1000 for r in ok]  # from the moment each request left the sender
    last_ack = max(r[2] for r in ok) if ok else t0
    applied_at = max(app.applied) if app.applied else last_ack
    done = max(applied_at, last_ack) - t0

    side = fired["side"]
    cmd_ok = [r for r in side if r[4] == 200]
    cmd_acks = [(r[3] - r[1]) * 1000 for r in cmd_ok]  # from the scheduled time (open loop)
    # When each command's reply reached response_url (the emulator's record, wall clock).
    due_of = {r[0]: r[1] for r in side}
    replies = []
    for call in emulator.calls:
        if call.method == "response_url" and f"/{tag}cmd-" in call.path:
            j = int(call.path.split(f"/{tag}cmd-")[1].split("/")[0])
            if j in due_of:
                replies.append((call.at - clock_offset - due_of[j]) * 1000)
    backlog_max = max((b for _, b in samples), default=0)
    out = {
        "app": app.name, "events": len(requests), "ok": len(ok), "errors": len(requests) - len(ok),
        "workload": kinds, "channels": BURST_CHANNELS, "concurrency": concurrency,
        "send_s": round(last_ack - t0, 2),
        "acked_per_s": round(len(ok) / (last_ack - t0), 1) if ok else 0.0,
        "ack_ms": latency_summary(acks),
        "applied_done_s": round(done, 2),
        "applied_after_last_ack_s": round(max(0.0, applied_at - last_ack), 2),
        "applied_per_s": round(len(ok) / done, 1) if done > 0 else None,
        "applied_events": len(app.applied) if app.data_dir else len(ok),
        "confirmed_empty_s": round(confirmed_at - t0, 2),
        "waiting_on_disk_at_end": on_disk if app.data_dir else 0,
        "backlog_max": backlog_max,
        "cpu_ms_per_event": round(cpu * 1000 / len(requests), 3),
        "commands": {"sent": len(side), "ok": len(cmd_ok), "interval_s": command_interval,
                     "ack_ms": latency_summary(cmd_acks), "reply_ms": latency_summary(replies),
                     "replies": len(replies)},
    }
    return out


def burst_checks(burst: dict) -> tuple[dict, list]:
    bare, real = burst["bare"], burst["real"]
    ratios = {"ack_p50": ratio(real["ack_ms"]["p50"], bare["ack_ms"]["p50"]),
              "ack_p99": ratio(real["ack_ms"]["p99"], bare["ack_ms"]["p99"]),
              "acked_per_s": ratio(real["acked_per_s"], bare["acked_per_s"]),
              "command_ack_p99": ratio(real["commands"]["ack_ms"]["p99"], bare["commands"]["ack_ms"]["p99"])}
    p99 = real["commands"]["ack_ms"]["p99"]
    checks = [
        {"phase": "burst", "target": f"real: /community help ack p99 < {TARGET_COMMAND_ACK_P99_MS:g} ms during the burst",
         "value": p99, "pass": p99 is not None and p99 < TARGET_COMMAND_ACK_P99_MS
         and real["commands"]["ok"] == real["commands"]["sent"] and real["commands"]["sent"] > 0},
        {"phase": "burst", "target": "real: every event acknowledged (200)", "value": f"{real['ok']}/{real['events']}",
         "pass": real["errors"] == 0},
        {"phase": "burst", "target": f"real: every acked event applied within {APPLY_TIMEOUT_S:g} s "
                                     "(backlog 0, waiting_on_disk 0)",
         "value": f"{real['applied_events']}/{real['ok']}, on disk {real['waiting_on_disk_at_end']}",
         "pass": real["applied_events"] == real["ok"] and real["waiting_on_disk_at_end"] == 0},
    ]
    return ratios, checks


# =============================================================================================
# Phase (c): 429 storm
# =============================================================================================

def run_storm(app, sender: LoadGenerator, emulator, joins: int, clock_offset: float, tag: str = "S") -> dict:
    """chat.postMessage answers 429 (Retry-After 2) for STORM_SECONDS while `joins` people join the
    five groups; then wait until every welcome is delivered and count them."""
    from bot.groups import group_key
    from bot.outbox.delivery import BURST, PACE_PER_SECOND

    newcomers = [f"UNEW{i:04d}" for i in range(1, joins + 1)]
    channels = [GROUP_CHANNELS[i % len(GROUP_CHANNELS)] for i in range(joins)]
    for uid in newcomers:
        emulator.add_user(uid, tz="Europe/Paris")
    requests = build_joins(newcomers, channels, tag)
    expected = set(zip(channels, newcomers))
    before = emulator.call_counts("chat.postMessage")
    join_rate = joins / (STORM_SECONDS / 2)  # every join acked in the first half of the storm

    app.applied.clear()
    storm_start = time.monotonic()
    emulator.storm("chat.postMessage", STORM_SECONDS, status=429, retry_after=STORM_RETRY_AFTER)
    storm_end = storm_start + STORM_SECONDS
    fired = sender.fire(app.port, requests, join_rate, 8)
    acks = [(r[2] - r[0]) * 1000 for r in fired["results"] if r and r[3] == 200]
    applied = app.wait_applied(60)
    joins_applied_s = round(max(app.applied) - storm_start, 2) if app.applied else None
    queued_at_storm_end = None

    def delivered() -> dict[tuple[str, str], list[float]]:
        """(channel, newcomer) -> times (monotonic) of the welcomes Slack accepted for them."""
        found: dict[tuple[str, str], list[float]] = {}
        for call in emulator.calls:
            if call.method != "chat.postMessage" or call.outcome != "delivered":
                continue
            text = str(call.args.get("text", ""))
            for uid in newcomers:
                if f"<@{uid}>" in text:
                    found.setdefault((call.args.get("channel"), uid), []).append(call.at - clock_offset)
        return found

    deadline = storm_end + DELIVERY_TIMEOUT_S
    while time.monotonic() < deadline:
        if queued_at_storm_end is None and time.monotonic() >= storm_end:
            queued_at_storm_end = app.steward.delivery.pending()
        if (time.monotonic() > storm_end and app.steward.delivery.pending() == 0
                and not app.steward.outbox.waiting() and expected <= set(delivered())):
            break
        time.sleep(0.05)
    time.sleep(STORM_RETRY_AFTER + 1)  # a late duplicate would show up now
    found = delivered()
    after = emulator.call_counts("chat.postMessage")
    failed = sum(len(app.steward.outbox.for_group(group_key(TEAM, c))[1]) for c in GROUP_CHANNELS)
    waiting = len(app.steward.outbox.waiting())
    times = sorted(t for stamps in found.values() for t in stamps)
    during = [t for t in times if t < storm_end]
    after_storm = [t for t in times if t >= storm_end]
    per_channel = max(channels.count(c) for c in GROUP_CHANNELS)
    welcome_pairs = {pair for pair in found if pair in expected}
    return {
        "joins": joins, "channels": len(GROUP_CHANNELS), "storm_s": STORM_SECONDS, "retry_after_s": STORM_RETRY_AFTER,
        "joins_acked": len(acks), "join_ack_ms": latency_summary(acks), "applied": applied,
        "joins_applied_s": joins_applied_s,
        "posts_429": after["stormed"] - before["stormed"],
        "posts_delivered": after["delivered"] - before["delivered"],
        "welcomes_expected": len(expected),
        "welcomes_delivered": sum(len(v) for k, v in found.items() if k in expected),
        "delivered_during_storm": len(during),
        "delivered_after_storm": len(after_storm),
        "queued_at_storm_end": queued_at_storm_end,
        "duplicates": sum(len(v) - 1 for k, v in found.items() if k in expected and len(v) > 1),
        "lost": len(expected - welcome_pairs),
        "failed_in_outbox": failed, "still_waiting": waiting,
        "first_after_storm_s": round(after_storm[0] - storm_end, 2) if after_storm else None,
        "all_delivered_after_storm_s": round(times[-1] - storm_end, 2) if times and not expected - welcome_pairs else None,
        "pacing_floor_s": round(max(0, per_channel - BURST) / PACE_PER_SECOND, 1),
        "per_channel": per_channel,
    }


def storm_checks(storm: dict) -> list:
    return [
        {"phase": "storm", "target": "every join acknowledged during the storm", "value": f"{storm['joins_acked']}/{storm['joins']}",
         "pass": storm["joins_acked"] == storm["joins"]},
        {"phase": "storm", "target": "duplicates == 0", "value": storm["duplicates"], "pass": storm["duplicates"] == 0},
        {"phase": "storm", "target": f"lost == 0 (every welcome delivered within {DELIVERY_TIMEOUT_S:g} s of the storm's end, "
                                     "none failed for good)",
         "value": storm["lost"], "pass": storm["lost"] == 0 and storm["failed_in_outbox"] == 0 and storm["still_waiting"] == 0},
        {"phase": "storm", "target": "nothing delivered while chat.postMessage answered 429",
         "value": storm["delivered_during_storm"], "pass": storm["delivered_during_storm"] == 0},
    ]


# =============================================================================================
# Profiling (--profile)
# =============================================================================================

def profile(emulator, data_dir: Path, args) -> dict:
    """cProfile, on the history store: the ack path (Bolt dispatch in this thread, the journal
    included) of bare and real, the appliers called directly, and one counter flush."""
    import cProfile
    import io
    import pstats

    from slack_bolt.request import BoltRequest

    from bot.inbox.journal import Entry
    from handlers.inbox import apply_event

    def top(prof: cProfile.Profile, n: int = 16, key: str = "tottime") -> str:
        stream = io.StringIO()
        pstats.Stats(prof, stream=stream).strip_dirs().sort_stats(key).print_stats(n)
        lines = stream.getvalue().splitlines()
        start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
        return "\n".join(lines[start:start + n + 1])

    def request(raw: bytes) -> BoltRequest:
        head, _, body = raw.partition(b"\r\n\r\n")
        headers = dict(line.decode().split(": ", 1) for line in head.split(b"\r\n")[1:])
        return BoltRequest(body=body.decode(), headers={k.lower(): v for k, v in headers.items()})

    out = {}
    count = 1000 if args.quick else 3000
    real = RealApp("real-history", emulator, data_dir)
    bare = BareApp(emulator)
    try:
        for app in (bare, real):
            bolt = bare.app if app is bare else real.steward.app
            requests, _, _ = build_messages(count, 0.001, 99, "P" + app.name, BURST_CHANNELS)
            prepared = [request(raw) for raw in requests]
            prof = cProfile.Profile()
            started = time.perf_counter()
            prof.enable()
            for bolt_request in prepared:
                response = bolt.dispatch(bolt_request)
                assert response.status == 200, response.body
            prof.disable()
            elapsed = time.perf_counter() - started
            app.wait_applied(120)
            out[f"ack_path_{app.name}"] = {"us_per_event": round(elapsed * 1e6 / count, 1), "top": top(prof)}

        # The appliers, called directly on this thread (no HTTP, no Bolt, no journal).
        _, _, bodies = build_messages(count, 0.001, 98, "Plisten", BURST_CHANNELS)
        entries = []
        for seq, body in enumerate(bodies, 1):
            envelope_ = json.loads(body)
            entries.append(Entry(seq, envelope_["event_id"], envelope_["event"]["channel"],
                                 {"team_id": TEAM, "event": envelope_["event"]}))
        core = real.steward.core
        prof = cProfile.Profile()
        started = time.perf_counter()
        prof.enable()
        for entry in entries:
            apply_event(core, entry)
        prof.disable()
        elapsed = time.perf_counter() - started
        out["apply_real_history"] = {"us_per_event": round(elapsed * 1e6 / count, 1), "top": top(prof),
                                     "top_cumulative": top(prof, 20, "cumulative")}

        # One background counter flush after a 5-second window at 50 events/s (~150 active users).
        real.steward.store.flush()
        group = core.groups.get(TEAM, "C1")
        for n in range(1, 151):
            core.activity.message(group, user_id(n), f"1700000000.{n:06d}", None, "messages", f"Evflush{n}")
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

def _ms(value) -> str:
    return "    -   " if value is None else f"{value:>6.1f}ms" if value >= 10 else f"{value:>6.2f}ms"


def print_report(result: dict) -> None:
    paced = result.get("paced")
    if paced:
        phases = paced["phases"]
        h = result["history"]
        kinds = phases["bare"]["workload"]
        print()
        print("== (a) paced ==")
        print(f"Workload per phase: {kinds['chatter']} chatter, {kinds['question']} new questions, "
              f"{kinds['reply_to_question']} replies under questions, {kinds['reply_to_chatter']} other thread replies; "
              f"~200 users, C1 80 % / C2 20 %, every event_id unique.")
        print(f"History: {h['members']['docs']} members, {h['closed_questions']['docs']} closed questions in "
              f"{h['closed_questions']['partitions']} monthly partitions, {h['open_questions']} open, {h['experts']} experts, "
              f"12 weekly activity tables; {h['bytes'] / 1e6:.1f} MB in {h['files']} files.")
        header = (f"{'phase':<13} {'events':>6} {'rate/s':>7} {'ack p50':>8} {'p99':>8} {'max':>8} "
                  f"{'applied':>8} {'appl/s':>7} {'CPU/ev':>7} {'store':>8} {'errs':>4}")
        print(header)
        print("-" * len(header))
        for p in phases.values():
            print(f"{p['phase']:<13} {p['events']:>6} {p['rate_achieved']:>7.1f} {_ms(p['ack_ms']['p50'])} "
                  f"{_ms(p['ack_ms']['p99'])} {_ms(p['ack_ms']['max'])} {p['applied_done_s']:>7.2f}s "
                  f"{p['applied_per_s']:>7.1f} {p['cpu_ms_per_event']:>5.2f}ms {p['store_bytes'] / 1e6:>6.2f}MB "
                  f"{p['errors']:>4}")
        print("  (ack: from the scheduled send to the HTTP 200; applied: seconds from the first send until every")
        print("   event was applied; CPU/ev: this process's CPU per event, ack + appliers + background + emulator)")
        for p in phases.values():
            f = p["counter_flushes"]
            if f["count"]:
                print(f"  {p['phase']}: {f['count']} counter flushes, mean {f['mean_ms']} ms, max {f['max_ms']} ms; "
                      f"{f['of_which_during_flush']} of the {f['slowest_1pct_acks']} slowest acks overlapped one")
        for p in phases.values():
            g = p.get("garbage_collections")
            if g and g["count"]:
                print(f"  {p['phase']}: {g['count']} garbage collections, {g['full']} full (longest {g['full_max_ms']} ms), "
                      f"longest of all {g['longest_ms']} ms; {g['slowest_1pct_acks_during_one_over_5ms']} of the slowest "
                      f"acks overlapped one over 5 ms; scheduled sweeps {p.get('sweeps_cpu_ms_per_event', 0):.2f} ms CPU/event")
        lag = max(p["sender_lag_ms_p99"] for p in phases.values())
        print(f"  sender lag p99: {lag:.2f} ms" + ("  <-- sender threads were all busy; raise --senders" if lag > 5 else ""))
        loads = [(p["phase"], p.get("other_load")) for p in phases.values()]
        if all(load for _, load in loads):
            print("  other work on the machine meanwhile (CPUs busy outside this benchmark, stolen, 1-min load): "
                  + "; ".join(f"{name} {load['cpus_busy']:.2f}, {load['cpus_stolen']:.2f}, {load['loadavg_1min']:.1f}"
                              for name, load in loads))
        for name, r in paced["ratios"].items():
            print(f"  real/bare {name:<13} ack p50 x{r['p50']}   ack p99 x{r['p99']}   CPU/event x{r['cpu_per_event']}")

    burst = result.get("burst")
    if burst:
        print()
        print("== (b) burst ==")
        real = burst["real"]
        k = real["workload"]
        print(f"{real['events']} events at full speed ({real['concurrency']} connections at a time), channels "
              f"{', '.join(f'{c} {int(w * 100)} %' for c, w in real['channels'].items())}: {k['chatter']} chatter, "
              f"{k['question']} questions, {k['reply_to_question'] + k['reply_to_chatter']} replies; "
              f"`/community help` every {real['commands']['interval_s']} s while sending. History store.")
        header = (f"{'app':<6} {'send':>6} {'acked/s':>8} {'ack p50':>8} {'p99':>8} {'max':>8} {'applied':>8} "
                  f"{'appl/s':>7} {'backlog':>7} {'cmd p50':>8} {'cmd p99':>8} {'reply p99':>9} {'errs':>4}")
        print(header)
        print("-" * len(header))
        for name in ("bare", "real"):
            b = burst[name]
            c = b["commands"]
            print(f"{name:<6} {b['send_s']:>5.2f}s {b['acked_per_s']:>8.1f} {_ms(b['ack_ms']['p50'])} "
                  f"{_ms(b['ack_ms']['p99'])} {_ms(b['ack_ms']['max'])} {b['applied_done_s']:>7.2f}s "
                  f"{b['applied_per_s']:>7.1f} {b['backlog_max']:>7} {_ms(c['ack_ms']['p50'])} {_ms(c['ack_ms']['p99'])} "
                  f" {_ms(c['reply_ms']['p99'])} {b['errors']:>4}")
        print("  (ack: from the moment the request left; applied: from the first send until every acked event")
        print("   was applied, confirmed by backlog() == 0 and waiting_on_disk == 0; cmd: ack of the commands,")
        print("   from their scheduled time; reply: until their answer reached response_url)")
        r = burst["ratios"]
        print(f"  real/bare: ack p50 x{r['ack_p50']}, ack p99 x{r['ack_p99']}, acked/s x{r['acked_per_s']}, "
              f"command ack p99 x{r['command_ack_p99']}; real applied {real['applied_after_last_ack_s']} s after its last ack")

    storm = result.get("storm")
    if storm:
        print()
        print("== (c) 429 storm ==")
        s = storm
        print(f"chat.postMessage answered 429 (Retry-After {s['retry_after_s']}) for {s['storm_s']:g} s while {s['joins']} "
              f"members joined {s['channels']} groups ({s['per_channel']} per group), History store.")
        print(f"  joins acked {s['joins_acked']}/{s['joins']} (ack p50 {s['join_ack_ms']['p50']} ms, p99 {s['join_ack_ms']['p99']} ms); "
              f"{s['posts_429']} attempts answered 429; last join applied {s['joins_applied_s']} s into the storm; "
              f"{s['queued_at_storm_end']} posts queued when the storm ended")
        print(f"  welcomes delivered {s['welcomes_delivered']}/{s['welcomes_expected']} "
              f"(during the storm {s['delivered_during_storm']}, after {s['delivered_after_storm']}); duplicates "
              f"{s['duplicates']}, lost {s['lost']}, failed for good {s['failed_in_outbox']}")
        print(f"  first delivered {s['first_after_storm_s']} s after the storm, all delivered "
              f"{s['all_delivered_after_storm_s']} s after it (pacing floor: {s['per_channel']} posts per channel at "
              f"1/s after a burst of 3 = {s['pacing_floor_s']} s)")

    probe = result.get("profile")
    if probe:
        for name, section in probe.items():
            print()
            unit = "us for the whole flush" if name.startswith("counter_flush") else "us/event"
            print(f"--- profile {name}: {section['us_per_event']} {unit} (tottime) ---")
            print(section["top"])
            if "top_cumulative" in section:
                print(f"--- profile {name} (cumulative) ---")
                print(section["top_cumulative"])

    print()
    for check in result["checks"]:
        print(f"  [{'PASS' if check['pass'] else 'FAIL'}] ({check['phase']}) {check['target']}  (got {check['value']})")
    print(f"  overall: {'PASS' if result['pass'] else 'FAIL'}")


# =============================================================================================

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phases", default=",".join(PHASES), help="comma-separated: paced,burst,storm (default all)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 300 paced events per app, a 500-event burst, 25 joins")
    parser.add_argument("--events", type=int, default=None, help="paced: events per app (default 1500)")
    parser.add_argument("--rate", type=float, default=50.0, help="paced: events per second (default 50)")
    parser.add_argument("--senders", type=int, default=8, help="paced: sender threads (default 8)")
    parser.add_argument("--burst-events", type=int, default=None, help="burst: events (default 2000)")
    parser.add_argument("--burst-concurrency", type=int, default=32, help="burst: connections at a time (default 32)")
    parser.add_argument("--command-interval", type=float, default=0.025, help="burst: seconds between commands (default 0.025)")
    parser.add_argument("--joins", type=int, default=None, help="storm: members joining (default 50, over 5 groups)")
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--questions", type=int, default=20000, help="closed questions in history")
    parser.add_argument("--open-questions", type=int, default=50)
    parser.add_argument("--profile", action="store_true", help="also cProfile the ack path and the appliers")
    parser.add_argument("--json", type=Path, default=RESULTS, help=f"where to write results (default {RESULTS.relative_to(REPO)})")
    args = parser.parse_args(argv)
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    unknown = set(phases) - set(PHASES)
    if unknown or not phases:
        parser.error(f"--phases takes some of {','.join(PHASES)}; got {args.phases!r}")
    args.events = args.events or (300 if args.quick else 1500)
    args.burst_events = args.burst_events or (500 if args.quick else 2000)
    args.joins = args.joins or (25 if args.quick else 50)
    args.warmup = min(args.events, int(args.rate * (1 if args.quick else 2)))

    import logging
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "task queue depth" during the burst is expected

    from handlers.emulator import SlackEmulator

    began = time.perf_counter()
    clock_offset = time.time() - time.monotonic()  # emulator records wall time; the sender, monotonic
    print(f"events benchmark: phases {','.join(phases)}; {os.cpu_count()} CPUs, Python {platform.python_version()}")
    sender = LoadGenerator()
    result: dict = {"config": {"phases": phases, "quick": args.quick, "paced_events": args.events, "rate": args.rate,
                               "senders": args.senders, "warmup": args.warmup, "burst_events": args.burst_events,
                               "burst_concurrency": args.burst_concurrency, "command_interval": args.command_interval,
                               "joins": args.joins, "storm_seconds": STORM_SECONDS, "retry_after": STORM_RETRY_AFTER,
                               "cpus": os.cpu_count(), "python": platform.python_version(),
                               "platform": platform.platform()}}
    checks: list = []
    with tempfile.TemporaryDirectory(prefix="steward-bench-", dir=os.environ.get("BENCH_TMP")) as tmp, \
            SlackEmulator() as emulator:
        for n in range(1, max(args.members, 200) + 1):
            emulator.add_user(user_id(n))
        for channel in GROUP_CHANNELS:
            emulator.add_channel(channel, channel.lower(), creator="U0001", members=["UBOT"])

        template = Path(tmp) / "history-template"
        started = time.perf_counter()
        layout = write_history(template, args.members, args.questions, args.open_questions)
        layout["write_seconds"] = round(time.perf_counter() - started, 2)
        layout["bytes"], layout["files"] = dir_size(template)
        result["history"] = layout
        copies = iter(range(100))

        def history_copy() -> Path:
            target = Path(tmp) / f"history-{next(copies)}"
            shutil.copytree(template, target)
            return target

        def measured(make, run):
            app = make()
            try:
                return run(app)
            finally:
                app.close()

        if "paced" in phases:
            paced: dict = {}
            paced["bare"] = measured(lambda: BareApp(emulator), lambda app: run_paced(
                app, sender, args.events, args.rate, args.warmup, 1, "B", args.senders))
            print(f"  paced bare done ({time.perf_counter() - began:.0f}s)")
            paced["real-empty"] = measured(lambda: RealApp("real-empty", emulator, Path(tmp) / "empty", create_groups=True),
                                           lambda app: run_paced(app, sender, args.events, args.rate, args.warmup, 1, "E",
                                                                 args.senders))
            print(f"  paced real-empty done ({time.perf_counter() - began:.0f}s)")

            def history_run(app):
                result["history"]["open_seconds"] = round(app.open_seconds, 2)
                return run_paced(app, sender, args.events, args.rate, args.warmup, 1, "H", args.senders)
            paced["real-history"] = measured(lambda: RealApp("real-history", emulator, history_copy()), history_run)
            print(f"  paced real-history done ({time.perf_counter() - began:.0f}s)")
            ratios, paced_list = paced_checks(paced)
            result["paced"] = {"phases": paced, "ratios": ratios}
            checks += paced_list

        if "burst" in phases:
            burst: dict = {}
            burst["bare"] = measured(lambda: BareApp(emulator), lambda app: run_burst(
                app, sender, emulator, args.burst_events, args.burst_concurrency, args.command_interval, "XB",
                clock_offset))
            print(f"  burst bare done ({time.perf_counter() - began:.0f}s)")
            burst["real"] = measured(lambda: RealApp("real", emulator, history_copy()), lambda app: run_burst(
                app, sender, emulator, args.burst_events, args.burst_concurrency, args.command_interval, "XR",
                clock_offset))
            print(f"  burst real done ({time.perf_counter() - began:.0f}s)")
            burst["ratios"], burst_list = burst_checks(burst)
            result["burst"] = burst
            checks += burst_list

        if "storm" in phases:
            result["storm"] = measured(lambda: RealApp("real", emulator, history_copy()),
                                       lambda app: run_storm(app, sender, emulator, args.joins, clock_offset))
            print(f"  storm done ({time.perf_counter() - began:.0f}s)")
            checks += storm_checks(result["storm"])
        sender.close()

        if args.profile:
            result["profile"] = profile(emulator, history_copy(), args)

    result["checks"] = checks
    result["pass"] = all(c["pass"] for c in checks)
    result["seconds"] = round(time.perf_counter() - began, 1)
    print_report(result)
    print(f"\ntotal {result['seconds']} s; results written to {args.json}")

    args.json.parent.mkdir(parents=True, exist_ok=True)
    saved = {k: v for k, v in result.items() if k != "profile"}
    if "profile" in result:
        saved["profile_us_per_event"] = {k: v["us_per_event"] for k, v in result["profile"].items()}
    args.json.write_text(json.dumps(saved, indent=2) + "\n", encoding="utf-8")
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
