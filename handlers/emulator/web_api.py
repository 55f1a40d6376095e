"""A local stand-in for Slack's Web API, served over real HTTP.

Point a slack_sdk ``WebClient(base_url=emulator.url)`` (or a Bolt ``App`` built
with such a client) at it and every call is answered the way Slack would answer
it, from a tiny in-memory workspace, and recorded so tests can assert on what
the bot actually sent over the wire.

    with SlackEmulator() as slack:
        slack.add_user("U1", "alice")
        client = WebClient(token="xoxb-test", base_url=slack.url)
        client.chat_postMessage(channel="C1", text="hi")
        [args] = slack.wait_for("chat.postMessage")

Scripted responses (``add_response``, ``fail``, ``rate_limit``) are consumed in
order before the default behaviour, so a test can make one call fail and the
next succeed.

The emulator also accepts POSTs under ``hooks_url`` (see ``response_url()``),
recorded as method ``"response_url"``: Bolt's ``respond()`` posts to the
``response_url`` of slash commands and actions, and the real
hooks.slack.com is unreachable from tests.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Deque, Dict, Iterable, List, Optional, Tuple
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

Args = Dict[str, Any]
Where = Optional[Callable[[Args], bool]]

# What response_url posts are recorded as; not a Web API method name.
RESPONSE_URL_METHOD = "response_url"


@dataclass(frozen=True)
class Call:
    """One request received by the emulator, as it arrived on the wire."""

    method: str
    args: Args
    token: Optional[str]
    at: float
    # Only set for response_url posts (which hook was used); empty for API calls.
    path: str = ""

    def decoded_args(self) -> Args:
        return decode_json_args(self.args)


def decode_json_arg(value: Any) -> Any:
    """Decode a value that was sent as a JSON string (``blocks`` in a form body).

    slack_sdk sends ``blocks``/``view``/``attachments`` as real JSON for some
    methods and as JSON *strings* inside a form body for others; this gives
    tests one shape to assert on. Non-JSON values are returned unchanged.
    """
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


# Arguments Slack documents as "a JSON-based ... as a URL-encoded string".
JSON_ARGS = frozenset({"attachments", "blocks", "metadata", "unfurls", "view"})


def decode_json_args(args: Args) -> Args:
    """Copy of ``args`` with the JSON-string arguments (JSON_ARGS) decoded."""
    return {
        name: decode_json_arg(value) if name in JSON_ARGS else value
        for name, value in args.items()
    }


@dataclass(frozen=True)
class _ScriptedResponse:
    status: int
    body: Dict[str, Any]
    headers: Dict[str, str]


@dataclass
class _User:
    id: str
    name: str
    tz: str
    is_bot: bool
    is_admin: bool
    is_owner: bool
    team_id: str


@dataclass
class _Channel:
    id: str
    name: str
    creator: str
    members: List[str]
    is_private: bool
    created: int = field(default_factory=lambda: int(time.time()))


class SlackEmulator:
    """Slack Web API emulator; use as a context manager or start()/stop()."""

    def __init__(
        self,
        *,
        team_id: str = "T1",
        team_domain: str = "community",
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
        bot_name: str = "steward",
        first_ts: str = "1700000000.000100",
    ) -> None:
        self.team_id = team_id
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        # One lock guards calls, scripts and workspace state: handler threads
        # and the test thread touch all of them.
        self._lock = threading.RLock()
        self._calls: List[Call] = []
        self._scripts: Dict[str, Deque[_ScriptedResponse]] = defaultdict(deque)
        self._users: Dict[str, _User] = {}
        self._channels: Dict[str, _Channel] = {}
        seconds, micros = first_ts.split(".")
        self._next_ts_micros = int(seconds) * 1_000_000 + int(micros)
        self._view_ids = itertools.count(1)
        self._hook_ids = itertools.count(1)
        self._server: Optional[ThreadingHTTPServer] = None
        self._thread: Optional[threading.Thread] = None
        self.add_user(bot_user_id, bot_name, is_bot=True, team_id=team_id)
        self._handlers: Dict[str, Callable[[Args], Dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "conversations.info": self._conversations_info,
            "conversations.members": self._conversations_members,
            "conversations.open": self._conversations_open,
            "conversations.join": self._conversations_join,
            "users.info": self._users_info,
            "views.publish": self._views_echo,
            "views.open": self._views_echo,
            "views.update": self._views_echo,
            "reactions.add": _ok,
            "reactions.remove": _ok,
            "pins.list": lambda args: {"ok": True, "items": []},
            "bookmarks.list": lambda args: {"ok": True, "bookmarks": []},
        }

    # ------------------------------------------------------------------ server

    def start(self) -> "SlackEmulator":
        if self._server is not None:
            return self
        server = ThreadingHTTPServer(("127.0.0.1", 0), _RequestHandler)
        server.daemon_threads = True
        server.emulator = self  # type: ignore[attr-defined]
        self._server = server
        # A short poll interval keeps stop() well under half a second.
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="slack-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=1.0)

    def __enter__(self) -> "SlackEmulator":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        if self._server is None:
            raise RuntimeError("SlackEmulator is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    @property
    def url(self) -> str:
        """Web API base URL; slack_sdk appends the method name to it."""
        return self.root_url + "api/"

    @property
    def hooks_url(self) -> str:
        return self.root_url + "hooks/"

    def response_url(self) -> str:
        """A fresh response_url that the emulator answers and records."""
        return f"{self.hooks_url}{self.team_id}/{next(self._hook_ids)}/hook"

    # -------------------------------------------------------- workspace state

    def add_user(
        self,
        user_id: str,
        name: Optional[str] = None,
        *,
        tz: str = "Europe/Paris",
        is_bot: bool = False,
        is_admin: bool = False,
        is_owner: bool = False,
        team_id: str = "T1",
    ) -> None:
        ZoneInfo(tz)  # fail at set-up time, not inside a request, on a bad tz
        with self._lock:
            self._users[user_id] = _User(
                user_id, name or user_id.lower(), tz, is_bot, is_admin, is_owner, team_id
            )

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        creator: str,
        members: Iterable[str] = (),
        is_private: bool = False,
    ) -> None:
        with self._lock:
            self._channels[channel_id] = _Channel(
                channel_id, name, creator, list(members), is_private
            )

    def channel_members(self, channel_id: str) -> List[str]:
        with self._lock:
            return list(self._channels[channel_id].members)

    # ------------------------------------------------------------ recorded calls

    @property
    def calls(self) -> List[Call]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> List[Args]:
        with self._lock:
            return [call.args for call in self._calls if call.method == method]

    def wait_for(
        self, method: str, count: int = 1, timeout: float = 5.0, where: Where = None
    ) -> List[Args]:
        """Wait until ``count`` calls to ``method`` (matching ``where``) arrived.

        Bolt acks first and runs listeners afterwards, often on another thread,
        so the API calls a test expects may land after the HTTP response.
        Returns all matching calls' args.
        """
        deadline = time.monotonic() + timeout
        while True:
            matching = [
                args for args in self.calls_to(method) if where is None or where(args)
            ]
            if len(matching) >= count or time.monotonic() >= deadline:
                break
            time.sleep(0.01)
        if len(matching) < count:
            raise AssertionError(
                f"expected at least {count} call(s) to {method}"
                f"{' matching the predicate' if where else ''} within {timeout}s, "
                f"got {len(matching)}.\n{self.dump_calls()}"
            )
        return matching

    def dump_calls(self, max_arg_chars: int = 300) -> str:
        calls = self.calls
        if not calls:
            return "Recorded calls: (none)"
        lines = [f"Recorded calls ({len(calls)}):"]
        for index, call in enumerate(calls):
            text = json.dumps(call.args, default=str, sort_keys=True)
            if len(text) > max_arg_chars:
                text = text[:max_arg_chars] + "..."
            lines.append(f"  {index}. {call.method} {text}")
        return "\n".join(lines)

    def reset_calls(self) -> None:
        with self._lock:
            self._calls.clear()

    # ------------------------------------------------------- scripted responses

    def add_response(
        self,
        method: str,
        body: Optional[Dict[str, Any]] = None,
        *,
        status: int = 200,
        headers: Optional[Dict[str, str]] = None,
        times: int = 1,
    ) -> None:
        """Queue a one-shot response for ``method``, used ``times`` times."""
        scripted = _ScriptedResponse(
            status, dict(body) if body is not None else {"ok": True}, dict(headers or {})
        )
        with self._lock:
            self._scripts[method].extend([scripted] * times)

    def fail(self, method: str, error: str, times: int = 1) -> None:
        # Slack reports API errors with HTTP 200 and ok=false.
        self.add_response(method, {"ok": False, "error": error}, times=times)

    def rate_limit(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        self.add_response(
            method,
            {"ok": False, "error": "ratelimited"},
            status=429,
            headers={"Retry-After": str(retry_after)},
            times=times,
        )

    # ---------------------------------------------------------- request entry

    def _handle(
        self, method: str, args: Args, token: Optional[str], path: str = ""
    ) -> Tuple[int, Dict[str, Any], Dict[str, str]]:
        with self._lock:
            self._calls.append(Call(method, args, token, time.time(), path))
            script = self._scripts.get(method)
            if script:
                scripted = script.popleft()
                return scripted.status, dict(scripted.body), dict(scripted.headers)
        if method == RESPONSE_URL_METHOD:
            return 200, {"ok": True}, {}
        handler = self._handlers.get(method)
        if handler is None:
            return 200, {"ok": False, "error": "unknown_method"}, {}
        with self._lock:
            return 200, handler(args), {}

    # ------------------------------------------------------ default behaviour

    def _new_ts(self) -> str:
        with self._lock:
            self._next_ts_micros += 100
            value = self._next_ts_micros - 100
        return f"{value // 1_000_000}.{value % 1_000_000:06d}"

    def _auth_test(self, args: Args) -> Dict[str, Any]:
        return {
            "ok": True,
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_domain,
            "user": self._users[self.bot_user_id].name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, args: Args) -> Dict[str, Any]:
        channel = args.get("channel")
        if not channel:
            return _error("channel_not_found")
        if not _has_content(args):
            return _error("no_text")
        # Posting to a user id delivers to the DM with that user, and Slack
        # answers with the DM channel's id.
        if channel.startswith("U"):
            channel = "D" + channel
        ts = self._new_ts()
        message: Dict[str, Any] = {
            "type": "message",
            "text": args.get("text", ""),
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "team": self.team_id,
            "ts": ts,
        }
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        if args.get("blocks"):
            message["blocks"] = decode_json_arg(args["blocks"])
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _chat_post_ephemeral(self, args: Args) -> Dict[str, Any]:
        if not args.get("channel"):
            return _error("channel_not_found")
        if not args.get("user"):
            return _error("user_not_found")
        if not _has_content(args):
            return _error("no_text")
        return {"ok": True, "message_ts": self._new_ts()}

    def _chat_update(self, args: Args) -> Dict[str, Any]:
        if not args.get("channel"):
            return _error("channel_not_found")
        if not args.get("ts"):
            return _error("message_not_found")
        return {
            "ok": True,
            "channel": args["channel"],
            "ts": args["ts"],
            "text": args.get("text", ""),
        }

    def _chat_delete(self, args: Args) -> Dict[str, Any]:
        if not args.get("channel"):
            return _error("channel_not_found")
        if not args.get("ts"):
            return _error("message_not_found")
        return {"ok": True, "channel": args["channel"], "ts": args["ts"]}

    def _chat_get_permalink(self, args: Args) -> Dict[str, Any]:
        channel, ts = args.get("channel"), args.get("message_ts")
        if not channel:
            return _error("channel_not_found")
        if not ts:
            return _error("message_not_found")
        return {
            "ok": True,
            "channel": channel,
            "permalink": f"https://{self.team_domain}.slack.com/archives/"
            f"{channel}/p{ts.replace('.', '')}",
        }

    def _conversations_info(self, args: Args) -> Dict[str, Any]:
        channel = self._channels.get(args.get("channel", ""))
        if channel is None:
            return _error("channel_not_found")
        return {"ok": True, "channel": self._channel_object(channel)}

    def _channel_object(self, channel: _Channel) -> Dict[str, Any]:
        def text_field(value: str) -> Dict[str, Any]:
            return {"value": value, "creator": "", "last_set": 0}

        return {
            "id": channel.id,
            "name": channel.name,
            "name_normalized": channel.name,
            "created": channel.created,
            "creator": channel.creator,
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_private": channel.is_private,
            "is_archived": False,
            "is_general": channel.name == "general",
            "is_member": self.bot_user_id in channel.members,
            "topic": text_field(""),
            "purpose": text_field(""),
            "num_members": len(channel.members),
        }

    def _conversations_members(self, args: Args) -> Dict[str, Any]:
        channel = self._channels.get(args.get("channel", ""))
        if channel is None:
            return _error("channel_not_found")
        try:
            limit = int(args.get("limit") or 100)
            start = _decode_cursor(args.get("cursor") or "")
        except ValueError:
            return _error("invalid_cursor")
        if limit < 1:
            limit = 100  # Slack treats 0 as "use the default"
        page = channel.members[start : start + limit]
        end = start + len(page)
        next_cursor = _encode_cursor(end) if end < len(channel.members) else ""
        return {
            "ok": True,
            "members": page,
            "response_metadata": {"next_cursor": next_cursor},
        }

    def _conversations_open(self, args: Args) -> Dict[str, Any]:
        if args.get("channel"):
            return {"ok": True, "channel": {"id": args["channel"]}}
        users = args.get("users") or ""
        if isinstance(users, list):
            user_ids = [str(user) for user in users]
        else:
            user_ids = [user for user in str(users).split(",") if user]
        if not user_ids:
            return _error("users_list_not_supplied")
        if len(user_ids) == 1:
            return {"ok": True, "channel": {"id": "D" + user_ids[0]}}
        # Group DMs get their own id; derive it so reopening gives the same one.
        return {"ok": True, "channel": {"id": "G" + "".join(sorted(user_ids))}}

    def _conversations_join(self, args: Args) -> Dict[str, Any]:
        channel = self._channels.get(args.get("channel", ""))
        if channel is None:
            return _error("channel_not_found")
        if self.bot_user_id not in channel.members:
            channel.members.append(self.bot_user_id)
        return {"ok": True, "channel": self._channel_object(channel)}

    def _users_info(self, args: Args) -> Dict[str, Any]:
        user = self._users.get(args.get("user", ""))
        if user is None:
            return _error("user_not_found")
        now = datetime.now(ZoneInfo(user.tz))
        offset = now.utcoffset()
        profile: Dict[str, Any] = {"display_name": user.name, "real_name": user.name}
        if user.id == self.bot_user_id:
            profile["bot_id"] = self.bot_id
        return {
            "ok": True,
            "user": {
                "id": user.id,
                "team_id": user.team_id,
                "name": user.name,
                "real_name": user.name,
                "deleted": False,
                "tz": user.tz,
                "tz_label": now.tzname(),
                "tz_offset": int(offset.total_seconds()) if offset else 0,
                "is_bot": user.is_bot,
                "is_admin": user.is_admin,
                "is_owner": user.is_owner,
                "is_primary_owner": False,
                "is_restricted": False,
                "is_ultra_restricted": False,
                "is_app_user": False,
                "profile": profile,
            },
        }

    def _views_echo(self, args: Args) -> Dict[str, Any]:
        view = decode_json_arg(args.get("view"))
        if not isinstance(view, dict):
            return _error("invalid_arguments")
        echoed = dict(view)
        echoed.setdefault("id", args.get("view_id") or f"V{next(self._view_ids):08d}")
        echoed.setdefault("team_id", self.team_id)
        echoed.setdefault("hash", f"{int(time.time())}.hash")
        return {"ok": True, "view": echoed}


def _ok(args: Args) -> Dict[str, Any]:
    return {"ok": True}


def _error(error: str) -> Dict[str, Any]:
    return {"ok": False, "error": error}


def _has_content(args: Args) -> bool:
    # Slack accepts any of these as the message content.
    return any(args.get(name) for name in ("text", "blocks", "attachments"))


def _encode_cursor(offset: int) -> str:
    # Opaque-looking like Slack's cursors, so code can't rely on their content.
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _decode_cursor(cursor: str) -> int:
    if not cursor:
        return 0
    try:
        prefix, _, offset = base64.b64decode(cursor).decode().partition(":")
    except Exception as exc:  # binascii.Error, UnicodeDecodeError
        raise ValueError(cursor) from exc
    if prefix != "offset":
        raise ValueError(cursor)
    return int(offset)


class _RequestHandler(BaseHTTPRequestHandler):
    server_version = "SlackEmulator/1.0"

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest output clean

    def _serve(self) -> None:
        emulator: SlackEmulator = self.server.emulator  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        if parts.path.startswith("/api/"):
            method = parts.path[len("/api/") :]
        elif parts.path.startswith("/hooks/"):
            method = RESPONSE_URL_METHOD
        else:
            self._reply(404, {"ok": False, "error": "not_found"}, {})
            return
        args: Args = dict(parse_qsl(parts.query, keep_blank_values=True))
        args.update(self._body_args())
        token = _bearer_token(self.headers.get("Authorization"))
        # Slack also accepts the token as an argument; it's still not an arg.
        if "token" in args and method != RESPONSE_URL_METHOD:
            form_token = args.pop("token")
            token = token or form_token
        status, body, headers = emulator._handle(method, args, token, parts.path)
        self._reply(status, body, headers)

    def _body_args(self) -> Args:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return {}
        content_type = (self.headers.get("Content-Type") or "").lower()
        text = raw.decode("utf-8")
        if content_type.startswith("application/json"):
            parsed = json.loads(text)
            return parsed if isinstance(parsed, dict) else {"_json": parsed}
        if content_type.startswith("application/x-www-form-urlencoded"):
            return dict(parse_qsl(text, keep_blank_values=True))
        # Multipart uploads are outside what the bot does; keep the raw body
        # visible rather than silently dropping it.
        return {"_raw_body": text}

    def _reply(self, status: int, body: Dict[str, Any], headers: Dict[str, str]) -> None:
        payload = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


def _bearer_token(header: Optional[str]) -> Optional[str]:
    if header and header.lower().startswith("bearer "):
        return header[len("bearer ") :].strip()
    return None
