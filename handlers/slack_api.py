"""The Slack Web API side of the adapter, over one WebClient: the `Directory` port (who people
are) and the outbox's `Transport` (posting one message).

Answers that rarely change (a person's time zone, a channel's creator, the bot's own id, a
message's permalink) are cached for an hour so a busy channel does not spend Slack's rate limits
on them.
"""
from __future__ import annotations

import threading
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.ports import Channel, DeliveryError, Person, PlatformError, Post
from bot.settings import Settings

from .blocks import fallback, message_blocks

CACHE_SECONDS = 3600
CACHE_ENTRIES = 20_000
# Slack's answers that no retry will change; anything else (ratelimited, internal_error,
# fatal_error, service_unavailable, request_timeout…) is worth another try later.
PERMANENT_ERRORS = frozenset({
    "channel_not_found", "not_in_channel", "is_archived", "user_not_found", "user_disabled", "cannot_dm_bot",
    "msg_too_long", "no_text", "invalid_blocks", "invalid_blocks_format", "too_many_attachments",
    "restricted_action", "restricted_action_read_only_channel", "restricted_action_thread_only_channel",
    "restricted_action_non_threadable_channel", "ekm_access_denied", "messages_tab_disabled",
    "invalid_auth", "not_authed", "account_inactive", "token_revoked", "no_permission", "missing_scope",
    "team_access_not_granted", "invalid_arguments", "thread_not_found",
})


def build_web_client(settings: Settings) -> WebClient:
    """The client for lookups (users.info, conversations.info): short retries on connection
    errors and 429, since a listener or a sweep waits for the answer."""
    return WebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=2), RateLimitErrorRetryHandler(max_retry_count=2)],
    )


def build_delivery_client(settings: Settings) -> WebClient:
    """The client for posting: no retries of its own. The outbox's delivery worker retries, with
    backoff, for hours, and paces channels; retries here would only hide what happened."""
    return WebClient(token=settings.bot_token, base_url=settings.api_url, timeout=15, retry_handlers=[])


class SlackDirectory:
    def __init__(self, client: WebClient):
        self.client = client
        self._cache: dict[tuple, tuple[float, object]] = {}
        self._lock = threading.Lock()

    def _cached(self, key: tuple, fetch):
        with self._lock:
            hit = self._cache.get(key)
            if hit and hit[0] > time.monotonic():
                return hit[1]
        value = fetch()
        with self._lock:
            self._cache.pop(key, None)  # re-inserted last: the dict stays ordered by age
            self._cache[key] = (time.monotonic() + CACHE_SECONDS, value)
            if len(self._cache) > CACHE_ENTRIES:  # bounded: permalinks alone would grow with history
                for old in list(self._cache)[:len(self._cache) // 10]:
                    del self._cache[old]
        return value

    def _call(self, method: str, **kwargs) -> dict:
        try:
            return getattr(self.client, method)(**kwargs).data
        except SlackApiError as error:
            raise PlatformError(error.response.get("error", "unknown_error") if error.response is not None else "unknown_error") from error

    def person(self, team_id: str, user_id: str) -> Person:
        def fetch() -> Person:
            user = self._call("users_info", user=user_id)["user"]
            return Person(
                user_id=user_id,
                is_bot=bool(user.get("is_bot")) or user_id == "USLACKBOT",
                is_workspace_admin=bool(user.get("is_admin") or user.get("is_owner")),
                timezone=user.get("tz") or "UTC",
                name=user.get("real_name") or user.get("name", ""),
                deleted=bool(user.get("deleted")),
                title=(user.get("profile") or {}).get("title") or "",
            )
        return self._cached(("person", team_id, user_id), fetch)

    def channel_creator(self, team_id: str, channel_id: str) -> str | None:
        return self._cached(("creator", team_id, channel_id),
                            lambda: self._call("conversations_info", channel=channel_id)["channel"].get("creator"))

    def bot_user_id(self, team_id: str) -> str:
        return self._cached(("bot", team_id), lambda: self._call("auth_test")["user_id"])

    def permalink(self, team_id: str, channel_id: str, message_id: str) -> str:
        """The address that opens a message (chat.getPermalink); cached like the rest."""
        return self._cached(("permalink", team_id, channel_id, message_id),
                            lambda: self._call("chat_getPermalink", channel=channel_id, message_ts=message_id)["permalink"])


class SlackWorkspace:
    """The `Workspace` port: platform actions other than posting, uncached (they act, or must be
    current). Each duty's methods are under its heading."""

    def __init__(self, client: WebClient):
        self.client = client

    def _call(self, method: str, **kwargs) -> dict:
        try:
            return getattr(self.client, method)(**kwargs).data
        except SlackApiError as error:
            raise PlatformError(_error_code(error.response)) from error

    def channel(self, team_id: str, channel_id: str) -> Channel:
        info = self._call("conversations_info", channel=channel_id, include_num_members=True)["channel"]
        return Channel(channel_id=channel_id, name=info.get("name", ""), purpose=(info.get("purpose") or {}).get("value", ""),
                       member_count=int(info.get("num_members") or 0), is_private=bool(info.get("is_private")),
                       is_archived=bool(info.get("is_archived")))

    def members(self, team_id: str, channel_id: str) -> list[str]:
        members, cursor = [], None
        while True:
            page = self._call("conversations_members", channel=channel_id, limit=1000, **({"cursor": cursor} if cursor else {}))
            members += page.get("members", [])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return members

    # approval
    def invite(self, team_id: str, channel_id: str, user_id: str) -> None:
        self._call("conversations_invite", channel=channel_id, users=user_id)

    # moderation

    # content
    # Slack's rate tiers for the list calls (docs.slack.dev/reference/methods/pins.list: Tier 2,
    # "20+ per minute"; bookmarks.list: Tier 3, "50+ per minute"), per app and workspace.
    pin_lists_per_minute = 20
    bookmark_lists_per_minute = 50

    def pinned(self, team_id: str, channel_id: str) -> list:
        """pins.list: the channel's message pins (file pins, from before files were shared as
        messages, cannot be unpinned by the API any more and are left out). Titles are the
        messages' text as plain words."""
        from bot.content.items import PIN, Listed
        from .mrkdwn import to_plain
        found = []
        for entry in self._call("pins_list", channel=channel_id).get("items") or []:
            message = entry.get("message") if isinstance(entry, dict) and entry.get("type") == "message" else None
            if not isinstance(message, dict) or not isinstance(message.get("ts"), str):
                continue
            found.append(Listed(PIN, message["ts"], to_plain(str(message.get("text") or ""))[0],
                                str(message.get("permalink") or ""), self._moment(entry.get("created")),
                                str(entry.get("created_by") or "")))
        return found

    def bookmarked(self, team_id: str, channel_id: str) -> list:
        """bookmarks.list: the channel's bookmarks (links, and messages or files bookmarked)."""
        from bot.content.items import BOOKMARK, Listed
        found = []
        for entry in self._call("bookmarks_list", channel_id=channel_id).get("bookmarks") or []:
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                found.append(Listed(BOOKMARK, entry["id"], str(entry.get("title") or ""), str(entry.get("link") or ""),
                                    self._moment(entry.get("date_created")), str(entry.get("last_updated_by_user_id") or "")))
        return found

    def unpin(self, team_id: str, channel_id: str, message_id: str) -> None:
        self._call("pins_remove", channel=channel_id, timestamp=message_id)

    def remove_bookmark(self, team_id: str, channel_id: str, bookmark_id: str) -> None:
        self._call("bookmarks_remove", channel_id=channel_id, bookmark_id=bookmark_id)

    @staticmethod
    def _moment(seconds):
        """Slack's epoch seconds as a UTC time; None when absent or not a number."""
        from datetime import datetime, timezone
        try:
            return datetime.fromtimestamp(float(seconds), timezone.utc) if seconds else None
        except (TypeError, ValueError, OverflowError, OSError):
            return None

    # events
    def open_event_form(self, team_id: str, trigger_id: str, form) -> None:
        from .events import event_modal  # the modal is built beside the duty's listeners
        self._call("views_open", trigger_id=trigger_id, view=event_modal(form))

    # report
    def upload_file(self, team_id: str, user_id: str, filename: str, content: str, *, title: str, comment) -> str:
        """files.uploadV2 (slack_sdk's `files_upload_v2`: files.getUploadURLExternal, the bytes to the
        URL it gives, files.completeUploadExternal) into the DM, whose id conversations.open gives:
        completeUploadExternal takes a conversation, not a user."""
        from slack_sdk.errors import SlackRequestError

        from .mrkdwn import render
        channel = self._call("conversations_open", users=user_id)["channel"]["id"]
        try:
            uploaded = self._call("files_upload_v2", channel=channel, filename=filename, content=content, title=title,
                                  initial_comment=render(comment))
        except SlackRequestError as error:  # the upload URL refused the bytes
            raise PlatformError("upload_failed") from error
        return uploaded["file"]["id"]

    # audience


class SlackTransport:
    """Renders a post to mrkdwn + Block Kit and sends it with chat.postMessage, once."""

    def __init__(self, client: WebClient):
        self.client = client

    def deliver(self, post: Post, replacing: str | None = None) -> str:
        arguments = {"channel": post.channel_id or post.user_id, "text": fallback(post.message),
                     "blocks": [block.to_dict() for block in message_blocks(post.message)]}
        try:
            if replacing:  # an edit: chat.update wants the conversation's id, a DM's included
                if post.user_id:
                    arguments["channel"] = self.client.conversations_open(users=post.user_id)["channel"]["id"]
                return self.client.chat_update(**arguments, ts=replacing)["ts"]
            if post.thread:
                arguments["thread_ts"] = post.thread
            return self.client.chat_postMessage(**arguments)["ts"]
        except SlackApiError as error:
            code = _error_code(error.response)
            raise DeliveryError(code, permanent=code in PERMANENT_ERRORS, retry_after=_retry_after(error.response)) from None
        except (OSError, TimeoutError) as error:  # connection refused or reset, DNS, timeout
            raise DeliveryError(type(error).__name__, permanent=False) from None


def _error_code(response) -> str:
    """Slack's error name; for an HTTP failure without one (an outage's HTML page), `http_<status>`."""
    status = getattr(response, "status_code", None)
    if status == 429:
        return "ratelimited"
    if status is None or status >= 300:
        return f"http_{status or 'error'}"
    return str(response.get("error") or "unknown_error")


def _retry_after(response) -> float | None:
    if response is None or response.status_code != 429:
        return None
    values = response.headers.get("Retry-After") or response.headers.get("retry-after")
    value = values[0] if isinstance(values, list) else values
    try:
        return float(value)
    except (TypeError, ValueError):
        return 1.0
