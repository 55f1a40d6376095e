"""`/community content [stale]` and `/community label <link> <label>`.

`content` is for everyone in the group: key content is there to be found. It lists what the bot
knows from events and the daily check, grouped by owner label (alphabetically, unlabelled last),
newest first within a label. `content stale` is the owners' dry run of the checklist section:
what is up for review now and why, changing nothing. `label` is for owners; `-` removes a label.
"""
from __future__ import annotations

from zoneinfo import ZoneInfo

from ..commands import CommandRegistry, Invocation, Reply, Subcommand
from ..groups import Group
from ..i18n import t
from ..messages import ChannelRef, Code, Strong, join, people
from ..text import fold
from . import words
from .links import split_arguments

MAX_LISTED = 60  # lines of a private answer; `content stale` and labels narrow it down
CLEAR = "-"


def install(registry: CommandRegistry, core) -> None:
    def content(call: Invocation, group: Group, rest: str) -> Reply:
        word = rest.strip().lower()
        if word == "stale":
            if not core.groups.may_own(group, call.user_id):
                return Reply(t(group.locale, "owner_only", owners=people(group.owners)))
            return stale(group)
        if word:
            return registry.usage(group, "content")
        return listing(call, group)

    def listing(call: Invocation, group: Group) -> Reply:
        locale, now, items = group.locale, core.clock.now(), core.content.items(group)
        if not items:
            lines = [t(locale, "content.empty", group=ChannelRef(group.channel_id))]
        else:
            lines = [t(locale, "content.header", group=ChannelRef(group.channel_id), count=str(len(items)))]
            labels = sorted({item.label for item in items if item.label}, key=fold) + [""]
            for label in labels:
                filed = sorted((item for item in items if item.label == label), key=lambda item: item.since, reverse=True)
                if filed:
                    lines.append(t(locale, "content.label_heading", label=Strong(label)) if label
                                 else t(locale, "content.unlabelled_heading"))
                    lines += [words.item_line(locale, item, now) for item in filed]
            if len(lines) > MAX_LISTED:
                lines = lines[:MAX_LISTED] + [t(locale, "content.more", count=str(len(lines) - MAX_LISTED))]
        checked_at, error = core.content.last_check(group)
        if error:
            lines.append(t(locale, "content.check_failed", error=Code(error)))
        elif checked_at is None:
            lines.append(t(locale, "content.not_checked"))
        else:
            when = checked_at.astimezone(ZoneInfo(group.config["timezone"])).strftime("%Y-%m-%d %H:%M")
            lines.append(t(locale, "content.checked", when=when))
        count = core.content.stale_count(group) if items and core.groups.may_own(group, call.user_id) else 0
        if count:
            lines.append(t(locale, "content.stale_note", count=str(count), command=Code("/community content stale")))
        return Reply(join(lines, "\n"))

    def stale(group: Group) -> Reply:
        locale, now, limit = group.locale, core.clock.now(), group.config["stale_after"]
        found = core.content.reviews(group)
        if not found:
            return Reply(t(locale, "content.stale.none", limit=Code(words.format_duration(limit))))
        lines = [t(locale, "content.stale.header", count=str(len(found)))]
        lines += [words.review_line(locale, entry, now, limit) for entry in found[:MAX_LISTED]]
        if len(found) > MAX_LISTED:
            lines.append(t(locale, "content.more", count=str(len(found) - MAX_LISTED)))
        return Reply(join(lines, "\n"))

    def label(call: Invocation, group: Group, rest: str) -> Reply:
        locale = group.locale
        link, new_label = split_arguments(rest)
        if not link or not new_label:
            return Reply(t(locale, "content.label.how"))
        found = core.content.find(group, link)
        shown = Code(link[:80])
        if found.status == "not_a_link":
            return Reply(t(locale, "content.label.not_a_link", value=shown))
        if found.status == "other_channel":
            return Reply(t(locale, "content.label.other_channel", channel=ChannelRef(found.detail),
                           group=ChannelRef(group.channel_id)))
        if found.status == "unknown":
            return Reply(t(locale, "content.label.unknown", value=shown, group=ChannelRef(group.channel_id)))
        result = core.content.relabel(group, found.item.item_id, "" if new_label == CLEAR else new_label, call.user_id,
                                      click=call.id)
        return Reply(words.outcome(group, result, "label"))

    registry.add("content", Subcommand("/community content [stale]", "member", "help.member.content", content))
    registry.add("label", Subcommand("/community label <link> <label>", "owner", "help.owner.label", label))
