"""The emulated workspace's messages: per channel, with threads and reactions, like Slack keeps them.

``MessageStore`` is plain data, without HTTP or locking: ``SlackEmulator`` (web_api.py) holds its
lock around every use and turns the store's answers into Web API responses.

Slack's model, as reproduced here:
  * A message is identified by (channel, ts); ts is unique within a channel.
  * A reply has ``thread_ts`` = its parent's ts. A reply to a reply joins the parent's thread
    (Slack asks clients to use the parent's ts; we file it where Slack would show it).
  * A parent's thread fields (``thread_ts``, ``reply_count``, ``reply_users``,
    ``reply_users_count``, ``latest_reply``) are derived from its replies when it is read, so
    deleting a reply keeps them right. Replies carry ``parent_user_id``.
  * Deleting a parent that still has replies leaves a ``tombstone`` in its place, so the thread
    stays reachable, as Slack does.
  * Reactions live on the message: ``[{"name", "users", "count"}]`` in order of first use.
"""

from __future__ import annotations

import copy
from decimal import Decimal, InvalidOperation
from typing import Any, Dict, List, Optional

Message = Dict[str, Any]

# Who Slack names as the author of a deleted parent's placeholder.
TOMBSTONE_USER = "USLACKBOT"


def ts_micros(ts: str) -> int:
    """A Slack ts ("1700000000.000100") as integer microseconds, for ordering and cursors.

    Raises ValueError for anything that is not a non-negative decimal number.
    """
    try:
        value = Decimal(str(ts))
    except InvalidOperation as exc:
        raise ValueError(f"not a Slack timestamp: {ts!r}") from exc
    if not value.is_finite() or value < 0:
        raise ValueError(f"not a Slack timestamp: {ts!r}")
    return int(value * 1_000_000)


def micros_ts(micros: int) -> str:
    """Inverse of ``ts_micros``, in Slack's canonical six-decimal form."""
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


class MessageStore:
    """Messages per channel id. Callers serialise access (the emulator's lock)."""

    def __init__(self) -> None:
        # channel -> ts -> stored message (thread fields are derived, never stored on parents)
        self._messages: Dict[str, Dict[str, Message]] = {}
        # channel -> parent ts -> reply ts, so rendering a parent doesn't scan the channel
        self._replies: Dict[str, Dict[str, List[str]]] = {}

    # ------------------------------------------------------------------ writing

    def add(self, channel: str, message: Message) -> Message:
        """Store ``message`` (which has its ``ts``) in ``channel``; returns it rendered.

        A ``thread_ts`` naming a reply is moved to that reply's parent. The parent need not be
        stored: a test may deliver the parent only as an event.
        """
        ts = message["ts"]
        ts_micros(ts)  # reject malformed ts at the door
        messages = self._messages.setdefault(channel, {})
        if ts in messages:
            raise ValueError(f"a message with ts {ts} already exists in {channel}")
        stored = copy.deepcopy(message)
        thread_ts = stored.get("thread_ts")
        if thread_ts == ts:
            del stored["thread_ts"]  # a parent's thread_ts is derived from its replies
        elif thread_ts:
            parent_ts = messages.get(thread_ts, {}).get("thread_ts") or thread_ts
            stored["thread_ts"] = parent_ts
            self._replies.setdefault(channel, {}).setdefault(parent_ts, []).append(ts)
        messages[ts] = stored
        return self._render(channel, stored)

    def update(self, channel: str, ts: str, changes: Message) -> Message:
        """Apply ``changes`` to a stored message (None removes a key); returns it rendered.

        KeyError if the message is unknown.
        """
        stored = self._messages.get(channel, {})[ts]
        for name, value in changes.items():
            if value is None:
                stored.pop(name, None)
            else:
                stored[name] = copy.deepcopy(value)
        return self._render(channel, stored)

    def remove(self, channel: str, ts: str) -> None:
        """Delete a message (KeyError if unknown); a parent with replies becomes a tombstone."""
        messages = self._messages.get(channel, {})
        stored = messages[ts]
        parent_ts = stored.get("thread_ts")
        if parent_ts:  # a reply: leave its thread
            self._replies[channel][parent_ts].remove(ts)
            del messages[ts]
            parent = messages.get(parent_ts)
            # The last reply gone, a tombstone has nothing left to hold together.
            if (parent is not None and parent.get("subtype") == "tombstone"
                    and not self._replies[channel][parent_ts]):
                del messages[parent_ts]
        elif self._replies.get(channel, {}).get(ts):
            messages[ts] = {
                "type": "message",
                "subtype": "tombstone",
                "text": "This message was deleted.",
                "user": TOMBSTONE_USER,
                "hidden": True,
                "ts": ts,
            }
        else:
            del messages[ts]

    def add_reaction(self, channel: str, ts: str, name: str, user: str) -> bool:
        """Record ``user``'s ``name`` reaction; False if already there. KeyError if unknown."""
        reactions = self._messages.get(channel, {})[ts].setdefault("reactions", [])
        for reaction in reactions:
            if reaction["name"] == name:
                if user in reaction["users"]:
                    return False
                reaction["users"].append(user)
                reaction["count"] += 1
                return True
        reactions.append({"name": name, "users": [user], "count": 1})
        return True

    def remove_reaction(self, channel: str, ts: str, name: str, user: str) -> bool:
        """Withdraw ``user``'s ``name`` reaction; False if they had none. KeyError if unknown."""
        stored = self._messages.get(channel, {})[ts]
        reactions = stored.get("reactions", [])
        for reaction in reactions:
            if reaction["name"] == name and user in reaction["users"]:
                reaction["users"].remove(user)
                reaction["count"] -= 1
                if not reaction["users"]:
                    reactions.remove(reaction)
                if not reactions:
                    del stored["reactions"]  # Slack omits the key on unreacted messages
                return True
        return False

    # ------------------------------------------------------------------ snapshot

    def export(self) -> Dict[str, List[Message]]:
        """Every stored message per channel, oldest first (copies, JSON-ready)."""
        return {channel: copy.deepcopy(self._sorted(channel)) for channel in self._messages}

    @classmethod
    def imported(cls, exported: Dict[str, List[Message]]) -> "MessageStore":
        """A store holding what ``export`` gave; threads are rebuilt as the messages are added."""
        store = cls()
        for channel, messages in exported.items():
            for message in sorted(messages, key=lambda m: ts_micros(m["ts"])):
                store.add(channel, message)
        return store

    # ------------------------------------------------------------------ reading

    def get(self, channel: str, ts: str) -> Optional[Message]:
        """The message rendered (a copy), or None."""
        stored = self._messages.get(channel, {}).get(ts)
        return None if stored is None else self._render(channel, stored)

    def is_mine(self, channel: str, ts: str, bot_id: str) -> bool:
        """Whether the stored message was posted by the bot ``bot_id`` (only those are editable)."""
        stored = self._messages.get(channel, {}).get(ts)
        return stored is not None and stored.get("bot_id") == bot_id

    def all(self, channel: str) -> List[Message]:
        """Every message in ``channel``, replies included, oldest first."""
        return [self._render(channel, m) for m in self._sorted(channel)]

    def top_level(self, channel: str) -> List[Message]:
        """What conversations.history lists: messages that are not replies, oldest first."""
        return [self._render(channel, m) for m in self._sorted(channel) if not m.get("thread_ts")]

    def thread(self, channel: str, ts: str) -> List[Message]:
        """The parent (when stored) then its replies in order; [] for an unknown thread.

        ``ts`` may also name a reply: its whole thread is returned.
        """
        messages = self._messages.get(channel, {})
        parent_ts = messages.get(ts, {}).get("thread_ts") or ts
        reply_ts = self._replies.get(channel, {}).get(parent_ts, [])
        parent = messages.get(parent_ts)
        if parent is None and not reply_ts:
            return []
        thread = [parent] if parent is not None else []
        thread += sorted((messages[r] for r in reply_ts), key=lambda m: ts_micros(m["ts"]))
        return [self._render(channel, m) for m in thread]

    def _sorted(self, channel: str) -> List[Message]:
        return sorted(self._messages.get(channel, {}).values(), key=lambda m: ts_micros(m["ts"]))

    def _render(self, channel: str, stored: Message) -> Message:
        """A copy of ``stored`` with the thread fields Slack shows on it."""
        message = copy.deepcopy(stored)
        if stored.get("thread_ts"):
            parent = self._messages.get(channel, {}).get(stored["thread_ts"])
            if parent is not None and parent.get("user"):
                message["parent_user_id"] = parent["user"]
            return message
        reply_ts = self._replies.get(channel, {}).get(stored["ts"], [])
        if reply_ts:
            replies = sorted((self._messages[channel][r] for r in reply_ts),
                             key=lambda m: ts_micros(m["ts"]))
            users: List[str] = []
            for reply in replies:
                if reply.get("user") and reply["user"] not in users:
                    users.append(reply["user"])
            message.update({
                "thread_ts": stored["ts"],
                "reply_count": len(replies),
                "reply_users": users,
                "reply_users_count": len(users),
                "latest_reply": replies[-1]["ts"],
            })
        return message
