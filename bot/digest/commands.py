"""`/community digest preview`: the owners' look at this week's checklist; and owners' subcommands
counted as owners acting (see `bot.digest`)."""
from __future__ import annotations

from ..commands import CommandRegistry, Invocation, Reply, Subcommand
from ..groups import Group
from ..i18n import t
from ..messages import join
from ..periods import iso_week


def install(registry: CommandRegistry, core) -> None:
    def digest(call: Invocation, group: Group, rest: str) -> Reply:
        if rest.lower() != "preview":
            return registry.usage(group, "digest")
        week = iso_week(core.clock.now(), group.config["timezone"])
        message = core.digest.checklist(group, week)
        return Reply(join([t(group.locale, "digest.preview_header"), *message.paragraphs], "\n"))

    def owner_ran(call: Invocation, group: Group, name: str) -> None:
        if name != "help" and group.is_owner(call.user_id):
            core.digest.owner_acted(group, call.user_id, "command")

    registry.add("digest", Subcommand("/community digest preview", "owner", "help.owner.digest", digest))
    registry.observe(owner_ran)
