"""Signed Slack requests (events, slash commands, interactivity) sent to the app.

``SlackSender`` plays Slack's side of the HTTP conversation: it builds the
payloads Slack would deliver, signs them with the app's signing secret the way
Slack does (https://api.slack.com/authentication/verifying-requests-from-slack)
and POSTs them to the app's request URL with urllib.

    sender = SlackSender("http://127.0.0.1:3000/slack/events", "secret")
    sender.event(message_event("C1", "U1", "hello"))
    sender.command("/community", "help", user_id="U1", channel_id="C1")

Every sending method accepts ``timestamp=`` and ``signature=`` to produce
stale or forged requests; ``raw()`` sends a body with exactly the given headers.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional
from urllib.parse import urlencode

JSON_CONTENT_TYPE = "application/json"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


def sign(body: str, timestamp: int, secret: str) -> str:
    """Slack's v0 request signature of ``body`` sent at ``timestamp``."""
    base = f"v0:{timestamp}:{body}".encode("utf-8")
    digest = hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()
    return f"v0={digest}"


@dataclass(frozen=True)
class Response:
    status: int
    body: str
    headers: Dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


# ------------------------------------------------------------ unique ids / ts

_ts_lock = threading.Lock()
_last_ts_micros = 0
_ids = itertools.count(1)


def new_ts() -> str:
    """A Slack message timestamp: now, but strictly greater than the last one.

    Slack's ts doubles as a message id, so two events built in the same
    microsecond must still differ.
    """
    global _last_ts_micros
    with _ts_lock:
        _last_ts_micros = max(int(time.time() * 1_000_000), _last_ts_micros + 1)
        value = _last_ts_micros
    return f"{value // 1_000_000}.{value % 1_000_000:06d}"


def ts_taken(micros: int) -> None:
    """Note a ts (in microseconds) handed out elsewhere: later new_ts() values exceed it.

    The emulator calls this for the ts it gives the bot's posts. Once it has
    seen a real-clock ts it issues ts just after it, and a test's next
    new_ts() must not land on one of those (a ts is a message id).
    """
    global _last_ts_micros
    with _ts_lock:
        _last_ts_micros = max(_last_ts_micros, micros)


def _new_id(prefix: str) -> str:
    return f"{prefix}{next(_ids):06d}{uuid.uuid4().hex[:6].upper()}"


def _channel_type(channel: str) -> str:
    # Message events name the conversation kind; the id's first letter tells it.
    return {"D": "im", "G": "group"}.get(channel[:1], "channel")


# ------------------------------------------------------------- event builders


def message_event(
    channel: str,
    user: str,
    text: str,
    ts: Optional[str] = None,
    thread_ts: Optional[str] = None,
    team: str = "T1",
    subtype: Optional[str] = None,
    bot_id: Optional[str] = None,
) -> Dict[str, Any]:
    ts = ts or new_ts()
    event: Dict[str, Any] = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "team": team,
        "channel_type": _channel_type(channel),
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    if subtype:
        event["subtype"] = subtype
    if bot_id:
        event["bot_id"] = bot_id
    if not subtype and not bot_id:
        # Slack tags messages typed by a person in a client with this id.
        event["client_msg_id"] = str(uuid.uuid4())
    return event


def message_changed_event(
    channel: str, message: Dict[str, Any], previous: Dict[str, Any], team: str = "T1"
) -> Dict[str, Any]:
    """Someone edited a message: Slack's ``message_changed``, with the message before and after."""
    event_ts = new_ts()
    return {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": channel,
        "message": message,
        "previous_message": previous,
        "ts": event_ts,
        "event_ts": event_ts,
        "team": team,
        "channel_type": _channel_type(channel),
    }


def member_joined_event(
    channel: str, user: str, team: str = "T1", inviter: Optional[str] = None
) -> Dict[str, Any]:
    event: Dict[str, Any] = {
        "type": "member_joined_channel",
        "user": user,
        "channel": channel,
        # Unlike message events, member events use the id letter ("C"/"G").
        "channel_type": "G" if channel.startswith("G") else "C",
        "team": team,
        "event_ts": new_ts(),
    }
    if inviter:
        event["inviter"] = inviter
    return event


def member_left_event(channel: str, user: str, team: str = "T1") -> Dict[str, Any]:
    return {
        "type": "member_left_channel",
        "user": user,
        "channel": channel,
        "channel_type": "G" if channel.startswith("G") else "C",
        "team": team,
        "event_ts": new_ts(),
    }


def reaction_added_event(
    user: str, reaction: str, channel: str, ts: str, item_user: Optional[str] = None
) -> Dict[str, Any]:
    event: Dict[str, Any] = {
        "type": "reaction_added",
        "user": user,
        "reaction": reaction,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "event_ts": new_ts(),
    }
    if item_user:
        event["item_user"] = item_user
    return event


def reaction_removed_event(
    user: str, reaction: str, channel: str, ts: str, item_user: Optional[str] = None
) -> Dict[str, Any]:
    # Slack sends the same shape as reaction_added, under its own type.
    event = reaction_added_event(user, reaction, channel, ts, item_user)
    event["type"] = "reaction_removed"
    return event


def app_home_opened_event(user: str, tab: str = "home") -> Dict[str, Any]:
    return {
        "type": "app_home_opened",
        "user": user,
        "channel": "D" + user,
        "tab": tab,
        "event_ts": new_ts(),
    }


# --------------------------------------------------------------------- sender


class SlackSender:
    """Sends Slack-signed requests to an app's request URL."""

    def __init__(
        self,
        app_url: str,
        signing_secret: str,
        team_id: str = "T1",
        api_app_id: str = "A1",
        *,
        team_domain: str = "community",
        bot_user_id: str = "UBOT",
        verification_token: str = "legacy-verification-token",
        response_url_base: Optional[str] = None,
        timeout: float = 10.0,
    ) -> None:
        self.app_url = app_url
        self.signing_secret = signing_secret
        self.team_id = team_id
        self.api_app_id = api_app_id
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.verification_token = verification_token
        # Give the emulator's hooks_url here so respond() reaches something.
        self.response_url_base = response_url_base
        self.timeout = timeout
        self.last_envelope: Optional[Dict[str, Any]] = None
        self.last_payload: Optional[Dict[str, Any]] = None

    # -- events

    def event(
        self,
        event: Dict[str, Any],
        *,
        event_id: Optional[str] = None,
        retry_num: Optional[int] = None,
        retry_reason: str = "http_timeout",
        event_time: Optional[int] = None,
        authorizations: Optional[List[Dict[str, Any]]] = None,
        timestamp: Optional[int] = None,
        signature: Optional[str] = None,
    ) -> Response:
        if authorizations is None:
            authorizations = [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ]
        envelope = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "api_app_id": self.api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or _new_id("Ev"),
            "event_time": event_time if event_time is not None else int(time.time()),
            "authorizations": authorizations,
            # Deprecated by Slack in favour of `authorizations`, but still
            # required by the published event-wrapper schema, so send both.
            "authed_users": [self.bot_user_id],
            "is_ext_shared_channel": False,
        }
        self.last_envelope = envelope
        headers = {}
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason
        return self._send(
            json.dumps(envelope), JSON_CONTENT_TYPE, headers, timestamp, signature
        )

    # -- slash commands

    def command(
        self,
        command: str = "/community",
        text: str = "",
        *,
        user_id: str,
        channel_id: str,
        user_name: Optional[str] = None,
        channel_name: str = "general",
        trigger_id: Optional[str] = None,
        response_url: Optional[str] = None,
        timestamp: Optional[int] = None,
        signature: Optional[str] = None,
    ) -> Response:
        fields = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name or user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url or self._response_url("commands"),
            "trigger_id": trigger_id or self._trigger_id(),
        }
        self.last_payload = fields
        return self._send(urlencode(fields), FORM_CONTENT_TYPE, {}, timestamp, signature)

    # -- interactivity

    def action(
        self,
        payload: Dict[str, Any],
        *,
        timestamp: Optional[int] = None,
        signature: Optional[str] = None,
    ) -> Response:
        """Send any interactivity payload (Slack posts it as a form field)."""
        self.last_payload = payload
        body = urlencode({"payload": json.dumps(payload)})
        return self._send(body, FORM_CONTENT_TYPE, {}, timestamp, signature)

    def block_action(
        self,
        action_id: str,
        value: str,
        *,
        user_id: str,
        channel_id: str,
        message_ts: str,
        block_id: str = "b",
        thread_ts: Optional[str] = None,
        message: Optional[Dict[str, Any]] = None,
        trigger_id: Optional[str] = None,
        response_url: Optional[str] = None,
        timestamp: Optional[int] = None,
        signature: Optional[str] = None,
    ) -> Response:
        """A button pressed on a message. ``message``: the whole message the button is on, as
        Slack sends it (by default only its ts)."""
        if message is None:
            message = {"type": "message", "ts": message_ts}
            if thread_ts:
                message["thread_ts"] = thread_ts
        container: Dict[str, Any] = {
            "type": "message",
            "channel_id": channel_id,
            "message_ts": message_ts,
            "is_ephemeral": False,
        }
        if thread_ts:
            container["thread_ts"] = thread_ts
        payload = {
            "type": "block_actions",
            "user": self._user(user_id),
            "team": self._team(),
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "container": container,
            "channel": {"id": channel_id, "name": ""},
            "message": message,
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": block_id,
                    "value": value,
                    "type": "button",
                    "action_ts": new_ts(),
                }
            ],
            "trigger_id": trigger_id or self._trigger_id(),
            "response_url": response_url or self._response_url("actions"),
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self.action(payload, timestamp=timestamp, signature=signature)

    def message_shortcut(
        self,
        callback_id: str,
        *,
        user_id: str,
        channel_id: str,
        message: Dict[str, Any],
        trigger_id: Optional[str] = None,
        response_url: Optional[str] = None,
        timestamp: Optional[int] = None,
        signature: Optional[str] = None,
    ) -> Response:
        payload = {
            "type": "message_action",
            "callback_id": callback_id,
            "token": self.verification_token,
            "api_app_id": self.api_app_id,
            "action_ts": new_ts(),
            "trigger_id": trigger_id or self._trigger_id(),
            "response_url": response_url or self._response_url("actions"),
            "message_ts": message.get("ts", ""),
            "message": message,
            "user": self._user(user_id),
            "team": self._team(),
            "channel": {"id": channel_id, "name": ""},
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self.action(payload, timestamp=timestamp, signature=signature)

    def view_submission(
        self,
        callback_id: str,
        values: Dict[str, Any],
        *,
        user_id: str,
        private_metadata: str = "",
        view_id: Optional[str] = None,
        blocks: Optional[List[Dict[str, Any]]] = None,
        trigger_id: Optional[str] = None,
        timestamp: Optional[int] = None,
        signature: Optional[str] = None,
    ) -> Response:
        """``values`` is view.state.values: {block_id: {action_id: {...}}}."""
        payload = {
            "type": "view_submission",
            "team": self._team(),
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "trigger_id": trigger_id or self._trigger_id(),
            "view": {
                "id": view_id or _new_id("V"),
                "team_id": self.team_id,
                "type": "modal",
                "callback_id": callback_id,
                "private_metadata": private_metadata,
                "blocks": blocks or [],
                "state": {"values": values},
                "hash": f"{int(time.time())}.hash",
                "app_id": self.api_app_id,
            },
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self.action(payload, timestamp=timestamp, signature=signature)

    # -- raw

    def raw(self, body: str, headers: Mapping[str, str]) -> Response:
        """POST ``body`` with exactly ``headers`` (no signing added)."""
        return self._post(body, dict(headers))

    # -- internals

    def _send(
        self,
        body: str,
        content_type: str,
        extra_headers: Dict[str, str],
        timestamp: Optional[int],
        signature: Optional[str],
    ) -> Response:
        timestamp = int(time.time()) if timestamp is None else timestamp
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": signature
            or sign(body, timestamp, self.signing_secret),
            **extra_headers,
        }
        return self._post(body, headers)

    def _post(self, body: str, headers: Dict[str, str]) -> Response:
        request = urllib.request.Request(
            self.app_url, data=body.encode("utf-8"), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as reply:
                return Response(
                    reply.status, reply.read().decode("utf-8"), dict(reply.headers)
                )
        except urllib.error.HTTPError as error:
            # 4xx/5xx are answers the tests want to inspect, not failures.
            with error:
                return Response(
                    error.code, error.read().decode("utf-8"), dict(error.headers)
                )

    def _user(self, user_id: str) -> Dict[str, Any]:
        return {
            "id": user_id,
            "username": user_id.lower(),
            "name": user_id.lower(),
            "team_id": self.team_id,
        }

    def _team(self) -> Dict[str, Any]:
        return {"id": self.team_id, "domain": self.team_domain}

    def trigger_id(self) -> str:
        """A fresh trigger_id, for a caller that wants to know which request a views.open
        answers (the local workspace shows the modal to the member who acted)."""
        return self._trigger_id()

    def response_url(self, kind: str = "commands") -> str:
        """A fresh response_url (under ``response_url_base`` when given), for a caller that wants
        to know whose request a response_url post answers."""
        return self._response_url(kind)

    def _trigger_id(self) -> str:
        return f"{next(_ids)}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex}"

    def _response_url(self, kind: str) -> str:
        hook = f"{self.team_id}/{next(_ids)}/{uuid.uuid4().hex[:24]}"
        if self.response_url_base:
            return f"{self.response_url_base}{kind}/{hook}"
        return f"https://hooks.slack.com/{kind}/{hook}"
