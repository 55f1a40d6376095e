"""The Slack HTTP front door: waitress in front of a request gate in front of Bolt.

    server = SlackHttpServer(bolt_app, "0.0.0.0", 3000, signing_secret=secret)
    server.serve_forever()              # or .start_in_background(), then .port, .close()

Two layers, each doing one job:

* `SlackRequestGate` (WSGI) turns away everything that is not a well-formed, Slack-signed
  POST /slack/events *before* Bolt sees it. Bolt parses the body while building its request
  object, before its own signature check runs, and answers a bad body with a 500 and a
  traceback; the gate answers 400/401/404/405/413/415 with one log line instead. Only requests
  that pass reach Bolt's own `SlackRequestHandler` (which verifies the signature again: the
  second check is cheap and keeps Bolt safe if someone mounts it without the gate). Work a
  listener deferred until the answer is out (`handlers.acks`: an event's lane) runs once the gate
  has written the answer.
* `SlackHttpServer` runs the gate on waitress, a threaded WSGI server whose I/O thread
  buffers each whole request before a worker sees it, with a large listen backlog so a
  burst of Slack deliveries queues instead of being reset.

Socket Mode never comes through here: its requests arrive over an authenticated WebSocket.
"""
from __future__ import annotations

import io
import json
import logging
import socket
import threading
from typing import Any, Callable, Iterable
from urllib.parse import parse_qsl

from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.signature import SignatureVerifier
from waitress import create_server, wasyncore

from .acks import answering

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
# Slack's requests are a few kB (a large modal submission stays well under 100 kB); 1 MiB
# leaves room for anything legitimate and bounds what one request can make us hold in memory.
MAX_BODY_BYTES = 1024 * 1024
JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"

# Waitress settings, see SlackHttpServer.
THREADS = 8
BACKLOG = 1024
CHANNEL_TIMEOUT_SECONDS = 15
CLEANUP_INTERVAL_SECONDS = 5


class Rejected(Exception):
    """A request the gate answers itself; `reason` goes in the reply and the log line."""

    def __init__(self, status: str, reason: str, headers: list[tuple[str, str]] | None = None):
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.headers = headers or []
        self.signed = False  # set once the signature was checked and good


# ------------------------------------------------------------------------------------ the gate


class SlackRequestGate:
    """WSGI app: signature first, then body shape, then Bolt.

    Order matters. Nothing about the body is looked at before the signature is known good,
    so an unauthenticated client learns nothing but 401; and only authenticated requests can
    produce the (WARNING-level) "Slack sent a body we cannot handle" lines, so those lines
    cannot be used to flood the log.
    """

    def __init__(self, bolt_app, signing_secret: str, *, path: str = EVENTS_PATH,
                 max_body_bytes: int = MAX_BODY_BYTES):
        self.path = path
        self.max_body_bytes = max_body_bytes
        self.verifier = SignatureVerifier(signing_secret)
        self.bolt = SlackRequestHandler(bolt_app, path=path)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            body = self._admit(environ)
        except Rejected as rejected:
            log.log(_log_level(rejected), "refused %s %s: %s %s", environ.get("REQUEST_METHOD"),
                    environ.get("PATH_INFO"), rejected.status, rejected.reason)
            return _reply(start_response, rejected.status, rejected.reason, rejected.headers)
        # Bolt reads the body again from wsgi.input, so hand it a fresh stream of what we read.
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        with answering() as answer:
            writes: list[Callable[[bytes], Any]] = []

            def start(status: str, headers: list, *exc_info) -> Callable[[bytes], Any]:
                writes.append(start_response(status, headers, *exc_info))
                return writes[-1]
            chunks = self.bolt(environ, start)
            if not answer.callbacks:
                return chunks  # nothing waits for the answer: the server writes it as usual
            # Work waits for the answer (an event's lane): write the answer here, through the
            # server's write callable, which returns once the bytes are sent or queued for sending
            # (PEP 3333), so that work starts after it. An iterable's close() would not do: waitress
            # sends the headers of an empty body (Bolt's event ack) only after calling it.
            try:
                writes[-1](b"".join(chunks))
            finally:
                if hasattr(chunks, "close"):
                    chunks.close()
            return []

    def _admit(self, environ: dict) -> bytes:
        """The raw body of a request fit for Bolt, or `Rejected`."""
        if environ.get("PATH_INFO") != self.path:
            raise Rejected("404 Not Found", "not found")
        if environ.get("REQUEST_METHOD") != "POST":
            # The resource exists; only the method is wrong, so 405 (with Allow), not 404.
            raise Rejected("405 Method Not Allowed", "only POST", [("Allow", "POST")])
        body = self._read_body(environ)

        # 1. Who sent it. Missing credentials or a wrong/stale signature: 401.
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
        signature = environ.get("HTTP_X_SLACK_SIGNATURE")
        if not timestamp or not signature:
            raise Rejected("401 Unauthorized", "missing X-Slack-Signature or X-Slack-Request-Timestamp")
        if not (timestamp.isascii() and timestamp.isdigit()):
            # SignatureVerifier would raise on int(timestamp); this is a malformed header.
            raise Rejected("400 Bad Request", "X-Slack-Request-Timestamp is not a whole number of seconds")
        try:
            text = body.decode("utf-8")  # Slack sends UTF-8; the verifier and Bolt both decode it
        except UnicodeDecodeError:
            raise Rejected("400 Bad Request", "body is not UTF-8") from None
        # compare_digest raises on non-ASCII text, and WSGI hands headers over as latin-1.
        if not signature.isascii() or not self.verifier.is_valid(text, timestamp, signature):
            # is_valid also refuses a timestamp more than 5 minutes from now.
            raise Rejected("401 Unauthorized", "invalid signature or stale timestamp")

        # 2. What it says. Only now, for a request Slack really sent, look inside.
        try:
            parsed = parse_like_bolt(text, _media_type(environ))
            problem = envelope_problem(parsed)
            if problem and parsed.get("type") == "event_callback" and problem.startswith("event"):
                # A signed event we cannot use (`event: null`, no type) has nothing to keep; any
                # answer but 200 would only make Slack deliver it again.
                raise Rejected("200 OK", f"ignored: {problem}")
            if problem:
                raise Rejected("400 Bad Request", problem)
        except Rejected as rejected:
            rejected.signed = True
            raise
        return body

    def _read_body(self, environ: dict) -> bytes:
        length_header = environ.get("CONTENT_LENGTH") or "0"
        if not (length_header.isascii() and length_header.isdigit()):
            raise Rejected("400 Bad Request", "bad Content-Length")
        length = int(length_header)
        if length > self.max_body_bytes:
            raise Rejected("413 Content Too Large", f"body over {self.max_body_bytes} bytes")
        return environ["wsgi.input"].read(length) if length else b""


def _log_level(rejected: Rejected) -> int:
    if rejected.status.startswith("200"):
        return logging.DEBUG  # an event of a shape we do not use, acknowledged and ignored
    if rejected.signed:
        return logging.WARNING  # Slack (or someone with our secret) sent what we cannot handle
    if rejected.status.startswith(("400", "401")):
        return logging.INFO  # e.g. a wrong SLACK_SIGNING_SECRET: every request fails like this
    return logging.DEBUG  # wrong path, method or size: scanners, not Slack


def _media_type(environ: dict) -> str | None:
    content_type = environ.get("CONTENT_TYPE") or ""
    return content_type.split(";")[0].strip().lower() or None


def _reply(start_response: Callable, status: str, reason: str, headers: list[tuple[str, str]]) -> list[bytes]:
    data = (reason + "\n").encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                            ("Content-Length", str(len(data))), *headers])
    return [data]


# ----------------------------------------------------------------------------- body checks


def parse_like_bolt(text: str, media_type: str | None) -> dict:
    """The body as Bolt will parse it, or `Rejected` where Bolt's parser would raise.

    Mirrors `slack_bolt.request.internals.parse_body`: JSON when the type says so or the body
    starts with "{"; otherwise a form, whose `payload` field (interactivity) is JSON. Bolt
    would raise on bad JSON, and crash later on JSON that is not an object.
    """
    if not text:
        raise Rejected("400 Bad Request", "empty body")
    if media_type == JSON_TYPE or text.startswith("{"):
        return _json_object(text, "body")
    if media_type not in (FORM_TYPE, None):
        raise Rejected("415 Unsupported Media Type", f"expected {JSON_TYPE} or {FORM_TYPE}")
    fields = dict(parse_qsl(text, keep_blank_values=True))
    if "payload" in fields:
        return _json_object(fields["payload"], "payload field")
    return fields  # a slash command or an ssl_check


def _json_object(text: str, what: str) -> dict:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        raise Rejected("400 Bad Request", f"{what} is not valid JSON") from None
    if not isinstance(value, dict):
        raise Rejected("400 Bad Request", f"{what} is not a JSON object")
    return value


# Payload types and the fields Bolt's routing reads with `body[...]` for them (so their absence
# or wrong type is a 500 inside Bolt). Listener-specific fields are the listeners' business.
_NEEDS_CALLBACK_ID = {"shortcut", "message_action", "interactive_message", "dialog_submission",
                      "dialog_cancellation", "dialog_suggestion", "workflow_step_edit"}
# Objects whose `user`/`channel`/`team`/`enterprise` Bolt looks into to build its context.
_NESTED = ("event", "message", "previous_message", "item", "assistant_thread")


def envelope_problem(body: dict) -> str | None:
    """Why Bolt could not route `body` without raising, or None if it can.

    These are the parts of Slack's documented payload shapes that Bolt itself relies on
    (found by reading Bolt's request parsing and listener matching, and by sending every field
    it touches as null, a number, a string, a list and an object): the envelope, not what a
    particular listener needs from the event.
    """
    kind = body.get("type")
    if not isinstance(kind, str):
        kind = None  # Bolt matches nothing on a non-string type and answers "unhandled" (404)
    if "event" in body and not isinstance(body["event"], dict):
        # Bolt's self-event filter reads body.get("event", {}).get(...) on every request.
        return "event is not an object"
    if kind == "event_callback":
        if not isinstance(body.get("event", {}).get("type"), str):
            return "event_callback without an event object that has a type"
    elif kind == "block_actions":
        actions = body.get("actions")
        if not (isinstance(actions, list) and actions
                and all(isinstance(a, dict) and isinstance(a.get("action_id"), str) for a in actions)):
            return "block_actions without a list of actions that each have an action_id"
    elif kind in ("view_submission", "view_closed"):
        view = body.get("view")
        if not (isinstance(view, dict) and isinstance(view.get("callback_id"), str)
                and isinstance(view.get("type"), str)):
            return f"{kind} without a view that has a callback_id and a type"
    elif kind == "block_suggestion" and not isinstance(body.get("action_id"), str):
        return "block_suggestion without an action_id"
    if kind in _NEEDS_CALLBACK_ID and not isinstance(body.get("callback_id"), str):
        return f"{kind} without a callback_id"
    if kind == "interactive_message" and not (isinstance(body.get("actions"), list) and body["actions"]
                                              and isinstance(body["actions"][0], dict)):
        return "interactive_message without actions"
    if "response_urls" in body and not _list_of_objects(body["response_urls"]):
        return "response_urls is not a list of objects"
    return _ids_problem(body, "", depth=0)


def _ids_problem(obj: dict, where: str, depth: int) -> str | None:
    # Bolt reads these as "a string id, or an object with an id" (`"id" in value`), and reads
    # `authorizations[0]` as an object; anything else raises while it builds its context.
    for name in ("user", "channel", "team", "enterprise"):
        value = obj.get(name)
        if value is not None and not isinstance(value, (str, dict)):
            return f"{where}{name} is neither an id nor an object"
    authorizations = obj.get("authorizations")
    if authorizations is not None and not _list_of_objects(authorizations):
        return f"{where}authorizations is not a list of objects"
    if depth == 2:  # Bolt looks no deeper than event.message.user
        return None
    for name in _NESTED:
        nested = obj.get(name)
        if isinstance(nested, dict):
            problem = _ids_problem(nested, f"{where}{name}.", depth + 1)
            if problem:
                return problem
        elif nested is not None and where == "event." and name in ("message", "previous_message"):
            # Bolt's message-subtype matching calls event.message.get(...).
            return f"{where}{name} is not an object"
    return None


def _list_of_objects(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


# ---------------------------------------------------------------------------------- the server


class SlackHttpServer:
    """Bolt's HTTP mode on waitress: POST /slack/events, signed by Slack, nothing else.

    Waitress settings, and why:
    * `threads=8`: a worker only runs the gate and Bolt's routing (HMAC, JSON, a thread-pool
      submit; about a millisecond of GIL-bound Python), because Bolt acks first and runs the
      listeners on its own pool, and waitress's I/O thread buffers each request in full
      before a worker sees it, so slow clients never hold one. More threads would not add
      throughput under the GIL. Slash commands and interactivity do park their worker while
      Bolt waits for the listener to call ack() (it polls for up to 3 s), so 8 rather than
      waitress's 4 keeps a few of those from delaying event acks.
    * `backlog=1024`: connections Slack opens in a burst wait in the kernel's queue instead of
      being reset (http.server's 5 reset them at 32 clients). Linux caps it at somaxconn.
    * `channel_timeout=15`, `cleanup_interval=5`: Slack gives up after 3 s, so a connection
      idle for 15 s is dead or hostile; closing it frees its slot among waitress's
      `connection_limit` (100) connections within 20 s instead of the default 2.5 min.
    * `max_request_body_size`: waitress itself answers 413 past MAX_BODY_BYTES, chunked or not.
    * `clear_untrusted_proxy_headers=True`: no proxy is trusted, so X-Forwarded-* headers are
      dropped rather than believed (nothing here reads them; this keeps it that way).
    * `asyncore_use_poll=True`: poll() has no FD_SETSIZE (1024) ceiling, unlike select().
    * No access log: waitress writes none, and the queue-depth warning it logs whenever all
      workers are busy is silenced, because a short queue during a burst is the design.
    """

    def __init__(self, bolt_app, host: str, port: int, *, signing_secret: str,
                 threads: int = THREADS, backlog: int = BACKLOG, path: str = EVENTS_PATH,
                 max_body_bytes: int = MAX_BODY_BYTES):
        self.gate = SlackRequestGate(bolt_app, signing_secret, path=path, max_body_bytes=max_body_bytes)
        # We bind the socket ourselves so there is exactly one listener whatever `host` resolves
        # to (waitress would otherwise open one per address), and so a busy port fails here,
        # in the caller's thread, with OSError(EADDRINUSE).
        listener = _listen(host, port, backlog)
        try:
            self._server = create_server(
                self.gate,
                # Its own socket map: waitress's default is one global map, so closing one server
                # (a restart, a test) would close every other server's sockets too.
                map={},
                sockets=[listener],
                threads=threads,
                backlog=backlog,
                channel_timeout=CHANNEL_TIMEOUT_SECONDS,
                cleanup_interval=CLEANUP_INTERVAL_SECONDS,
                max_request_body_size=max_body_bytes,
                clear_untrusted_proxy_headers=True,
                asyncore_use_poll=True,
                ident="community-steward",
            )
        except BaseException:
            listener.close()
            raise
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        self.host = host
        self.port: int = listener.getsockname()[1]  # the real one when port 0 was asked for
        self._loop_thread: threading.Thread | None = None
        self._loop_done = threading.Event()
        self._close_lock = threading.Lock()
        self._closed = False

    @property
    def server_address(self) -> tuple[str, int]:
        """(host, port), like socketserver's, for callers that learned the port that way."""
        return self.host, self.port

    def serve_forever(self) -> None:
        """Serve in this thread until close() (waitress also returns on SystemExit/Ctrl-C)."""
        self._loop_thread = threading.current_thread()
        log.info("Slack requests: POST http://%s:%s%s", self.host, self.port, self.gate.path)
        try:
            self._server.run()
        finally:
            self._loop_done.set()

    def start_in_background(self) -> "SlackHttpServer":
        thread = threading.Thread(target=self.serve_forever, name="http", daemon=True)
        self._loop_thread = thread
        thread.start()
        return self

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the server stops (True) or `timeout` passes; signals still interrupt it."""
        return self._loop_done.wait(timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Let the requests workers are handling finish (up to `timeout`), then close every
        connection and the listening socket. Idempotent."""
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        self._server.task_dispatcher.shutdown(timeout=timeout)
        loop = self._loop_thread
        if loop is not None and loop is not threading.current_thread() and loop.is_alive() \
                and not self._loop_done.is_set():
            # The socket map belongs to the loop's thread: close everything from there. With the
            # map empty, waitress's loop returns.
            self._server.trigger.pull_trigger(lambda: wasyncore.close_all(self._server._map))
            self._loop_done.wait(timeout)
        else:
            wasyncore.close_all(self._server._map)


def _listen(host: str, port: int, backlog: int) -> socket.socket:
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0][0]
    return socket.create_server((host, port), family=family, backlog=backlog)
