"""The Slack Web API side of the adapter: the `Directory` port and posting, over one WebClient.

Listeners and scheduled jobs both go through here. Answers that rarely change (a person's time
zone, a channel's creator, the bot's own id) are cached for an hour so a busy channel does not
spend Slack's rate limits on them.
"""
from __future__ import annotations

import logging
import threading
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.ports import Person, PlatformError
from bot.settings import Settings

log = logging.getLogger(__name__)
CACHE_SECONDS = 3600


def build_web_client(settings: Settings) -> WebClient:
    """One client for the app: `SLACK_API_URL`, and retries on connection errors and HTTP 429.

    The 429 handler sleeps for Slack's `Retry-After`; it only ever runs after `ack()`, in a
    listener or a job thread, never while Slack waits for our acknowledgement.
    """
    return WebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=2), RateLimitErrorRetryHandler(max_retry_count=3)],
    )


class SlackGateway:
    def __init__(self, client: WebClient):
        self.client = client
        self._cache: dict[tuple, tuple[float, object]] = {}
        self._lock = threading.Lock()

    def client_for(self, team_id: str) -> WebClient:
        # One workspace per deployment today; an installation store will pick the token per team.
        return self.client

    def _cached(self, key: tuple, fetch):
        with self._lock:
            hit = self._cache.get(key)
            if hit and hit[0] > time.monotonic():
                return hit[1]
        value = fetch()
        with self._lock:
            self._cache[key] = (time.monotonic() + CACHE_SECONDS, value)
        return value

    def _call(self, team_id: str, method: str, **kwargs) -> dict:
        try:
            return getattr(self.client_for(team_id), method)(**kwargs).data
        except SlackApiError as error:
            raise PlatformError(error.response.get("error", "unknown_error") if error.response is not None else "unknown_error") from error

    # --- Directory port ---------------------------------------------------------------------
    def person(self, team_id: str, user_id: str) -> Person:
        def fetch() -> Person:
            user = self._call(team_id, "users_info", user=user_id)["user"]
            return Person(
                user_id=user_id,
                is_bot=bool(user.get("is_bot")) or user_id == "USLACKBOT",
                is_workspace_admin=bool(user.get("is_admin") or user.get("is_owner")),
                timezone=user.get("tz") or "UTC",
                name=user.get("real_name") or user.get("name", ""),
            )
        return self._cached(("person", team_id, user_id), fetch)

    def channel_creator(self, team_id: str, channel_id: str) -> str | None:
        return self._cached(("creator", team_id, channel_id),
                            lambda: self._call(team_id, "conversations_info", channel=channel_id)["channel"].get("creator"))

    def bot_user_id(self, team_id: str) -> str:
        return self._cached(("bot", team_id), lambda: self._call(team_id, "auth_test")["user_id"])

    # --- posting ------------------------------------------------------------------------------
    def post(self, team_id: str, channel: str, text: str, blocks: list | None = None, thread_ts: str | None = None) -> str:
        """Post and return the message ts. `text` is always sent: it is the notification fallback."""
        arguments = {"channel": channel, "text": text}
        if blocks:
            arguments["blocks"] = [b.to_dict() if hasattr(b, "to_dict") else b for b in blocks]
        if thread_ts:
            arguments["thread_ts"] = thread_ts
        return self._call(team_id, "chat_postMessage", **arguments)["ts"]
