"""A local stand-in for Slack's Web API, served over real HTTP.

Point a slack_sdk ``WebClient(base_url=emulator.url)`` (or a Bolt ``App`` built
with such a client) at it and every call is answered the way Slack would answer
it, from a small in-memory workspace, and recorded so tests can assert on what
the bot actually sent over the wire.

    with SlackEmulator() as slack:
        slack.add_user("U1", "alice")
        slack.add_channel("C1", "general", creator="U1", members=["U1", "UBOT"])
        client = WebClient(token="xoxb-test", base_url=slack.url)
        client.chat_postMessage(channel="C1", text="hi")
        [args] = slack.wait_for("chat.postMessage")
        [message] = slack.messages("C1")

The workspace keeps users, channels and messages like Slack: chat.postMessage
stores the message (``messages()``, ``thread()``, conversations.history and
conversations.replies read it back), chat.update / chat.delete change it, and
reactions.add / reactions.remove / reactions.get work on it. Tests add what
people said with ``add_message`` so the history matches the events they send.

Failures, in the order they take precedence:
  * ``storm``: every call to a method fails (HTTP 429 with Retry-After, or a
    5xx outage page) until a time window ends or ``calm()`` is called.
  * ``add_response`` / ``fail`` / ``rate_limit``: one-shot scripted answers,
    consumed in order before the default behaviour, so a test can make one
    call fail and the next succeed.
Each recorded ``Call`` says which of these answered it (``outcome``).

Channels: as in Slack, an unknown channel is ``channel_not_found``, posting to
an archived one ``is_archived``, and the bot must be a member to post or read
(``not_in_channel``; a private channel it is not in is ``channel_not_found``).
``SlackEmulator(strict_membership=False)`` drops the membership check.

The emulator also accepts POSTs under ``hooks_url`` (see ``response_url()``),
recorded as method ``"response_url"``: Bolt's ``respond()`` posts to the
``response_url`` of slash commands and actions, and the real
hooks.slack.com is unreachable from tests.

Also for the local workspace (``handlers.local``), which serves this same workspace
to a browser:
  * ``subscribe(listener)``: the listener hears of every answered call (after
    the lock is released), so a page can be told when the bot posts.
  * ``SlackEmulator(clock=...)``: message ts follow that clock instead of
    counting up from ``first_ts``, so a ts says when the message was posted
    on the workspace's (movable) clock, as it does on Slack.
  * ``keep_calls``: remember only the most recent calls (a long-running
    workspace would otherwise keep every call forever).
  * ``export_state()`` / ``load_state()``: users, channels and messages as
    JSON-ready data, so a workspace survives a restart.
  * what people do besides posting: ``edit_message``, ``remove_reaction``,
    ``join_channel`` / ``leave_channel``; and reads: ``users``, ``channels``,
    ``message``, ``history``.

Thread safety: one lock guards all state; the bot calls from several threads.
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
from typing import (
    Any,
    Callable,
    ClassVar,
    Deque,
    Dict,
    FrozenSet,
    Iterable,
    List,
    Optional,
    Set,
    Tuple,
    Union,
)
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from .messages import Message, MessageStore, micros_ts, ts_micros
from .sender import ts_taken

Args = Dict[str, Any]
Where = Optional[Callable[[Args], bool]]
# A JSON answer, or a raw text body (what an outage looks like: not JSON at all).
Body = Union[Dict[str, Any], str]
Answer = Tuple[int, Body, Dict[str, str]]

# What response_url posts are recorded as; not a Web API method name.
RESPONSE_URL_METHOD = "response_url"
# storm() on this name hits every Web API method (not response_url posts).
ALL_METHODS = "*"

# How a recorded call was answered (Call.outcome).
DELIVERED = "delivered"  # by the emulated workspace (success or a Slack error)
SCRIPTED = "scripted"  # by a one-shot add_response / fail / rate_limit
STORMED = "stormed"  # by an active storm()
OUTCOMES = (DELIVERED, SCRIPTED, STORMED)

# Slack's documented page sizes: conversations.history 100 (at most 999),
# conversations.replies 1000.
HISTORY_PAGE, HISTORY_MAX_PAGE = 100, 999
REPLIES_PAGE = 1000


@dataclass(frozen=True)
class Call:
    """One request received by the emulator, as it arrived on the wire."""

    method: str
    args: Args
    token: Optional[str]
    at: float
    # Only set for response_url posts (which hook was used); empty for API calls.
    path: str = ""
    # DELIVERED, SCRIPTED or STORMED: what answered it.
    outcome: str = DELIVERED

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


# What a load balancer in front of a down service serves: HTML, not Slack's JSON.
_OUTAGE_PAGE = "<html><body><h1>{status} Service Unavailable</h1></body></html>"


@dataclass(frozen=True)
class _Storm:
    until: float  # time.monotonic() deadline
    status: int
    retry_after: Optional[int]
    error: str

    def answer(self) -> Answer:
        if self.status >= 500:
            return self.status, _OUTAGE_PAGE.format(status=self.status), {}
        headers = {}
        if self.status == 429 and self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        return self.status, {"ok": False, "error": self.error}, headers


@dataclass
class _User:
    id: str
    name: str
    tz: str
    is_bot: bool
    is_admin: bool
    is_owner: bool
    team_id: str
    deleted: bool = False
    title: str = ""


@dataclass
class _Channel:
    id: str
    name: str
    creator: str
    members: List[str]
    is_private: bool
    created: int = field(default_factory=lambda: int(time.time()))
    is_archived: bool = False


class SlackEmulator:
    """Slack Web API emulator; use as a context manager or start()/stop()."""

    # Web API method -> the method answering it; anything else gets unknown_method.
    _HANDLERS: ClassVar[Dict[str, str]] = {
        "auth.test": "_auth_test",
        "bookmarks.list": "_bookmarks_list",
        "chat.delete": "_chat_delete",
        "chat.getPermalink": "_chat_get_permalink",
        "chat.postEphemeral": "_chat_post_ephemeral",
        "chat.postMessage": "_chat_post_message",
        "chat.update": "_chat_update",
        "conversations.history": "_conversations_history",
        "conversations.info": "_conversations_info",
        "conversations.join": "_conversations_join",
        "conversations.members": "_conversations_members",
        "conversations.open": "_conversations_open",
        "conversations.replies": "_conversations_replies",
        "pins.list": "_pins_list",
        "reactions.add": "_reactions_add",
        "reactions.get": "_reactions_get",
        "reactions.remove": "_reactions_remove",
        "users.info": "_users_info",
        "views.open": "_views_echo",
        "views.publish": "_views_echo",
        "views.update": "_views_echo",
        # Each duty's methods, under its heading (and its answers at the end of the class):
        # approval
        "conversations.invite": "_conversations_invite",

        # moderation

        # content
        "bookmarks.add": "_bookmarks_add",
        "bookmarks.remove": "_bookmarks_remove",
        "pins.add": "_pins_add",
        "pins.remove": "_pins_remove",

        # events

        # report
        "files.completeUploadExternal": "_files_complete_upload_external",
        "files.getUploadURLExternal": "_files_get_upload_url_external",

        # audience

    }
    # The Web API methods the emulator answers (the spec copy must cover them all).
    METHODS: ClassVar[FrozenSet[str]] = frozenset(_HANDLERS)

    def __init__(
        self,
        *,
        team_id: str = "T1",
        team_domain: str = "community",
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
        bot_name: str = "steward",
        first_ts: str = "1700000000.000100",
        strict_membership: bool = True,
        clock: Optional[Any] = None,
        keep_calls: Optional[int] = None,
    ) -> None:
        self.team_id = team_id
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        # Slack's rule: the bot must be in a channel to use it (conversations.join).
        # Off, it may use any channel the emulator knows.
        self.strict_membership = strict_membership
        # Anything with now() -> aware datetime; None: ts count up from first_ts.
        self._clock = clock
        self._keep_calls = keep_calls
        self._listeners: List[Callable[[Call, int, Body], None]] = []
        # One lock guards calls, scripts, storms and workspace state: handler
        # threads and the test thread touch all of them.
        self._lock = threading.RLock()
        self._calls: List[Call] = []
        self._scripts: Dict[str, Deque[_ScriptedResponse]] = defaultdict(deque)
        self._storms: Dict[str, _Storm] = {}
        self._users: Dict[str, _User] = {}
        self._channels: Dict[str, _Channel] = {}
        # Group DMs opened with conversations.open: "G..." ids that are not channels.
        self._group_dms: Set[str] = set()
        self._messages = MessageStore()
        self._next_ts_micros = ts_micros(first_ts)
        self._view_ids = itertools.count(1)
        self._hook_ids = itertools.count(1)
        self._server: Optional[ThreadingHTTPServer] = None
        self._thread: Optional[threading.Thread] = None
        self.add_user(bot_user_id, bot_name, is_bot=True, team_id=team_id)

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
        deleted: bool = False,
        title: str = "",
    ) -> None:
        """A user; ``deleted`` is a deactivated account (users.info answers ``deleted: true``)."""
        ZoneInfo(tz)  # fail at set-up time, not inside a request, on a bad tz
        with self._lock:
            self._users[user_id] = _User(
                user_id, name or user_id.lower(), tz, is_bot, is_admin, is_owner, team_id, deleted, title
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

    def archive_channel(self, channel_id: str) -> None:
        """Archive a known channel: posting there then answers ``is_archived``."""
        with self._lock:
            self._channels[channel_id].is_archived = True

    def channel_members(self, channel_id: str) -> List[str]:
        with self._lock:
            return list(self._channels[channel_id].members)

    def join_channel(self, channel_id: str, user_id: str) -> bool:
        """``user_id`` joins a known channel; False if they were already in it."""
        with self._lock:
            members = self._channels[channel_id].members
            if user_id in members:
                return False
            members.append(user_id)
            return True

    def leave_channel(self, channel_id: str, user_id: str) -> bool:
        """``user_id`` leaves a known channel; False if they were not in it."""
        with self._lock:
            members = self._channels[channel_id].members
            if user_id not in members:
                return False
            members.remove(user_id)
            return True

    def users(self) -> List[Dict[str, Any]]:
        """Everyone in the workspace, the bot included, in the order they were added."""
        with self._lock:
            return [dict(vars(user)) for user in self._users.values()]

    def user(self, user_id: str) -> Optional[Dict[str, Any]]:
        with self._lock:
            user = self._users.get(user_id)
            return dict(vars(user)) if user else None

    def channels(self) -> List[Dict[str, Any]]:
        """Every channel (not DMs), with its members, in the order they were added."""
        with self._lock:
            return [{**vars(channel), "members": list(channel.members)} for channel in self._channels.values()]

    # ---------------------------------------------------------------- messages

    def add_message(
        self,
        channel: str,
        user: str,
        text: str,
        ts: Optional[str] = None,
        thread_ts: Optional[str] = None,
        subtype: Optional[str] = None,
    ) -> str:
        """Store a message ``user`` typed (as a test's message event says); returns its ts.

        Without ``ts`` the emulator picks the next one. Set-up, so no channel
        checks: the test decides what people said where. A ts already used in
        the channel raises ValueError.
        """
        with self._lock:
            if ts is None:
                ts = self._new_ts()
            else:
                self._seen_ts(ts)
            message: Message = {
                "type": "message",
                "user": user,
                "text": text,
                "ts": ts,
                "team": self.team_id,
            }
            if thread_ts:
                message["thread_ts"] = thread_ts
            if subtype:  # e.g. "channel_join": what Slack shows when someone joins
                message["subtype"] = subtype
            self._messages.add(_conversation_id(channel), message)
            return ts

    def edit_message(self, channel: str, ts: str, text: str, user: str) -> Message:
        """``user`` edits their message: new text, and Slack's ``edited`` mark; returns it.

        KeyError if the message is unknown.
        """
        with self._lock:
            changes: Message = {"text": text, "edited": {"user": user, "ts": self._new_ts()}}
            return self._messages.update(_conversation_id(channel), ts, changes)

    def remove_reaction(self, channel: str, ts: str, name: str, user: str) -> bool:
        """Withdraw ``user``'s reaction (as a reaction_removed event says); False if none."""
        with self._lock:
            return self._messages.remove_reaction(_conversation_id(channel), ts, name, user)

    def message(self, channel: str, ts: str) -> Optional[Message]:
        """One message as Slack would return it (thread fields included), or None."""
        with self._lock:
            return self._messages.get(_conversation_id(channel), ts)

    def history(self, channel: str) -> List[Message]:
        """What a Slack client lists in ``channel``: messages that are not replies, oldest first."""
        with self._lock:
            return self._messages.top_level(_conversation_id(channel))

    def add_reaction(self, channel: str, ts: str, name: str, user: str) -> None:
        """Record that ``user`` reacted with ``name`` (as a reaction_added event says).

        KeyError if the message is unknown; reacting twice is a no-op.
        """
        with self._lock:
            self._messages.add_reaction(_conversation_id(channel), ts, name, user)

    def messages(self, channel: str) -> List[Message]:
        """Every message stored in ``channel`` (a user id means the DM), replies too, oldest first."""
        with self._lock:
            return self._messages.all(_conversation_id(channel))

    def thread(self, channel: str, ts: str) -> List[Message]:
        """The thread of ``ts`` in ``channel``: the parent, then its replies; [] if unknown."""
        with self._lock:
            return self._messages.thread(_conversation_id(channel), ts)

    # ------------------------------------------------------------ recorded calls

    @property
    def calls(self) -> List[Call]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> List[Args]:
        """Args of every call to ``method``, however it was answered."""
        with self._lock:
            return [call.args for call in self._calls if call.method == method]

    def call_counts(self, method: Optional[str] = None) -> Dict[str, int]:
        """How many calls (to ``method``, or to anything) each outcome answered.

        ``{"delivered": ..., "scripted": ..., "stormed": ...}``; the keys are
        always present.
        """
        counts = dict.fromkeys(OUTCOMES, 0)
        with self._lock:
            for call in self._calls:
                if method is None or call.method == method:
                    counts[call.outcome] += 1
        return counts

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
            outcome = "" if call.outcome == DELIVERED else f" [{call.outcome}]"
            lines.append(f"  {index}. {call.method}{outcome} {text}")
        return "\n".join(lines)

    def reset_calls(self) -> None:
        with self._lock:
            self._calls.clear()

    # ------------------------------------------------------------ subscribers

    def subscribe(self, listener: Callable[[Call, int, Body], None]) -> Callable[[], None]:
        """Call ``listener(call, status, body)`` after each answered request; returns an unsubscribe.

        Listeners run on the request's thread once the lock is released, so they may read the
        workspace; the bot's call waits for them, so they should be quick. A listener that raises
        is ignored for that call (the bot still gets its answer).
        """
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)
        return unsubscribe

    def _notify(self, call: Call, status: int, body: Body) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(call, status, body)
            except Exception:  # a page's bookkeeping must never break the bot's call
                pass

    # ---------------------------------------------------------------- snapshot

    STATE_VERSION: ClassVar[int] = 1

    def export_state(self) -> Dict[str, Any]:
        """Users, channels and messages (reactions and edits included), JSON-ready.

        Recorded calls, scripts and storms are not state of the workspace and are left out.
        """
        with self._lock:
            return {
                "version": self.STATE_VERSION,
                "users": [dict(vars(user)) for user in self._users.values()],
                "channels": [{**vars(c), "members": list(c.members)} for c in self._channels.values()],
                "group_dms": sorted(self._group_dms),
                "messages": self._messages.export(),
                "next_ts": micros_ts(self._next_ts_micros),
            }

    def load_state(self, state: Dict[str, Any]) -> None:
        """Replace the workspace with one ``export_state()`` gave. ValueError if unusable."""
        if not isinstance(state, dict) or state.get("version") != self.STATE_VERSION:
            raise ValueError("not a workspace this emulator exported")
        with self._lock:
            self._users = {u["id"]: _User(**u) for u in state["users"]}
            self._channels = {c["id"]: _Channel(**c) for c in state["channels"]}
            self._group_dms = set(state.get("group_dms", []))
            self._messages = MessageStore.imported(state["messages"])
            self._next_ts_micros = max(self._next_ts_micros, ts_micros(state["next_ts"]))

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

    # ------------------------------------------------------------------ storms

    def storm(
        self,
        method: str,
        seconds: float,
        *,
        status: int = 429,
        retry_after: Optional[int] = 2,
        error: str = "ratelimited",
    ) -> None:
        """Fail every call to ``method`` for the next ``seconds`` ("*": every Web API method).

        429 answers ``{"ok": false, "error": error}`` with ``Retry-After``;
        a status >= 500 answers an HTML outage page, no JSON, as a real outage
        does; any other status answers the JSON error. A storm overrides
        scripted responses without consuming them (the request never got
        through), and replaces an earlier storm on the same method.
        """
        if seconds <= 0:
            raise ValueError("a storm needs a positive duration")
        with self._lock:
            self._storms[method] = _Storm(time.monotonic() + seconds, status, retry_after, error)

    def calm(self, method: Optional[str] = None) -> None:
        """End the storm on ``method`` now, or every storm when no method is given."""
        with self._lock:
            if method is None:
                self._storms.clear()
            else:
                self._storms.pop(method, None)

    def _active_storm(self, method: str) -> Optional[_Storm]:
        names = [method] if method == RESPONSE_URL_METHOD else [method, ALL_METHODS]
        now = time.monotonic()
        for name in names:
            storm = self._storms.get(name)
            if storm is not None and now >= storm.until:
                del self._storms[name]  # over: forget it
                storm = None
            if storm is not None:
                return storm
        return None

    # ---------------------------------------------------------- request entry

    def _handle(
        self, method: str, args: Args, token: Optional[str], path: str = ""
    ) -> Answer:
        recorded: List[Call] = []
        answer = self._answer(method, args, token, path, recorded)
        if self._listeners and recorded:
            self._notify(recorded[0], answer[0], answer[1])
        return answer

    def _answer(
        self, method: str, args: Args, token: Optional[str], path: str, recorded: List[Call]
    ) -> Answer:
        with self._lock:

            def record(outcome: str) -> None:
                call = Call(method, args, token, time.time(), path, outcome)
                recorded.append(call)
                self._calls.append(call)
                if self._keep_calls is not None and len(self._calls) > 2 * self._keep_calls:
                    del self._calls[: len(self._calls) - self._keep_calls]

            storm = self._active_storm(method)
            if storm is not None:
                record(STORMED)
                return storm.answer()
            script = self._scripts.get(method)
            if script:
                record(SCRIPTED)
                scripted = script.popleft()
                return scripted.status, dict(scripted.body), dict(scripted.headers)
            record(DELIVERED)
            if method == RESPONSE_URL_METHOD:
                return 200, {"ok": True}, {}
            handler = self._HANDLERS.get(method)
            if handler is None:
                return 200, _error("unknown_method"), {}
            return 200, getattr(self, handler)(args), {}

    # --------------------------------------------------------------- helpers

    def _new_ts(self) -> str:
        """The next message ts: strictly after every ts the workspace has seen (and, with a
        clock, no earlier than its now)."""
        with self._lock:
            if self._clock is not None:
                now = int(self._clock.now().timestamp() * 1_000_000)
                self._next_ts_micros = max(self._next_ts_micros, now)
            value = self._next_ts_micros
            self._next_ts_micros += 100
        ts_taken(value)  # so a test's next new_ts() can't reuse it
        return micros_ts(value)

    def _seen_ts(self, ts: str) -> None:
        # A test may add messages with real-clock ts: later posts must sort after them.
        with self._lock:
            self._next_ts_micros = max(self._next_ts_micros, ts_micros(ts) + 100)

    def _conversation_error(self, channel_id: str, *, posting: bool = False) -> Optional[str]:
        """The error Slack gives the bot for using ``channel_id``, or None.

        Only channels ("C...", and "G..." private channels) are checked: DMs
        ("D...") always exist for the bot, and other ids are let through as
        before (the tests name conversations freely).
        """
        if not channel_id:
            return "channel_not_found"  # as Slack answers a missing or empty channel
        if not channel_id.startswith(("C", "G")) or channel_id in self._group_dms:
            return None
        channel = self._channels.get(channel_id)
        if channel is None:
            return "channel_not_found"
        if posting and channel.is_archived:
            return "is_archived"
        if self.strict_membership and self.bot_user_id not in channel.members:
            # Slack hides a private channel from non-members altogether.
            return "channel_not_found" if channel.is_private else "not_in_channel"
        return None

    # ---------------------------------------------------- auth, users, views

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

    def _users_info(self, args: Args) -> Dict[str, Any]:
        user = self._users.get(args.get("user", ""))
        if user is None:
            return _error("user_not_found")
        now = datetime.now(ZoneInfo(user.tz))
        offset = now.utcoffset()
        profile: Dict[str, Any] = {"display_name": user.name, "real_name": user.name, "title": user.title}
        if user.id == self.bot_user_id:
            profile["bot_id"] = self.bot_id
        return {
            "ok": True,
            "user": {
                "id": user.id,
                "team_id": user.team_id,
                "name": user.name,
                "real_name": user.name,
                "deleted": user.deleted,
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

    def _pins_list(self, args: Args) -> Dict[str, Any]:
        return self._content_pins_list(args)  # the channel's real pins: see "content" below

    def _bookmarks_list(self, args: Args) -> Dict[str, Any]:
        return self._content_bookmarks_list(args)

    # ------------------------------------------------------------------ chat

    def _chat_post_message(self, args: Args) -> Dict[str, Any]:
        channel = args.get("channel")
        if not channel:
            return _error("channel_not_found")
        # Posting to a user id delivers to the DM with that user, and Slack
        # answers with the DM channel's id.
        channel = _conversation_id(channel)
        problem = self._conversation_error(channel, posting=True)
        if problem:
            return _error(problem)
        if not _has_content(args):
            return _error("no_text")
        message: Message = {
            "type": "message",
            "text": args.get("text", ""),
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "team": self.team_id,
            "ts": self._new_ts(),
        }
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        for name in ("blocks", "attachments", "metadata"):
            if args.get(name):
                message[name] = decode_json_arg(args[name])
        stored = self._messages.add(channel, message)
        return {"ok": True, "channel": channel, "ts": stored["ts"], "message": stored}

    def _chat_post_ephemeral(self, args: Args) -> Dict[str, Any]:
        if not args.get("channel"):
            return _error("channel_not_found")
        problem = self._conversation_error(args["channel"], posting=True)
        if problem:
            return _error(problem)
        if not args.get("user"):
            return _error("user_not_found")
        if not _has_content(args):
            return _error("no_text")
        # Ephemeral messages are not part of the channel's history.
        return {"ok": True, "message_ts": self._new_ts()}

    def _own_message(self, args: Args, ts_arg: str, refusal: str) -> Tuple[str, str, Optional[str]]:
        """(channel, ts, error) for chat.update / chat.delete of the bot's own message."""
        channel = _conversation_id(args.get("channel") or "")
        ts = args.get(ts_arg) or ""
        if not channel:
            return channel, ts, "channel_not_found"
        problem = self._conversation_error(channel)
        if problem:
            return channel, ts, problem
        if not ts or self._messages.get(channel, ts) is None:
            return channel, ts, "message_not_found"
        if not self._messages.is_mine(channel, ts, self.bot_id):
            return channel, ts, refusal  # a bot token may only touch the bot's messages
        return channel, ts, None

    def _chat_update(self, args: Args) -> Dict[str, Any]:
        channel, ts, problem = self._own_message(args, "ts", "cant_update_message")
        if problem:
            return _error(problem)
        if not _has_content(args):
            return _error("no_text")
        # Slack keeps what is not sent; an empty blocks/attachments array clears it
        # (None removes the key from the stored message).
        changes: Message = {"edited": {"user": self.bot_user_id, "ts": self._new_ts()}}
        if "text" in args:
            changes["text"] = args["text"] or ""
        for name in ("blocks", "attachments", "metadata"):
            if name in args:
                changes[name] = decode_json_arg(args[name]) or None
        message = self._messages.update(channel, ts, changes)
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": message.get("text", ""),
            "message": message,
        }

    def _chat_delete(self, args: Args) -> Dict[str, Any]:
        channel, ts, problem = self._own_message(args, "ts", "cant_delete_message")
        if problem:
            return _error(problem)
        self._messages.remove(channel, ts)
        return {"ok": True, "channel": channel, "ts": ts}

    def _chat_get_permalink(self, args: Args) -> Dict[str, Any]:
        channel, ts = args.get("channel"), args.get("message_ts")
        if not channel:
            return _error("channel_not_found")
        problem = self._conversation_error(channel)
        if problem:
            return _error(problem)
        # The ts is not looked up: tests deliver most people's messages as
        # events only, and a permalink is just a formatted address.
        if not ts:
            return _error("message_not_found")
        return {
            "ok": True,
            "channel": channel,
            "permalink": f"https://{self.team_domain}.slack.com/archives/"
            f"{channel}/p{ts.replace('.', '')}",
        }

    # --------------------------------------------------------- conversations

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
            "is_archived": channel.is_archived,
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
            start = _decode_cursor(args.get("cursor") or "", "offset")
        except ValueError:
            return _error("invalid_cursor")
        if limit < 1:
            limit = 100  # Slack treats 0 as "use the default"
        page = channel.members[start : start + limit]
        end = start + len(page)
        next_cursor = _encode_cursor("offset", end) if end < len(channel.members) else ""
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
        group_dm = "G" + "".join(sorted(user_ids))
        self._group_dms.add(group_dm)
        return {"ok": True, "channel": {"id": group_dm}}

    def _conversations_join(self, args: Args) -> Dict[str, Any]:
        channel = self._channels.get(args.get("channel", ""))
        if channel is None:
            return _error("channel_not_found")
        if channel.is_archived:
            return _error("is_archived")
        if self.bot_user_id not in channel.members:
            channel.members.append(self.bot_user_id)
        return {"ok": True, "channel": self._channel_object(channel)}

    def _conversations_history(self, args: Args) -> Dict[str, Any]:
        channel = _conversation_id(args.get("channel") or "")
        if not channel:
            return _error("channel_not_found")
        problem = self._conversation_error(channel)
        if problem:
            return _error(problem)
        try:
            window = _Window.from_args(args, HISTORY_PAGE, HISTORY_MAX_PAGE)
        except _BadArgument as bad:
            return _error(bad.error)
        # Newest first: the page starts at the cursor and walks back in time.
        messages = [m for m in reversed(self._messages.top_level(channel)) if window.holds(m)]
        if window.cursor is not None:
            messages = [m for m in messages if ts_micros(m["ts"]) <= window.cursor]
        answer = _page(messages, window.limit, _flag(args.get("include_all_metadata")))
        # Slack documents these as always present; the emulator has no pins or channel actions.
        answer.update({"pin_count": 0, "channel_actions_ts": None, "channel_actions_count": 0})
        return answer

    def _conversations_replies(self, args: Args) -> Dict[str, Any]:
        channel = _conversation_id(args.get("channel") or "")
        if not channel:
            return _error("channel_not_found")
        problem = self._conversation_error(channel)
        if problem:
            return _error(problem)
        thread = self._messages.thread(channel, args.get("ts") or "")
        if not thread:
            return _error("thread_not_found")
        try:
            window = _Window.from_args(args, REPLIES_PAGE, REPLIES_PAGE)
        except _BadArgument as bad:
            return _error(bad.error)
        # Oldest first; the parent leads the first page whatever the window,
        # and the window only narrows the replies.
        parent_ts = thread[0].get("thread_ts") or thread[0]["ts"]
        messages = [m for m in thread if m["ts"] == parent_ts or window.holds(m)]
        if window.cursor is not None:
            messages = [m for m in messages if ts_micros(m["ts"]) >= window.cursor]
        return _page(messages, window.limit, _flag(args.get("include_all_metadata")))

    # ------------------------------------------------------------- reactions

    def _reacted_message(self, args: Args) -> Tuple[str, str, Optional[str]]:
        """(channel, ts, error) for the message a reactions.* call names."""
        channel = _conversation_id(args.get("channel") or "")
        ts = args.get("timestamp") or ""
        if not channel or not ts:
            return channel, ts, "no_item_specified"
        problem = self._conversation_error(channel)
        if problem:
            return channel, ts, problem
        try:
            ts_micros(ts)
        except ValueError:
            return channel, ts, "bad_timestamp"
        if self._messages.get(channel, ts) is None:
            return channel, ts, "message_not_found"
        return channel, ts, None

    def _reactions_add(self, args: Args) -> Dict[str, Any]:
        if not args.get("name"):
            return _error("invalid_name")
        channel, ts, problem = self._reacted_message(args)
        if problem:
            return _error(problem)
        name = _emoji_name(args["name"])
        if not self._messages.add_reaction(channel, ts, name, self.bot_user_id):
            return _error("already_reacted")
        return {"ok": True}

    def _reactions_remove(self, args: Args) -> Dict[str, Any]:
        if not args.get("name"):
            return _error("invalid_name")
        channel, ts, problem = self._reacted_message(args)
        if problem:
            return _error(problem)
        name = _emoji_name(args["name"])
        if not self._messages.remove_reaction(channel, ts, name, self.bot_user_id):
            return _error("no_reaction")
        return {"ok": True}

    def _reactions_get(self, args: Args) -> Dict[str, Any]:
        channel, ts, problem = self._reacted_message(args)
        if problem:
            return _error(problem)
        message = self._messages.get(channel, ts)
        return {"ok": True, "type": "message", "channel": channel, "message": message}

    # ------------------------------------------------------- each duty's methods
    # approval
    def _conversations_invite(self, args: Args) -> Dict[str, Any]:
        """Adds the people to the channel, as Slack does. It sends no event: Slack's
        ``member_joined_channel`` for each is the caller's to deliver (the tests send it signed,
        the local workspace delivers it when it hears this call)."""
        channel = self._channels.get(args.get("channel", ""))
        if channel is None or (channel.is_private and self.bot_user_id not in channel.members):
            return _error("channel_not_found")
        if channel.is_archived:
            return _error("is_archived")
        if self.bot_user_id not in channel.members:
            return _error("not_in_channel")  # "the calling user must be a member of the channel"
        users = args.get("users") or ""
        user_ids = [str(u) for u in users] if isinstance(users, list) else [u for u in str(users).split(",") if u]
        if not user_ids:
            return _error("no_user")
        for user_id in user_ids:
            user = self._users.get(user_id)
            if user is None or user.deleted:
                return _error("user_not_found")
            if user_id == self.bot_user_id:
                return _error("cant_invite_self")
            if user_id in channel.members:
                return _error("already_in_channel")
        channel.members.extend(user_ids)
        return {"ok": True, "channel": self._channel_object(channel)}

    # moderation

    # content
    # Pinned messages and bookmarks per channel (handlers/emulator/content.py), and the pin events
    # Slack sends when a message is pinned or unpinned. The emulator does not send events itself:
    # whoever drives the bot subscribes with ``on_event`` and delivers them (the tests and the
    # local workspace sign and POST them). Events for the bot's own pins.remove go out on a thread
    # of their own once the call is answered, as Slack's arrive a moment after its answer; those
    # for what people do (``pin``, ``unpin``) are delivered before the helper returns.

    def _content_state(self) -> Any:
        from .content import ChannelContent  # here, beside its lines, so sibling duties merge cleanly
        with self._lock:
            state = self.__dict__.get("_content")
            if state is None:
                state = self.__dict__["_content"] = ChannelContent()
                self.__dict__["_event_listeners"] = []
            return state

    def on_event(self, listener: Callable[[Dict[str, Any]], Any]) -> Callable[[], None]:
        """``listener(event)`` hears of every event Slack would send the app about pins."""
        self._content_state()
        with self._lock:
            self.__dict__["_event_listeners"].append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self.__dict__["_event_listeners"]:
                    self.__dict__["_event_listeners"].remove(listener)
        return unsubscribe

    def _emit(self, event: Dict[str, Any], *, later: bool = False) -> None:
        with self._lock:
            listeners = list(self.__dict__.get("_event_listeners") or [])
        if not listeners:
            return

        def deliver() -> None:
            for listener in listeners:
                try:
                    listener(event)
                except Exception:  # a listener's failure must never break the call that caused it
                    pass
        if later:
            threading.Thread(target=deliver, name="emulator-event", daemon=True).start()
        else:
            deliver()

    def _pin_event(self, kind: str, channel: str, ts: str, user: str, created: int) -> Dict[str, Any]:
        from .content import pin_event
        with self._lock:
            message = dict(self._messages.get(channel, ts) or {"type": "message", "ts": ts})
            message["permalink"] = self._chat_get_permalink({"channel": channel, "message_ts": ts}).get("permalink", "")
            count = self._content_state().pin_count(channel)
        return pin_event(kind, channel, user, message, created, self._new_ts(), count)

    def _epoch(self, moment: Any) -> int:
        """Seconds since the epoch: of ``moment`` (a datetime or a number), else of now."""
        if moment is None:
            return int(self._clock.now().timestamp()) if self._clock is not None else int(time.time())
        return int(moment.timestamp()) if isinstance(moment, datetime) else int(moment)

    def pin(self, channel: str, ts: str, user: str, *, created: Any = None, notify: bool = True) -> None:
        """``user`` pins the message ``ts`` (which must be stored) and, with ``notify``, Slack tells
        the app (``pin_added``). ``created``: when, a datetime or epoch seconds (default now)."""
        from .content import ContentError
        with self._lock:
            if self._messages.get(channel, ts) is None:
                raise ValueError(f"no message {ts} in {channel}")
            try:
                self._content_state().pin(channel, ts, user, self._epoch(created))
            except ContentError as refused:
                raise ValueError(refused.error) from None
            event = self._pin_event("pin_added", channel, ts, user, self._epoch(created)) if notify else None
        if event:
            self._emit(event)

    def unpin(self, channel: str, ts: str, user: str, *, notify: bool = True) -> None:
        """``user`` unpins the message ``ts``; with ``notify`` the app hears ``pin_removed``."""
        from .content import ContentError
        with self._lock:
            try:
                pin = self._content_state().unpin(channel, ts)
            except ContentError as refused:
                raise ValueError(refused.error) from None
            event = self._pin_event("pin_removed", channel, ts, user, pin["created"]) if notify else None
        if event:
            self._emit(event)

    def pinned(self, channel: str) -> List[str]:
        """The ts of the channel's pinned messages, newest pin first."""
        with self._lock:
            return [pin["ts"] for pin in self._content_state().pins(channel)]

    def add_bookmark(self, channel: str, title: str, link: str, user: str, *, created: Any = None) -> str:
        """``user`` bookmarks ``link`` in ``channel`` (Slack tells apps nothing); its id."""
        with self._lock:
            return self._content_state().add_bookmark(channel, title, link, user, self._epoch(created), self.team_id)["id"]

    def remove_bookmark(self, channel: str, bookmark_id: str) -> None:
        with self._lock:
            self._content_state().remove_bookmark(channel, bookmark_id)

    def bookmarks(self, channel: str) -> List[Dict[str, Any]]:
        with self._lock:
            return self._content_state().bookmarks(channel)

    def _pins_add(self, args: Args) -> Dict[str, Any]:
        from .content import ContentError
        channel, ts = args.get("channel") or "", args.get("timestamp") or ""
        if not ts:
            return _error("no_item_specified")
        problem = self._conversation_error(channel)
        if problem:
            return _error(problem)
        if self._messages.get(channel, ts) is None:
            return _error("message_not_found")
        created = self._epoch(None)
        try:
            self._content_state().pin(channel, ts, self.bot_user_id, created)
        except ContentError as refused:
            return _error(refused.error)
        self._emit(self._pin_event("pin_added", channel, ts, self.bot_user_id, created), later=True)
        return {"ok": True}

    def _pins_remove(self, args: Args) -> Dict[str, Any]:
        from .content import ContentError
        channel, ts = args.get("channel") or "", args.get("timestamp") or ""
        if not ts:
            return _error("no_item_specified")
        problem = self._conversation_error(channel)
        if problem:
            return _error(problem)
        try:
            pin = self._content_state().unpin(channel, ts)
        except ContentError as refused:
            return _error(refused.error)
        self._emit(self._pin_event("pin_removed", channel, ts, self.bot_user_id, pin["created"]), later=True)
        return {"ok": True}

    def _content_pins_list(self, args: Args) -> Dict[str, Any]:
        channel = args.get("channel") or ""
        problem = self._conversation_error(channel)
        if problem:
            return _error(problem)
        items = []
        for pin in self._content_state().pins(channel):
            message = dict(self._messages.get(channel, pin["ts"]) or {"type": "message", "ts": pin["ts"]})
            message["permalink"] = self._chat_get_permalink({"channel": channel, "message_ts": pin["ts"]})["permalink"]
            message["pinned_to"] = [channel]
            items.append({"type": "message", "channel": channel, "created": pin["created"],
                          "created_by": pin["created_by"], "message": message})
        return {"ok": True, "items": items}

    def _bookmarks_add(self, args: Args) -> Dict[str, Any]:
        from .content import ContentError
        channel = args.get("channel_id") or ""
        problem = self._conversation_error(channel)
        if problem:
            return _error(problem)
        if args.get("type") != "link":
            return _error("invalid_bookmark_type")
        try:
            bookmark = self._content_state().add_bookmark(channel, args.get("title") or "", args.get("link") or "",
                                                          self.bot_user_id, self._epoch(None), self.team_id)
        except ContentError as refused:
            return _error(refused.error)
        return {"ok": True, "bookmark": bookmark}

    def _bookmarks_remove(self, args: Args) -> Dict[str, Any]:
        from .content import ContentError
        channel = args.get("channel_id") or ""
        problem = self._conversation_error(channel)
        if problem:
            return _error(problem)
        try:
            self._content_state().remove_bookmark(channel, args.get("bookmark_id") or "")
        except ContentError as refused:
            return _error(refused.error)
        return {"ok": True}

    def _content_bookmarks_list(self, args: Args) -> Dict[str, Any]:
        channel = args.get("channel_id") or ""
        problem = self._conversation_error(channel)
        if problem:
            return _error(problem)
        return {"ok": True, "bookmarks": self._content_state().bookmarks(channel)}

    # events

    # report
    # files.uploadV2 is three steps (what slack_sdk's files_upload_v2 does): files.getUploadURLExternal
    # gives an upload address and a file id; the bytes are POSTed to that address (not a Web API
    # call: kept with the file, not in `calls`); files.completeUploadExternal shares the file in a
    # conversation, with its initial comment as a message that carries the file.

    def uploaded_files(self) -> List[Dict[str, Any]]:
        """Files completed with files.completeUploadExternal, oldest first: id, name, title,
        channel, initial_comment and ``content`` (the bytes received, decoded as UTF-8)."""
        with self._lock:
            return [
                {**{k: v for k, v in f.items() if k != "bytes"}, "content": f["bytes"].decode("utf-8", "replace")}
                for f in self._file_table().values()
                if f["completed"]
            ]

    def _file_table(self) -> Dict[str, Dict[str, Any]]:
        # Created on first use, so the emulator's constructor is untouched by this duty.
        return self.__dict__.setdefault("_files", {})

    def _files_get_upload_url_external(self, args: Args) -> Dict[str, Any]:
        filename = str(args.get("filename") or "")
        try:
            length = int(args.get("length") or 0)
        except (TypeError, ValueError):
            return _error("invalid_arguments")
        if not filename:
            return _error("invalid_arguments")
        if length <= 0:
            return _error("missing_argument")  # Slack: typically a length of 0
        files = self._file_table()
        file_id = f"F{len(files) + 1:010d}"
        files[file_id] = {"id": file_id, "name": filename, "length": length, "bytes": b"", "uploaded": False,
                          "completed": False, "title": filename, "channel": None, "initial_comment": None}
        return {"ok": True, "upload_url": f"{self.root_url}upload/v1/{file_id}", "file_id": file_id}

    def _receive_upload(self, path: str, data: bytes) -> Answer:
        """The POST of a file's bytes to the address files.getUploadURLExternal gave."""
        with self._lock:
            found = self._file_table().get(path.rstrip("/").rsplit("/", 1)[-1])
            if found is None or found["completed"]:
                return 404, "Not Found", {}
            found.update(bytes=data, uploaded=True)
            return 200, f"OK - {len(data)}", {}

    def _files_complete_upload_external(self, args: Args) -> Dict[str, Any]:
        try:
            wanted = json.loads(args.get("files") or "") if isinstance(args.get("files"), str) else args.get("files")
        except ValueError:
            return _error("invalid_arguments")
        if not isinstance(wanted, list) or not wanted or not all(isinstance(w, dict) and w.get("id") for w in wanted):
            return _error("invalid_arguments")
        files = self._file_table()
        if any(w["id"] not in files or files[w["id"]]["completed"] for w in wanted):
            return _error("file_not_found")
        if not all(files[w["id"]]["uploaded"] for w in wanted):
            return _error("invalid_arguments")  # nothing was sent to the upload address
        channel = str(args.get("channel_id") or "")
        if channel:
            if not channel.startswith(("C", "G", "D", "Z")):  # a conversation, never a user id
                return _error("invalid_arguments")
            problem = self._conversation_error(channel, posting=True)
            if problem:
                return _error(problem)
        shared = []
        for w in wanted:
            found = files[w["id"]]
            found.update(completed=True, title=w.get("title") or found["name"], channel=channel or None,
                         initial_comment=args.get("initial_comment"))
            shared.append({"id": found["id"], "name": found["name"], "title": found["title"]})
        if channel:  # Slack shares the files in a message from the app
            self._messages.add(channel, {
                "type": "message", "text": args.get("initial_comment") or "", "user": self.bot_user_id,
                "bot_id": self.bot_id, "team": self.team_id, "ts": self._new_ts(), "files": shared,
                **({"thread_ts": args["thread_ts"]} if args.get("thread_ts") else {}),
            })
        return {"ok": True, "files": [{"id": f["id"], "title": f["title"]} for f in shared]}

    # audience


# -------------------------------------------------------------- module helpers


def _error(error: str) -> Dict[str, Any]:
    return {"ok": False, "error": error}


def _has_content(args: Args) -> bool:
    # Slack accepts any of these as the message content.
    return any(args.get(name) for name in ("text", "blocks", "attachments"))


def _conversation_id(channel: str) -> str:
    # A user id names the bot's DM with that user ("D" + user id here).
    return "D" + channel if channel.startswith("U") else channel


def _emoji_name(name: str) -> str:
    # Slack accepts ":eyes:" and "eyes" alike and stores the bare name.
    return name.strip(":")


def _flag(value: Any) -> bool:
    # Booleans arrive as JSON true, or as "1"/"true" in forms and query strings.
    return value is True or str(value).lower() in ("1", "true")


class _BadArgument(Exception):
    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass(frozen=True)
class _Window:
    """conversations.history / replies arguments: time window, page size, cursor."""

    oldest: Optional[int]
    latest: Optional[int]
    inclusive: bool
    limit: int
    cursor: Optional[int]  # ts (micros) the page starts at

    @classmethod
    def from_args(cls, args: Args, default_limit: int, max_limit: int) -> "_Window":
        bounds = []
        for name in ("oldest", "latest"):
            value = args.get(name)
            try:
                bounds.append(ts_micros(value) if value not in (None, "") else None)
            except ValueError:
                raise _BadArgument(f"invalid_ts_{name}") from None
        try:
            limit = int(args.get("limit") or default_limit)
        except (TypeError, ValueError):
            raise _BadArgument("invalid_limit") from None
        limit = default_limit if limit < 1 else min(limit, max_limit)
        try:
            cursor = args.get("cursor") or ""
            start = _decode_cursor(cursor, "next_ts") if cursor else None
        except ValueError:
            raise _BadArgument("invalid_cursor") from None
        return cls(bounds[0], bounds[1], _flag(args.get("inclusive")), limit, start)

    def holds(self, message: Message) -> bool:
        # Slack: the bounds themselves count only with inclusive=true.
        ts = ts_micros(message["ts"])
        if self.oldest is not None and (ts < self.oldest or (ts == self.oldest and not self.inclusive)):
            return False
        if self.latest is not None and (ts > self.latest or (ts == self.latest and not self.inclusive)):
            return False
        return True


def _page(messages: List[Message], limit: int, with_metadata: bool) -> Dict[str, Any]:
    """The first ``limit`` of ``messages`` as a Slack page, cursor at the next one."""
    page, rest = messages[:limit], messages[limit:]
    if not with_metadata:
        # Slack returns message metadata only when include_all_metadata is set.
        page = [{k: v for k, v in m.items() if k != "metadata"} for m in page]
    answer: Dict[str, Any] = {"ok": True, "messages": page, "has_more": bool(rest)}
    if rest:
        next_cursor = _encode_cursor("next_ts", ts_micros(rest[0]["ts"]))
        answer["response_metadata"] = {"next_cursor": next_cursor}
    return answer


def _encode_cursor(kind: str, value: int) -> str:
    # Opaque-looking like Slack's cursors (whose history cursors decode to
    # "next_ts:<micros>"), so code can't rely on their content.
    return base64.b64encode(f"{kind}:{value}".encode()).decode()


def _decode_cursor(cursor: str, kind: str) -> int:
    if not cursor:
        return 0
    try:
        prefix, _, value = base64.b64decode(cursor).decode().partition(":")
    except Exception as exc:  # binascii.Error, UnicodeDecodeError
        raise ValueError(cursor) from exc
    if prefix != kind:
        raise ValueError(cursor)
    return int(value)


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
        elif parts.path.startswith("/upload/"):  # a file's bytes (files.getUploadURLExternal's address)
            length = int(self.headers.get("Content-Length") or 0)
            self._reply(*emulator._receive_upload(parts.path, self.rfile.read(length) if length else b""))
            return
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

    def _reply(self, status: int, body: Body, headers: Dict[str, str]) -> None:
        if isinstance(body, str):
            payload, content_type = body.encode("utf-8"), "text/html; charset=utf-8"
        else:
            payload, content_type = json.dumps(body).encode("utf-8"), "application/json; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


def _bearer_token(header: Optional[str]) -> Optional[str]:
    if header and header.lower().startswith("bearer "):
        return header[len("bearer ") :].strip()
    return None
