"""Fresh content: the group's pinned messages and bookmarks, their ages and owner labels, and the
ones up for review in the owners' weekly checklist.

Seed: owners "keep content fresh and relevant: remove or archive obsolete items, make sure the
latest versions are prominent, correctly labelled and findable".

Tracking. Pins are followed as they happen (`pin_added`, `pin_removed`, applied from the inbox).
Slack sends no event for bookmarks, so they, and any pin event missed while the bot was down,
come from a daily reconciliation (`reconcile_due`, `schedules/content.py`): once per group and
local day, `pins.list` and `bookmarks.list` are read, new items are added (with when and by whom
the platform says they were added) and items no longer listed are dropped. The calls are paced
under the platform's rate tiers (`bot.content.pacing`). The day's done-record (`bot.periods`) is
written after the reconciliation, not before: reconciling twice only syncs the same state again,
while a record written before a passing failure (a 429, an outage) would leave the group
unchecked for a day. A permanent refusal (the bot left the channel) is noted, shown by
`/community content`, and tried again the next day.

Review (`bot.content.items.review`): an item is up for review when its age (from pinning or
bookmarking, or from the last Keep) reaches the group's `stale_after` (180 days by default), or
when a newer item has the same title. Those appear in the checklist with **Keep** (its age starts
again), **Unpin** / **Remove bookmark** and **Relabel** (a modal). Nothing is removed without an
owner's click; a member's click, forged payloads included, is refused; every owner action is in
the audit trail. After a click the owner gets a private confirmation; the checklist DM is left
as it is (it is the week's snapshot, shared with other duties' sections, one copy per owner), and
a second click on an item already handled says so.

Storage: one document per group (`content.<shard>`, 16 shards by the group's key, so a change
rewrites a small file), holding its items (a channel holds at most 100 pins and 100 bookmarks),
the items removed lately (`gone`, so a reconciliation that listed before a removal does not bring
it back) and the last check's time and error. Every read is one document: `stale_count` is cheap.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..clock import Clock, parse_iso, utc_iso
from ..groups import Group, GroupService
from ..groups.config import format_duration
from ..i18n import t, tp
from ..messages import Actions, Button, Code
from ..periods import done, local_day, once_per_period
from ..ports import Directory, PlatformError, Workspace
from ..store import Store
from . import words
from .items import BOOKMARK, MAX_LABEL, PIN, Item, Listed, Review, item_id, new_doc, review, split_item_id
from .links import normalize_url, parse_link
from .pacing import Pacer

SHARDS = 16
CHECK_JOB = "content_check"  # the daily reconciliation's done-records: content_check:<team>:<channel>:<local day>
PINNED, BOOKMARKED = "pinned", "bookmarked"  # the Workspace port's list calls, paced
KEEP, REMOVE, RELABEL = "content_keep", "content_remove", "content_relabel"  # button action ids
KEPT, UNPINNED, BOOKMARK_REMOVED, LABELLED = "content.kept", "content.unpinned", "content.bookmark_removed", "content.labelled"
SECTION_ORDER = 60  # in the checklist: after the things about people (10–50), before the numbers (80)
MAX_IN_CHECKLIST = 8  # each item is two blocks (its line, its buttons): the DM stays well under 50
KEEP_GONE = timedelta(days=2)
CLAIM_FOR = timedelta(minutes=2)  # a removal in flight; another owner's click meanwhile is told so
PASSING = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout", "unknown_error"}
ALREADY_GONE = {"not_pinned", "no_pin", "not_found", "message_not_found"}


def content_table(group_key: str) -> str:
    return f"content.{zlib.crc32(group_key.encode()) % SHARDS:02d}"


def button_target(value: str) -> tuple[str, str, str] | None:
    """(team, channel, item id) from a checklist button's value ("T1:C1:pin:1700000000.000100")."""
    parts = value.split(":", 2)
    if len(parts) != 3 or not parts[0] or not parts[1] or split_item_id(parts[2]) is None:
        return None
    return parts[0], parts[1], parts[2]


@dataclass(frozen=True)
class Outcome:
    """What an owner action did: `status` is "done", "not_owner", "gone" (no such item any more),
    "busy" (another owner is removing it), "failed" (the platform refused: `detail` is why),
    "too_long", "not_a_link", "other_channel" (`detail`: where it is) or "unknown" (not tracked)."""
    status: str
    item: Item | None = None
    detail: str = ""


class ContentService:
    def __init__(self, store: Store, clock: Clock, groups: GroupService, workspace: Workspace | None,
                 directory: Directory, audit):
        self.store = store
        self.clock = clock
        self.groups = groups
        self.workspace = workspace
        self.directory = directory
        self.audit = audit
        self.pacer = Pacer(clock, {PINNED: getattr(workspace, "pin_lists_per_minute", 20),
                                   BOOKMARKED: getattr(workspace, "bookmark_lists_per_minute", 50)})

    # --- the group's document ---------------------------------------------------------------
    def _doc(self, group: Group) -> dict:
        return self.store.get(content_table(group.key), group.key) or self._empty(group)

    @staticmethod
    def _empty(group: Group) -> dict:
        return {"team_id": group.team_id, "channel_id": group.channel_id, "items": {}, "gone": {},
                "checked_at": None, "check_error": None}

    def _change(self, group: Group, apply) -> dict:
        def change(doc):
            doc = doc or self._empty(group)
            apply(doc)
            return doc
        return self.store.update(content_table(group.key), group.key, change)

    # --- tracking ---------------------------------------------------------------------------
    def track(self, group: Group, listed: Listed) -> bool:
        """A pin the platform told us of (`pin_added`): kept, unless it is a late copy of an event
        from before its removal. True when it is new."""
        now, added = self.clock.now(), []
        listed = self._with_link(group, listed)

        def apply(doc):
            item = doc["items"].get(listed.item_id)
            gone = doc["gone"].get(listed.item_id)
            if item is not None:
                item.update(title=new_doc(listed, now)["title"] or item["title"], link=listed.link or item["link"])
            elif not (gone and listed.added_at and listed.added_at <= parse_iso(gone)):
                doc["items"][listed.item_id] = new_doc(listed, now)
                doc["gone"].pop(listed.item_id, None)
                added.append(listed.item_id)
        self._change(group, apply)
        return bool(added)

    def untrack(self, group: Group, kind: str, ref: str) -> bool:
        """A pin removed (`pin_removed`), or an item an owner removed: dropped. True if it was kept."""
        dropped, key, now = [], item_id(kind, ref), utc_iso(self.clock.now())

        def apply(doc):
            if doc["items"].pop(key, None) is not None:
                dropped.append(key)
            doc["gone"][key] = now
        self._change(group, apply)
        return bool(dropped)

    def _with_link(self, group: Group, listed: Listed) -> Listed:
        if listed.link or listed.kind != PIN:
            return listed
        try:
            link = self.directory.permalink(group.team_id, group.channel_id, listed.ref)
        except PlatformError:
            return listed  # shown without its link; the next reconciliation tries again
        return Listed(listed.kind, listed.ref, listed.title, link, listed.added_at, listed.added_by)

    def reconcile(self, group: Group) -> tuple[int, int]:
        """Sync with what the platform lists now: (items found, items dropped). Raises
        PlatformError when it cannot list (nothing is changed then)."""
        started = self.clock.now().replace(microsecond=0)  # times are kept to the second
        listed = [self._with_link(group, item) for item in self.workspace.pinned(group.team_id, group.channel_id)]
        listed += self.workspace.bookmarked(group.team_id, group.channel_id)
        counts = {"found": 0, "dropped": 0}

        def apply(doc):
            now = self.clock.now()
            items, gone = doc["items"], doc["gone"]
            for key in [key for key, at in gone.items() if now - parse_iso(at) > KEEP_GONE]:
                del gone[key]
            for entry in listed:
                if entry.item_id in items:
                    fresh = new_doc(entry, now)
                    items[entry.item_id].update(title=fresh["title"] or items[entry.item_id]["title"],
                                                link=entry.link or items[entry.item_id]["link"])
                elif not (entry.item_id in gone and parse_iso(gone[entry.item_id]) >= started):  # removed meanwhile
                    items[entry.item_id] = new_doc(entry, now)
                    counts["found"] += 1
            seen = {entry.item_id for entry in listed}
            for key in [key for key, item in items.items() if key not in seen and parse_iso(item["tracked_at"]) < started]:
                del items[key]  # not listed, and not learned of after the listing began (an event meanwhile)
                counts["dropped"] += 1
            doc.update(checked_at=utc_iso(now), check_error=None)
        self._change(group, apply)
        return counts["found"], counts["dropped"]

    def reconcile_due(self) -> int:
        """The daily sweep: reconcile each group not yet checked on its local day, as far as the
        rate limits allow now (the others wait for the next tick). How many were checked."""
        if self.workspace is None:
            return 0
        now, due = self.clock.now(), []
        for group in self.groups.all():
            period = f"{group.key}:{local_day(now, group.config['timezone'])}"
            if not done(self.store, CHECK_JOB, period):
                due.append((self._doc(group).get("checked_at") or "", group.key, group, period))
        checked = 0
        for _, _, group, period in sorted(due, key=lambda entry: entry[:2]):  # the longest unchecked first
            if not self.pacer.take(group.team_id, (PINNED, BOOKMARKED)):
                continue
            try:
                self.reconcile(group)
            except PlatformError as error:
                if error.code in PASSING or error.code.startswith("http_"):
                    if error.code == "ratelimited":
                        self.pacer.hold(group.team_id, PINNED)
                        self.pacer.hold(group.team_id, BOOKMARKED)
                    continue  # no done-record: tried again at a later tick
                self._change(group, lambda doc: doc.update(checked_at=utc_iso(self.clock.now()), check_error=error.code))
            once_per_period(self.store, self.clock, CHECK_JOB, period, lambda: None)
            checked += 1
        return checked

    # --- reading ----------------------------------------------------------------------------
    def items(self, group: Group) -> list[Item]:
        return [Item.from_doc(key, doc) for key, doc in self._doc(group)["items"].items()]

    def reviews(self, group: Group) -> list[Review]:
        """What is up for review now, and why (the checklist's items, `/community content stale`)."""
        return review(self.items(group), self.clock.now(), timedelta(seconds=group.config["stale_after"]))

    def stale_count(self, group: Group) -> int:
        """How many items are up for review (the App Home dashboard): one document read."""
        return len(self.reviews(group))

    def last_check(self, group: Group) -> tuple[datetime | None, str | None]:
        doc = self._doc(group)
        return (parse_iso(doc["checked_at"]) if doc.get("checked_at") else None), doc.get("check_error")

    def find(self, group: Group, link: str) -> Outcome:
        """The item a link names: "done" with it, or "not_a_link", "other_channel" or "unknown"."""
        target = parse_link(link)
        if target is None:
            return Outcome("not_a_link")
        if target.is_message and target.channel_id != group.channel_id:
            return Outcome("other_channel", detail=target.channel_id)
        for item in self.items(group):
            if (target.is_message and item.kind == PIN and item.ref == target.message_id) or \
                    (not target.is_message and normalize_url(item.link) == target.url):
                return Outcome("done", item)
        return Outcome("unknown")

    # --- owner actions ----------------------------------------------------------------------
    def keep(self, group: Group, key: str, user_id: str, click: str = "") -> Outcome:
        """Keep: the item stays and its age starts again now."""
        if not self.groups.may_own(group, user_id):
            return Outcome("not_owner")
        now, kept = self.clock.now(), []

        def apply(doc):
            if key in doc["items"]:
                doc["items"][key].update(kept_at=utc_iso(now), kept_by=user_id)
                kept.append(Item.from_doc(key, doc["items"][key]))
        self._change(group, apply)
        if not kept:
            return Outcome("gone")
        self.audit.record(group.key, user_id, KEPT, detail=_quoted(kept[0]), key=_audit_key(group, key, KEPT, click))
        return Outcome("done", kept[0])

    def remove(self, group: Group, key: str, user_id: str, click: str = "") -> Outcome:
        """Unpin or remove the bookmark, on an owner's click only. One removal at a time per item:
        two owners pressing at once get one removal and one "busy"."""
        if not self.groups.may_own(group, user_id):
            return Outcome("not_owner")
        now, claimed = self.clock.now(), {}

        def claim(doc):
            item = doc["items"].get(key)
            if item is None:
                claimed["status"] = "gone"
            elif item.get("removing_at") and now - parse_iso(item["removing_at"]) < CLAIM_FOR:
                claimed["status"] = "busy"
            else:
                item.update(removing_at=utc_iso(now), removing_by=user_id)
                claimed.update(status="claimed", item=Item.from_doc(key, item))
        self._change(group, claim)
        if claimed["status"] != "claimed":
            return Outcome(claimed["status"])
        item = claimed["item"]
        try:
            if item.kind == PIN:
                self.workspace.unpin(group.team_id, group.channel_id, item.ref)
            else:
                self.workspace.remove_bookmark(group.team_id, group.channel_id, item.ref)
        except PlatformError as error:
            if error.code in ALREADY_GONE:  # removed in Slack meanwhile: nothing left to do
                self.untrack(group, item.kind, item.ref)
                return Outcome("gone", item)
            self._change(group, lambda doc: doc["items"].get(key, {}).pop("removing_at", None))
            return Outcome("failed", item, error.code)
        self.untrack(group, item.kind, item.ref)
        action = UNPINNED if item.kind == PIN else BOOKMARK_REMOVED
        self.audit.record(group.key, user_id, action, detail=_quoted(item), key=_audit_key(group, key, action, click))
        return Outcome("done", item)

    def relabel(self, group: Group, key: str, new_label: str, user_id: str, click: str = "") -> Outcome:
        """Set (or, with "", remove) the item's owner label."""
        if not self.groups.may_own(group, user_id):
            return Outcome("not_owner")
        new_label = " ".join(new_label.split())
        if len(new_label) > MAX_LABEL:
            return Outcome("too_long", detail=str(len(new_label)))
        changed = []

        def apply(doc):
            item = doc["items"].get(key)
            if item is not None:
                changed.append(item.get("label", ""))
                item.update(label=new_label, label_by=user_id, label_at=utc_iso(self.clock.now()))
                changed.append(Item.from_doc(key, item))
        self._change(group, apply)
        if not changed:
            return Outcome("gone")
        old, item = changed
        self.audit.record(group.key, user_id, LABELLED, detail=f"{_quoted(item)}: {old or '—'} → {new_label or '—'}",
                          key=_audit_key(group, key, LABELLED, click))
        return Outcome("done", item)

    # --- the owners' checklist --------------------------------------------------------------
    def checklist_section(self, group: Group, week: str) -> list | None:
        """The digest section: each item up for review, with its buttons under it."""
        found = self.reviews(group)
        if not found:
            return None
        locale, now, limit = group.locale, self.clock.now(), group.config["stale_after"]
        lines: list = [t(locale, "content.section.title", count=str(len(found)), limit=Code(format_duration(limit)))]
        for entry in found[:MAX_IN_CHECKLIST]:
            lines.append(words.review_line(locale, entry, now, limit))
            lines.append(Actions(self.buttons(group, entry.item)))
        if len(found) > MAX_IN_CHECKLIST:
            lines.append(t(locale, "content.section.more", count=str(len(found) - MAX_IN_CHECKLIST),
                           command=Code("/community content stale")))
        return lines

    @staticmethod
    def buttons(group: Group, item: Item) -> tuple[Button, ...]:
        value, locale = f"{group.key}:{item.item_id}", group.locale
        remove = "content.unpin_button" if item.kind == PIN else "content.remove_bookmark_button"
        return (Button(tp(locale, "content.keep_button"), KEEP, value, primary=True),
                Button(tp(locale, remove), REMOVE, value),
                Button(tp(locale, "content.relabel_button"), RELABEL, value))


def _quoted(item: Item) -> str:
    return f"“{item.title}”" if item.title else f"“{item.link or item.ref}”"


def _audit_key(group: Group, key: str, action: str, click: str) -> str | None:
    return f"{action}:{group.key}:{key}:{click}" if click else None


__all__ = ["BOOKMARK", "PIN", "ContentService", "Listed", "Outcome", "button_target"]
