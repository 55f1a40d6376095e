"""The Slack front door: everything that runs when the bot is connected to Slack.

    store ─ core (bot.assembly) ─ sweeps (schedules)
       inbox (journal, lanes) ◀─ Bolt app (handlers.app) ◀─ HTTP (waitress) or Socket Mode
       outbox ─▶ delivery worker ─▶ SlackTransport ─▶ chat.postMessage

Start order: replay the inbox and start delivering before any request is served, so what a
previous run acknowledged is applied first. Stop order: stop taking requests, let the lanes and
interactive work finish, stop the sweeps, then the delivery worker, then close the store.
"""
from __future__ import annotations

import errno
import logging
import signal
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait

from bot.assembly import build_core
from bot.clock import Clock, SystemClock
from bot.inbox import Inbox
from bot.outbox import Outbox
from bot.outbox.delivery import DeliveryWorker
from bot.settings import Settings
from bot.store import Store, open_store
from schedules import StewardScheduler
from schedules.catalog import all_sweeps

from .app import build_slack_app
from .inbox import apply_event
from .slack_api import SlackDirectory, SlackTransport, SlackWorkspace, build_delivery_client, build_web_client

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
INBOX_LANES = 4
INTERACTIVE_WORKERS = 8
SWITCH_INTERVAL = 0.0005  # seconds


class InteractiveLane(ThreadPoolExecutor):
    """Bolt's listener executor, used only by interactive work; remembers work in flight so
    shutdown (and tests) can wait for it."""

    def __init__(self, max_workers: int = INTERACTIVE_WORKERS):
        super().__init__(max_workers=max_workers, thread_name_prefix="interactive")
        self._in_flight: set[Future] = set()
        self._lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._in_flight.add(future)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future) -> None:
        with self._lock:
            self._in_flight.discard(future)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                pending = set(self._in_flight)
            if not pending:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            wait(pending, timeout=remaining)


class Steward:
    def __init__(self, settings: Settings, *, clock: Clock | None = None, store: Store | None = None):
        # A lane woken by an event takes the GIL while the server thread still has the 200 to send;
        # by default it keeps the GIL up to 5 ms. A shorter interval lets the answer out first.
        sys.setswitchinterval(SWITCH_INTERVAL)
        self.settings = settings
        self.clock = clock or SystemClock()
        self.store = store or open_store(settings)
        lookups = build_web_client(settings)
        self.outbox = Outbox(self.store)
        self.core = build_core(settings, self.store, self.clock, SlackDirectory(lookups), self.outbox, SlackWorkspace(lookups))
        self.inbox = Inbox(settings.data_dir / "inbox", lambda entry: apply_event(self.core, entry), workers=INBOX_LANES,
                           checkpoint=self.store.flush, checkpoint_every=settings.counter_flush_seconds)
        self.delivery = DeliveryWorker(self.outbox, SlackTransport(build_delivery_client(settings)),
                                       give_up_after=settings.delivery_give_up_after, report_failure=self.core.report_failure)
        self.interactive = InteractiveLane()
        self.app = build_slack_app(settings, self.core, self.inbox, lookups, self.interactive)
        self.scheduler = StewardScheduler(all_sweeps(self.core), settings.scheduler_tick_seconds)
        self._server = None
        self._started = False

    def start(self) -> None:
        """Replay what was acknowledged but not applied, and start delivering and sweeping."""
        self.inbox.start()
        self.delivery.start()
        self.scheduler.start()
        self._started = True

    def serve_http(self, host: str = "0.0.0.0", port: int | None = None, *, block: bool = True):
        """HTTP mode: events, slash commands, interactivity and options all on POST /slack/events.
        The port is taken at once (OSError when it is not free), then served."""
        server = self.bind_http(host, port)
        if block:
            server.serve_forever()
        else:
            server.start_in_background()
        return server

    def bind_http(self, host: str = "0.0.0.0", port: int | None = None):
        """Take the port without serving yet (so a second copy stops before touching the data)."""
        from .http_server import SlackHttpServer
        self._server = SlackHttpServer(self.app, host, self.settings.port if port is None else port,
                                       signing_secret=self.settings.signing_secret or "", path=EVENTS_PATH)
        return self._server

    def socket_mode_handler(self):
        """Socket Mode over Bolt's built-in adapter, opened through the app's WebClient, so
        `SLACK_API_URL` applies here too. Acks go back after the listener, as in HTTP mode."""
        from slack_bolt.adapter.socket_mode import SocketModeHandler
        return SocketModeHandler(self.app, self.settings.app_token, web_client=self.app.client)

    def run_socket_mode(self) -> None:
        self.socket_mode_handler().start()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Until every accepted event and interactive request is done and the outbox is empty."""
        return self.inbox.wait_idle(timeout) and self.interactive.wait_idle(timeout) and self.delivery.wait_idle(timeout)

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        self.interactive.wait_idle()
        self.interactive.shutdown(wait=True)
        if self._started:
            self.inbox.close()
            self.scheduler.shutdown()
            self.delivery.stop()
        self.store.close()


def run(settings: Settings) -> int:
    """`python -m bot` with Slack settings: start, serve until stopped; the exit status.

    Whatever stops the start (a corrupt data file, a token Slack refuses, Slack out of reach, a
    port in use) is one line naming the fix, and exit status 2, like a bad setting.
    """
    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError

    from bot.store import StoreError
    try:
        steward = Steward(settings)
    except StoreError as error:
        return _fail(f"data error: {error} (DATA_DIR={settings.data_dir})")
    except (SlackApiError, BoltError) as error:
        # Bolt checks the token with auth.test while it builds the app and turns Slack's refusal
        # into a BoltError; any other BoltError is a bug and keeps its traceback.
        refusal = error if isinstance(error, SlackApiError) else error.__context__
        if not isinstance(refusal, SlackApiError):
            raise
        code = refusal.response.get("error") if refusal.response is not None else refusal
        return _fail(f"Slack refused the bot token ({code}): check SLACK_BOT_TOKEN and SLACK_API_URL")
    except OSError as error:
        return _fail(f"cannot reach Slack at {settings.api_url} ({error}); check SLACK_API_URL and the network")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # container stop: close the store cleanly
    try:
        if settings.mode == "http":
            # Take the port before replaying the journal or sweeping, so a second copy started by
            # mistake on the same data stops here.
            try:
                server = steward.bind_http()
            except OSError as error:
                return _fail(_cannot_listen(settings.port, error))
        steward.start()
        if settings.mode == "socket":
            log.info("Socket Mode: connecting to Slack")
            steward.run_socket_mode()
        else:
            log.info("HTTP mode on port %s, path %s", settings.port, EVENTS_PATH)
            server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        steward.close()
    return 0


def _cannot_listen(port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return f"PORT {port} is already in use (another copy of the bot?); stop that process or set PORT to a free port"
    if error.errno == errno.EACCES:
        return f"PORT {port} needs privileges this process lacks; set PORT to 1024 or above"
    return f"cannot listen on PORT {port} ({error.strerror or error}); set PORT to a free port"


def _fail(line: str) -> int:
    print(f"steward: {line}", file=sys.stderr)
    return 2
