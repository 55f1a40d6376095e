"""A Slack workspace for end-to-end tests: the real bot over HTTP, the emulator, a fake clock.

Tests read like conversations:
    ws.run("UOWNER", "setup")            # /community setup, returns the ephemeral reply text
    ws.join("UALICE")                    # member_joined_channel, signed, over HTTP
    ws.posts("C1")                       # what the bot posted there (full arguments)
    ws.advance(minutes=30)               # fast-forward the clock; scheduled sweeps see it
"""
from __future__ import annotations

import time
from datetime import timedelta

from bot.clock import FakeClock
from handlers.runtime import Steward
from bot.settings import Settings
from handlers.emulator import SlackEmulator, SlackSender, member_joined_event, member_left_event, message_event, new_ts

SIGNING_SECRET = "test-signing-secret"
TICK_SECONDS = 0.05


class Workspace:
    def __init__(self, emulator: SlackEmulator, data_dir, clock: FakeClock | None = None, **settings):
        self.slack = emulator
        self.data_dir = data_dir
        self.clock = clock or FakeClock()
        self.settings = Settings(mode="http", bot_token="xoxb-test", signing_secret=SIGNING_SECRET, api_url=emulator.url,
                                 port=0, data_dir=data_dir, counter_flush_seconds=0.2,
                                 scheduler_tick_seconds=TICK_SECONDS, **settings)
        self.steward: Steward | None = None
        self.sender: SlackSender | None = None

    # --- lifecycle ----------------------------------------------------------------------------
    def start(self) -> "Workspace":
        self.steward = Steward(self.settings, clock=self.clock)
        self.steward.start()
        server = self.steward.serve_http(host="127.0.0.1", port=0, block=False)
        self.sender = SlackSender(f"http://127.0.0.1:{server.port}/slack/events", SIGNING_SECRET,
                                  response_url_base=self.slack.hooks_url)
        return self

    def stop(self) -> None:
        if self.steward is not None:
            self.steward.close()
            self.steward = None

    def restart(self) -> "Workspace":
        self.stop()
        return self.start()

    @property
    def core(self):
        return self.steward.core

    def settle(self, ticks: int = 4) -> None:
        """Let listeners finish and the scheduler take a few ticks."""
        self.steward.wait_idle()
        time.sleep(TICK_SECONDS * ticks)
        self.steward.wait_idle()

    def advance(self, **delta) -> None:
        self.clock.advance(timedelta(**delta))
        self.settle()

    # --- people do things -------------------------------------------------------------------
    def run(self, user: str, text: str, channel: str = "C1") -> str:
        """`/community <text>` by `user` in `channel`; the ephemeral reply's text."""
        before = len(self.slack.calls_to("response_url"))
        response = self.sender.command("/community", text, user_id=user, channel_id=channel)
        assert response.status == 200, response.body
        replies = self.slack.wait_for("response_url", count=before + 1)
        reply = replies[before]
        assert reply.get("response_type") == "ephemeral", reply
        return reply["text"]

    def join(self, user: str, channel: str = "C1", **kwargs):
        response = self.sender.event(member_joined_event(channel, user), **kwargs)
        self.steward.wait_idle()
        return response

    def leave(self, user: str, channel: str = "C1"):
        response = self.sender.event(member_left_event(channel, user))
        self.steward.wait_idle()
        return response

    def say(self, user: str, text: str, channel: str = "C1", thread_ts: str | None = None, wait: bool = True, **kwargs) -> str:
        ts = new_ts()
        self.slack.add_message(channel, user, text, ts=ts, thread_ts=thread_ts)  # Slack keeps it too
        response = self.sender.event(message_event(channel, user, text, ts=ts, thread_ts=thread_ts), **kwargs)
        assert response.status == 200, response.body
        if wait:
            self.steward.wait_idle()
        return ts

    def click(self, action_id: str, value: str, user: str, channel: str = "C1") -> str | None:
        """Press a button on a bot message; the ephemeral answer's text, if the bot gave one."""
        before = len(self.slack.calls_to("response_url"))
        response = self.sender.block_action(action_id, value, user_id=user, channel_id=channel, message_ts=value)
        assert response.status == 200, response.body
        self.steward.wait_idle()
        replies = self.slack.calls_to("response_url")
        return replies[before]["text"] if len(replies) > before else None

    # --- what the bot did ------------------------------------------------------------------
    def posts(self, channel: str | None = None) -> list[dict]:
        return [c for c in self.slack.calls_to("chat.postMessage") if channel is None or c["channel"] == channel]
