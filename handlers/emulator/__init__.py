"""Slack, played locally: a Web API emulator and a sender of signed Slack requests.

The tests drive the real bot with these, the benchmark loads it with them, and a local
workspace (``handlers.local``: the bot with no Slack, in a browser) serves them; so they live in
the installed package rather than under tests/.

- ``web_api``: ``SlackEmulator``, an HTTP server that answers Web API calls from an in-memory
  workspace (users, channels, messages, reactions) and records every call; it can also be told
  to fail (one-shot scripts, or a storm of 429s / an outage for a while).
- ``messages``: ``MessageStore``, the workspace's messages per channel with threads and
  reactions, which the emulator serves.
- ``sender``: ``SlackSender``, which signs and POSTs events, slash commands and interactivity
  payloads to the app the way Slack does, and builders for the event payloads.

Only the standard library is used here: nothing beyond the bot's own dependencies.
"""
from .sender import (
    Response,
    SlackSender,
    app_home_opened_event,
    member_joined_event,
    member_left_event,
    message_changed_event,
    message_event,
    new_ts,
    reaction_added_event,
    reaction_removed_event,
    sign,
)
from .web_api import (
    ALL_METHODS,
    DELIVERED,
    RESPONSE_URL_METHOD,
    SCRIPTED,
    STORMED,
    Call,
    SlackEmulator,
    decode_json_arg,
    decode_json_args,
)

__all__ = [
    "ALL_METHODS",
    "DELIVERED",
    "RESPONSE_URL_METHOD",
    "SCRIPTED",
    "STORMED",
    "Call",
    "Response",
    "SlackEmulator",
    "SlackSender",
    "app_home_opened_event",
    "decode_json_arg",
    "decode_json_args",
    "member_joined_event",
    "member_left_event",
    "message_changed_event",
    "message_event",
    "new_ts",
    "reaction_added_event",
    "reaction_removed_event",
    "sign",
]
