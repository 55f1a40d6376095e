"""The running bot: Bolt app, store, scheduler, and the HTTP or Socket Mode front door."""
from __future__ import annotations

import logging
import time
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait

from .app import build_app
from .clock import Clock, SystemClock
from .settings import Settings
from .store import Store, TinyDBStore

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"


class ListenerExecutor(ThreadPoolExecutor):
    """Bolt's listener pool, remembering work in flight so shutdown (and tests) can wait for it."""

    def __init__(self, max_workers: int = 10):
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")
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
        """True once every listener submitted so far (and any they started) has finished."""
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
        from schedules import StewardScheduler
        from schedules.catalog import all_sweeps

        self.settings = settings
        self.clock = clock or SystemClock()
        self.store = store or TinyDBStore(settings.data_dir, settings.counter_flush_seconds)
        self.listeners = ListenerExecutor()
        self.app, self.slack = build_app(settings, self.store, self.clock, self.listeners)
        self.scheduler = StewardScheduler(all_sweeps(self.slack), settings.scheduler_tick_seconds)
        self._server = None

    def start_scheduler(self) -> None:
        self.scheduler.start()

    def serve_http(self, host: str = "0.0.0.0", port: int | None = None, *, block: bool = True):
        """HTTP mode: events, slash commands, interactivity and options all on POST /slack/events.

        Raises OSError (EADDRINUSE) at once when the port is taken."""
        from handlers.http_server import SlackHttpServer  # the adapter depends on the core, not back
        self._server = SlackHttpServer(self.app, host, self.settings.port if port is None else port,
                                       signing_secret=self.settings.signing_secret, path=EVENTS_PATH)
        if block:
            self._server.serve_forever()
        else:
            self._server.start_in_background()
        return self._server

    def socket_mode_handler(self):
        """Socket Mode over Bolt's built-in adapter; it opens the connection through the app's
        WebClient, so `SLACK_API_URL` applies here too."""
        from slack_bolt.adapter.socket_mode import SocketModeHandler
        return SocketModeHandler(self.app, self.settings.app_token, web_client=self.app.client)

    def run_socket_mode(self) -> None:
        self.socket_mode_handler().start()

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
        self.listeners.wait_idle()  # let listeners finish their writes before the store closes
        self.listeners.shutdown(wait=True)
        self.scheduler.shutdown()
        self.store.close()
