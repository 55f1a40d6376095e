"""`/community event` (owners: the form to plan one) and `/community event list` (anyone in the
group: what is coming, with the answers so far). Editing and cancelling start from the card's
**Edit** button, which opens the same form, prefilled."""
from __future__ import annotations

from ..commands import CommandRegistry, Invocation, Reply
from ..commands import Subcommand
from ..groups import Group
from ..i18n import t
from ..messages import ChannelRef, Code, join, people
from .card import when

SHOWN = 10


def install(registry: CommandRegistry, core) -> None:
    def event(call: Invocation, group: Group, rest: str) -> Reply:
        action = rest.strip().lower()
        if action == "list":
            return listing(group)
        if action:
            return registry.usage(group, "event")
        outcome = core.events.open_form(group, call.user_id, call.id)
        if outcome == "not_owner":
            return Reply(t(group.locale, "owner_only", owners=people(group.owners)))
        return Reply(t(group.locale, "events.form_opened", timezone=group.config["timezone"]))

    def listing(group: Group) -> Reply:
        locale, tz = group.locale, group.config["timezone"]
        coming = core.events.upcoming(group.team_id, group=group)
        if not coming:
            return Reply(t(locale, "events.list.empty", command=Code("/community event")))
        lines = [t(locale, "events.list.header", group=ChannelRef(group.channel_id), timezone=tz)]
        lines += [t(locale, "events.list.line", title=item.title, place=item.place, going=str(item.going), maybe=str(item.maybe),
                    **when(locale, item.start, tz)) for item in coming[:SHOWN]]
        if len(coming) > SHOWN:
            lines.append(t(locale, "events.list.more", count=str(len(coming) - SHOWN)))
        return Reply(join(lines, "\n"))

    registry.add("event", Subcommand("/community event | event list", "member", "help.member.event", event))
