"""The running bot: Bolt app, store, scheduler, and the HTTP or Socket Mode front door."""
from __future__ import annotations

import logging
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt.adapter.wsgi import SlackRequestHandler

from .app import build_app
from .clock import Clock, SystemClock
from .settings import Settings
from .store import Store, TinyDBStore

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # one access-log line per event would drown the logs
        log.debug("%s - %s", self.address_string(), format % args)


class Steward:
    def __init__(self, settings: Settings, *, clock: Clock | None = None, store: Store | None = None):
        from schedules import StewardScheduler
        from schedules.catalog import all_sweeps

        self.settings = settings
        self.clock = clock or SystemClock()
        self.store = store or TinyDBStore(settings.data_dir, settings.counter_flush_seconds)
        self.app, self.slack = build_app(settings, self.store, self.clock)
        self.scheduler = StewardScheduler(all_sweeps(self.slack), settings.scheduler_tick_seconds)
        self._server = None

    def start_scheduler(self) -> None:
        self.scheduler.start()

    def serve_http(self, host: str = "0.0.0.0", port: int | None = None, *, block: bool = True):
        """HTTP mode: events, slash commands, interactivity and options all on POST /slack/events."""
        wsgi = SlackRequestHandler(self.app, path=EVENTS_PATH)
        self._server = make_server(host, self.settings.port if port is None else port, wsgi,
                                   server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
        if block:
            self._server.serve_forever()
        else:
            threading.Thread(target=self._server.serve_forever, name="http", daemon=True).start()
        return self._server

    def run_socket_mode(self) -> None:
        from slack_bolt.adapter.socket_mode import SocketModeHandler
        SocketModeHandler(self.app, self.settings.app_token).start()

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        self.scheduler.shutdown()
        self.store.close()
