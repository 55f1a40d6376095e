"""`/community audit [n]`: the group's last n owner decisions (10 by default, at most 50)."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from ..commands import CommandRegistry, Invocation, Reply, Subcommand
from ..groups import Group
from ..i18n import t
from ..messages import Mention, join, text

DEFAULT_SHOWN, MAX_SHOWN = 10, 50


def install(registry: CommandRegistry, core) -> None:
    def audit(call: Invocation, group: Group, rest: str) -> Reply:
        # isdecimal, not isdigit: "²" is a digit int() refuses; two figures at most, as int() refuses thousands.
        if rest and not (rest.isdecimal() and len(rest) <= 2 and 1 <= int(rest) <= MAX_SHOWN):
            return registry.usage(group, "audit")
        entries = core.audit.recent(group.key, int(rest) if rest else DEFAULT_SHOWN)
        if not entries:
            return Reply(t(group.locale, "audit.empty"))
        lines = [t(group.locale, "audit.header", count=str(len(entries)))]
        for entry in entries:
            when = entry.at.astimezone(ZoneInfo(group.config["timezone"])).strftime("%Y-%m-%d %H:%M")
            action = t(group.locale, core.audit.labels.get(entry.action, "audit.unknown_action"))
            lines.append(t(group.locale, "audit.line", when=when, actor=Mention(entry.actor), action=action,
                           subject=Mention(entry.subject) if entry.subject else "", detail=text(entry.detail)))
        return Reply(join(lines, "\n"))

    registry.add("audit", Subcommand("/community audit [n]", "owner", "help.owner.audit", audit))
