"""What the core needs from a chat platform, as small interfaces.

The Slack adapter (`handlers/slack_api.py`) implements them with the Web API; a local workspace or
a Teams adapter implements them too, and the core does not change.

- `Directory`: who people are (bot? admin? time zone?), who created a channel, and the address
  that opens a message (a permalink).
- `Messenger`: the only way the core posts. It takes a `Post` (where, what, and an idempotency key)
  and queues it durably; the outbox (`bot.outbox`) is the implementation.
- `Transport`: how the outbox's delivery worker hands one post to the platform.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from .messages import Message, Text


@dataclass(frozen=True)
class Person:
    user_id: str
    is_bot: bool = False
    is_workspace_admin: bool = False  # admin or owner of the whole workspace
    timezone: str = "UTC"
    name: str = ""
    deleted: bool = False
    title: str = ""  # the job title of their profile, "" when unknown


class Directory(Protocol):
    def person(self, team_id: str, user_id: str) -> Person: ...
    def channel_creator(self, team_id: str, channel_id: str) -> str | None: ...
    def bot_user_id(self, team_id: str) -> str: ...
    def permalink(self, team_id: str, channel_id: str, message_id: str) -> str: ...


class PlatformError(RuntimeError):
    """The platform refused a call (Slack's `ok: false`); `code` is its error name."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Post:
    """One message to deliver once.

    `key` is the idempotency key (`welcome:<team>:<channel>:<user>:<joined_at>`): a key is
    delivered at most once, however often it is sent. Exactly one of `channel_id` (a group) and
    `user_id` (a direct message) is set. `thread` is the platform id of the message to reply
    under. `group` ("team:channel") names the managed group the post is about, for
    `/community status` and for telling its owners when a post cannot be delivered.
    `then` names a follow-up the core registered with the outbox, run once with the delivered
    message's id (e.g. tracking the question `/community ask` posted).
    `replaces` is the key of an earlier post to the same place: this one edits that message in
    place instead of posting a new one (an event card's RSVP counts, an approval DM once another
    owner decided). It is delivered after the earlier post; if that one failed, so does the edit.
    Each edit has a key of its own (`…:v3`), so edits are kept and delivered once, in order.
    """
    key: str
    team_id: str
    message: Message
    channel_id: str | None = None
    user_id: str | None = None
    thread: str | None = None
    group: str | None = None
    then: str | None = None
    then_args: dict = field(default_factory=dict)
    replaces: str | None = None

    def __post_init__(self):
        if (self.channel_id is None) == (self.user_id is None):
            raise ValueError("a post goes to a channel or to a person, not both")

    @property
    def destination(self) -> str:
        return self.channel_id or f"dm:{self.user_id}"


class Messenger(Protocol):
    def send(self, post: Post) -> bool:
        """Queue durably; False when this key was already queued or delivered (nothing to do)."""


class DeliveryError(Exception):
    """A delivery that did not happen. `permanent` ones are not retried (`channel_not_found`,
    `not_in_channel`…); the others are, after `retry_after` seconds when the platform said so."""

    def __init__(self, code: str, *, permanent: bool, retry_after: float | None = None):
        super().__init__(code)
        self.code = code
        self.permanent = permanent
        self.retry_after = retry_after


class Transport(Protocol):
    def deliver(self, post: Post, replacing: str | None = None) -> str:
        """Post it now; the platform's id of the new message. Raises DeliveryError. With
        `replacing` (the platform's id of the message `post.replaces` delivered), edit that one."""


@dataclass(frozen=True)
class Channel:
    channel_id: str
    name: str = ""
    purpose: str = ""
    member_count: int = 0
    is_private: bool = False
    is_archived: bool = False


class Workspace(Protocol):
    """Platform actions other than posting, each a direct call that raises `PlatformError` when the
    platform refuses (the caller tells the person why). Each duty adds the few it needs, under its
    own heading, here and in every adapter (`handlers.slack_api.SlackWorkspace`)."""

    def channel(self, team_id: str, channel_id: str) -> Channel: ...
    def members(self, team_id: str, channel_id: str) -> list[str]: ...

    # approval
    def invite(self, team_id: str, channel_id: str, user_id: str) -> None:
        """Add a person to a channel (the bot must be in it). `PlatformError` codes include
        `already_in_channel`, `not_in_channel`, `user_is_restricted` (a guest), `cant_invite`."""

    # moderation

    # content
    # Pinned messages and bookmarks (bot.content): `pinned` lists the channel's message pins and
    # `bookmarked` its bookmarks, as `bot.content.items.Listed` values (no pagination: a channel
    # holds at most 100 of each); `unpin` and `remove_bookmark` act at an owner's click. The list
    # calls are rate-limited by the platform: it says how many a minute it takes, per workspace,
    # and the daily reconciliation paces itself under that (`bot.content.pacing`).
    pin_lists_per_minute: int
    bookmark_lists_per_minute: int

    def pinned(self, team_id: str, channel_id: str) -> list["Listed"]: ...
    def bookmarked(self, team_id: str, channel_id: str) -> list["Listed"]: ...
    def unpin(self, team_id: str, channel_id: str, message_id: str) -> None: ...
    def remove_bookmark(self, team_id: str, channel_id: str, bookmark_id: str) -> None: ...

    # events
    def open_event_form(self, team_id: str, trigger_id: str, form) -> None:
        """Show the person who acted (`trigger_id`) the form of an event (`bot.events.EventForm`)."""

    # report
    def upload_file(self, team_id: str, user_id: str, filename: str, content: str, *, title: str, comment: Text) -> str:
        """Share a text file (`content`, UTF-8) in `user_id`'s direct messages with the bot, introduced
        by `comment`; the platform's id of the file."""

    # audience

