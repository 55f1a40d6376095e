"""`/community recognition off | on | preview`: being named, and the owners' look at the draft."""
from __future__ import annotations

from ..commands import CommandRegistry, Invocation, Reply, Subcommand
from ..groups import Group
from ..i18n import t
from ..messages import join, people
from ..periods import iso_week


def install(registry: CommandRegistry, core) -> None:
    def recognition(call: Invocation, group: Group, rest: str) -> Reply:
        action = rest.lower()
        if action in ("off", "on"):
            core.recognition.set_opted_out(call.team_id, call.user_id, action == "off")
            return Reply(t(group.locale, "recognition.opted_out" if action == "off" else "recognition.opted_in"))
        if action != "preview":
            return registry.usage(group, "recognition")
        if not core.groups.may_own(group, call.user_id):
            return Reply(t(group.locale, "owner_only", owners=people(group.owners)))
        week = iso_week(core.clock.now(), group.config["timezone"])
        draft = core.recognition.draft(group, week)
        if not draft:
            return Reply(t(group.locale, "recognition.preview_empty"))
        message = core.recognition.message(group, week, draft)
        return Reply(join([t(group.locale, "recognition.preview_header"), *message.paragraphs], "\n"))

    registry.add("recognition", Subcommand("/community recognition off | on | preview", "member", "help.member.recognition",
                                           recognition))

