"""What the core needs from a chat platform, as small interfaces.

The Slack adapter (handlers/slack_api.py) implements them with the Web API; a local workspace or
a Teams adapter can implement them too, and the core does not change.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Person:
    user_id: str
    is_bot: bool = False
    is_workspace_admin: bool = False  # admin or owner of the whole workspace
    timezone: str = "UTC"
    name: str = ""


class Directory(Protocol):
    def person(self, team_id: str, user_id: str) -> Person: ...
    def channel_creator(self, team_id: str, channel_id: str) -> str | None: ...
    def bot_user_id(self, team_id: str) -> str: ...


class PlatformError(RuntimeError):
    """The platform refused a call (Slack's `ok: false`); `code` is its error name."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code
