"""`/community reminders off | on` for members, `exclude | include @user` for owners."""
from __future__ import annotations

from ..commands import CommandRegistry, Invocation, Reply, Subcommand
from ..groups import Group
from ..i18n import t
from ..messages import ChannelRef, people


def install(registry: CommandRegistry, core) -> None:
    def reminders(call: Invocation, group: Group, rest: str) -> Reply:
        action = rest.partition(" ")[0].lower()
        where = ChannelRef(group.channel_id)
        if action in ("off", "on"):
            core.reminders.set_opted_out(group, call.user_id, action == "off")
            return Reply(t(group.locale, "reminders.opted_out" if action == "off" else "reminders.opted_in", group=where))
        if action not in ("exclude", "include") or not call.mentions:
            return registry.usage(group, "reminders")
        if not core.groups.may_own(group, call.user_id):
            return Reply(t(group.locale, "owner_only", owners=people(group.owners)))
        who = tuple(dict.fromkeys(call.mentions))
        for user_id in who:
            core.reminders.set_excluded(group, user_id, action == "exclude")
        return Reply(t(group.locale, "reminders.excluded" if action == "exclude" else "reminders.included",
                       group=where, users=people(who)))

    registry.add("reminders", Subcommand("/community reminders off | on | exclude @user | include @user", "member",
                                         "help.member.reminders", reminders))
