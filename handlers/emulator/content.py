"""The emulated workspace's pinned messages and bookmarks, per channel, and the pin events.

``ChannelContent`` is plain data, without HTTP or locking, like ``MessageStore``: ``SlackEmulator``
holds its lock around every use and turns its answers into Web API responses (pins.add /
pins.remove / pins.list, bookmarks.add / bookmarks.list / bookmarks.remove).

Slack's model, as reproduced here:
  * A pin is a message of the channel, pinned once (``already_pinned``), with when it was pinned
    (``created``, epoch seconds) and by whom (``created_by``). pins.list lists message pins
    (newest first) with the whole message and its permalink; it is not paginated.
  * When a message is pinned or unpinned, Slack sends ``pin_added`` / ``pin_removed`` to the
    channel's members, apps included (``pin_event`` builds them). Slack sends no event at all
    for bookmarks: apps only learn of them through bookmarks.list.
  * A bookmark has an id (``Bk…``), a title, a link (``http://`` or ``https://`` only, else
    ``invalid_link``), ``date_created`` and who last updated it; a channel holds at most 100.
"""

from __future__ import annotations

import itertools
from typing import Any, Dict, List, Optional

MAX_BOOKMARKS = 100  # Slack: "Conversations are limited to 100 bookmarks."
_BOOKMARK_IDS = itertools.count(1)


class ContentError(Exception):
    """A Slack error name for the call being answered (``already_pinned``, ``not_found``…)."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class ChannelContent:
    """Pins and bookmarks per channel id. Callers serialise access (the emulator's lock)."""

    def __init__(self) -> None:
        self._pins: Dict[str, Dict[str, Dict[str, Any]]] = {}  # channel -> ts -> {created, created_by}
        self._bookmarks: Dict[str, Dict[str, Dict[str, Any]]] = {}  # channel -> id -> bookmark

    # ------------------------------------------------------------------ pins
    def pin(self, channel: str, ts: str, user: str, created: int) -> None:
        pins = self._pins.setdefault(channel, {})
        if ts in pins:
            raise ContentError("already_pinned")
        pins[ts] = {"created": int(created), "created_by": user}

    def unpin(self, channel: str, ts: str) -> Dict[str, Any]:
        pin = self._pins.get(channel, {}).pop(ts, None)
        if pin is None:
            raise ContentError("not_pinned")
        return pin

    def pins(self, channel: str) -> List[Dict[str, Any]]:
        """``[{"ts", "created", "created_by"}]``, newest pin first."""
        listed = [{"ts": ts, **pin} for ts, pin in self._pins.get(channel, {}).items()]
        return sorted(listed, key=lambda pin: (pin["created"], pin["ts"]), reverse=True)

    def pin_count(self, channel: str) -> int:
        return len(self._pins.get(channel, {}))

    # ------------------------------------------------------------- bookmarks
    def add_bookmark(self, channel: str, title: str, link: str, user: str, created: int, team: str,
                     bookmark_id: Optional[str] = None) -> Dict[str, Any]:
        if not title:
            raise ContentError("invalid_arguments")
        if not link.lower().startswith(("http://", "https://")):
            raise ContentError("invalid_link")
        bookmarks = self._bookmarks.setdefault(channel, {})
        if len(bookmarks) >= MAX_BOOKMARKS:
            raise ContentError("too_many_bookmarks")
        bookmark_id = bookmark_id or f"Bk{next(_BOOKMARK_IDS):09d}"
        bookmark = {"id": bookmark_id, "channel_id": channel, "title": title, "link": link, "emoji": None,
                    "icon_url": None, "type": "link", "entity_id": None, "date_created": int(created),
                    "date_updated": 0, "rank": str(len(bookmarks)), "last_updated_by_user_id": user,
                    "last_updated_by_team_id": team, "shortcut_id": None, "app_id": None}
        bookmarks[bookmark_id] = bookmark
        return dict(bookmark)

    def remove_bookmark(self, channel: str, bookmark_id: str) -> Dict[str, Any]:
        bookmark = self._bookmarks.get(channel, {}).pop(bookmark_id, None)
        if bookmark is None:
            raise ContentError("not_found")
        return bookmark

    def bookmarks(self, channel: str) -> List[Dict[str, Any]]:
        return [dict(bookmark) for bookmark in self._bookmarks.get(channel, {}).values()]


def pin_event(kind: str, channel: str, user: str, message: Dict[str, Any], created: int, event_ts: str,
              pin_count: int) -> Dict[str, Any]:
    """``pin_added`` or ``pin_removed`` as Slack delivers it (docs.slack.dev/reference/events/pin_added):
    who pinned, the channel (``channel_id``), the item with the whole message, and the pin's facts."""
    event: Dict[str, Any] = {
        "type": kind,
        "user": user,
        "channel_id": channel,
        "item": {"type": "message", "channel": channel, "created": created, "created_by": user,
                 "message": message},
        "item_user": message.get("user", ""),
        "pin_count": str(pin_count),
        "pinned_info": {"channel": channel, "pinned_by": user, "pinned_ts": created},
        "event_ts": event_ts,
    }
    if kind == "pin_removed":
        event["has_pins"] = pin_count > 0
    return event
