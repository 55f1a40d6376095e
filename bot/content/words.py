"""How the content duty says an item, in the group's locale (lists, the checklist, answers).

Titles and labels are what people wrote: plain string parts (a title is a link to the item when
its address is an http(s) one), never markup.
"""
from __future__ import annotations

from datetime import datetime

from ..groups.config import format_duration
from ..i18n import t, tp
from ..messages import ChannelRef, Code, Link, Mention, Strong, Text, join, people, text
from ..questions import humanize_age
from .items import MAX_LABEL, PIN, Item, Review


def title(locale: str, item: Item) -> Text:
    shown = item.title or tp(locale, "content.untitled")
    if item.link.lower().startswith(("https://", "http://")):
        return text(Link(item.link, shown))
    return text(shown)


def since(locale: str, item: Item, now: datetime) -> Text:
    """"pinned 3 days ago by @alice", "bookmarked 200 days ago", "kept 2 h ago by @olivia"."""
    if item.kept_at and item.kept_at >= item.added_at:
        key, who = "content.since.kept", item.kept_by
    else:
        key, who = ("content.since.pinned" if item.kind == PIN else "content.since.bookmarked"), item.added_by
    age = humanize_age(locale, max((now - item.since).total_seconds(), 60))
    return t(locale, key, age=age, by=t(locale, "content.by", user=Mention(who)) if who else text())


def label(locale: str, item: Item) -> Text:
    return t(locale, "content.label_part", label=Strong(item.label)) if item.label else text()


def item_line(locale: str, item: Item, now: datetime) -> Text:
    key = "content.line.pin" if item.kind == PIN else "content.line.bookmark"
    return t(locale, key, title=title(locale, item), since=since(locale, item, now))


def reasons(locale: str, found: Review, now: datetime, stale_after_seconds: int) -> Text:
    parts = []
    if found.newer is not None:
        parts.append(t(locale, "content.reason.superseded", newer=title(locale, found.newer),
                       since=since(locale, found.newer, now)))
    if found.old:
        parts.append(t(locale, "content.reason.old", limit=Code(format_duration(stale_after_seconds))))
    return join(parts, "; ")


def review_line(locale: str, found: Review, now: datetime, stale_after_seconds: int) -> Text:
    key = "content.review.pin" if found.item.kind == PIN else "content.review.bookmark"
    return t(locale, key, title=title(locale, found.item), since=since(locale, found.item, now),
             label=label(locale, found.item), reasons=reasons(locale, found, now, stale_after_seconds))


def outcome(group, result, action: str) -> Text:
    """The answer to an owner action ("keep", "remove" or "label") in the group's locale."""
    locale = group.locale
    if result.status == "not_owner":
        return t(locale, "owner_only", owners=people(group.owners))
    if result.status == "gone":
        return t(locale, "content.gone", group=ChannelRef(group.channel_id))
    if result.status == "busy":
        return t(locale, "content.busy")
    if result.status == "failed":
        return t(locale, "content.remove_failed", error=Code(result.detail))
    if result.status == "too_long":
        return t(locale, "text.too_long", length=result.detail, limit=str(MAX_LABEL))
    item = result.item
    if action == "keep":
        return t(locale, "content.kept", title=title(locale, item), limit=Code(format_duration(group.config["stale_after"])))
    if action == "remove":
        return t(locale, "content.unpinned" if item.kind == PIN else "content.bookmark_removed", title=title(locale, item))
    if item.label:
        return t(locale, "content.relabelled", title=title(locale, item), label=Strong(item.label))
    return t(locale, "content.unlabelled", title=title(locale, item))
