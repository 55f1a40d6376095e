"""What the content duty knows of one pinned message or bookmark, and which are up for review.

Pure functions over plain values (no store, no platform), so ages and supersession are tested
with a fake clock alone:

- `Listed`: an item as the platform lists it (the `Workspace` port's answer, and a pin event's).
- `Item`: an item as the bot keeps it: when it was added and by whom, when an owner last pressed
  Keep, its owner label.
- `review(items, now, stale_after)`: the items up for review, each with why: *old* (its age,
  counted from pinning or bookmarking, or from the last Keep, is at least `stale_after`) and/or
  *superseded* (a newer item has the same title, compared folded: case, accents, spacing and
  end punctuation aside). "Newer" means added after this item's age started, so an owner's Keep
  also settles a supersession, until an even newer item with that title comes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..clock import parse_iso, utc_iso
from ..text import fold

PIN, BOOKMARK = "pin", "bookmark"
KINDS = (PIN, BOOKMARK)
MAX_TITLE = 80  # a title is shown in lists and checklists, one line each
MAX_LABEL = 40  # a label is a heading ("Onboarding", "Policies"), not a description
_END_PUNCTUATION = " \t.,;:!?-–—…\"'«»“”"


@dataclass(frozen=True)
class Listed:
    """A pinned message or a bookmark as the platform lists it."""
    kind: str  # PIN or BOOKMARK
    ref: str  # the pinned message's id, or the bookmark's id
    title: str  # plain text: the message's text, or the bookmark's title (cleaned by `clean_title`)
    link: str = ""  # the message's permanent link, or the bookmark's address
    added_at: datetime | None = None  # when it was pinned or bookmarked, when the platform says
    added_by: str = ""  # who pinned or bookmarked it, when the platform says

    @property
    def item_id(self) -> str:
        return item_id(self.kind, self.ref)


def item_id(kind: str, ref: str) -> str:
    return f"{kind}:{ref}"


def split_item_id(value: str) -> tuple[str, str] | None:
    """(kind, ref) of "pin:1700000000.000100" or "bookmark:Bk01", None when malformed."""
    kind, _, ref = value.partition(":")
    if kind not in KINDS or not ref or len(ref) > 64 or not all(c.isalnum() or c in "._-" for c in ref):
        return None
    return kind, ref


def clean_title(text: str) -> str:
    """The first non-empty line, spaces collapsed, at most MAX_TITLE characters."""
    for line in (text or "").splitlines():
        line = " ".join(line.split())
        if line:
            return line if len(line) <= MAX_TITLE else line[:MAX_TITLE - 1].rstrip() + "…"
    return ""


def folded_title(title: str) -> str:
    """The title as compared for supersession: "Onboarding Guide!" and "onboarding guide" match."""
    return " ".join(fold(title).split()).strip(_END_PUNCTUATION)


@dataclass(frozen=True)
class Item:
    item_id: str
    kind: str
    ref: str
    title: str
    link: str
    added_at: datetime
    added_by: str = ""
    kept_at: datetime | None = None
    kept_by: str = ""
    label: str = ""

    @property
    def since(self) -> datetime:
        """Where its age starts: when it was added, or the last Keep if later."""
        return max(self.added_at, self.kept_at) if self.kept_at else self.added_at

    @classmethod
    def from_doc(cls, key: str, doc: dict) -> "Item":
        return cls(item_id=key, kind=doc["kind"], ref=doc["ref"], title=doc.get("title", ""), link=doc.get("link", ""),
                   added_at=parse_iso(doc["added_at"]), added_by=doc.get("added_by", ""),
                   kept_at=parse_iso(doc["kept_at"]) if doc.get("kept_at") else None, kept_by=doc.get("kept_by", ""),
                   label=doc.get("label", ""))


def new_doc(listed: Listed, now: datetime) -> dict:
    """How an item is kept: `tracked_at` is when the bot learned of it (see `ContentService.reconcile`)."""
    added = listed.added_at if listed.added_at and listed.added_at <= now else now
    return {"kind": listed.kind, "ref": listed.ref, "title": clean_title(listed.title), "link": listed.link,
            "added_at": utc_iso(added), "added_by": listed.added_by, "kept_at": None, "kept_by": "", "label": "",
            "tracked_at": utc_iso(now)}


@dataclass(frozen=True)
class Review:
    """An item up for review, and why: `old` (its age reached stale_after) and/or `newer`, the
    newest item with the same title added after its age started."""
    item: Item
    old: bool
    newer: Item | None


def review(items: list[Item], now: datetime, stale_after: timedelta) -> list[Review]:
    """The items up for review, the longest-waiting first. O(n): one pass to group titles."""
    newest_by_title: dict[str, list[Item]] = {}
    for item in items:
        folded = folded_title(item.title)
        if folded:
            newest_by_title.setdefault(folded, []).append(item)
    found = []
    for item in items:
        same = newest_by_title.get(folded_title(item.title), [])
        newer = max((other for other in same if other is not item and other.added_at > item.since),
                    key=lambda other: other.added_at, default=None)
        old = now - item.since >= stale_after
        if old or newer is not None:
            found.append(Review(item, old, newer))
    return sorted(found, key=lambda r: (r.item.since, r.item.item_id))
