"""`/community status`: what is waiting to go out for this group, and what failed, with reasons."""
from __future__ import annotations

from ..clock import parse_iso
from ..commands import CommandRegistry, Invocation, Reply, Subcommand
from ..groups import Group
from ..i18n import t
from ..messages import Code, join

MAX_LISTED = 10


def install(registry: CommandRegistry, core) -> None:
    def status(call: Invocation, group: Group, rest: str) -> Reply:
        waiting, failed = core.outbox.for_group(group.key)
        now = core.outbox.clock.now()
        lines = [t(group.locale, "status.header")]
        if not waiting and not failed:
            lines.append(t(group.locale, "status.all_sent"))
        if waiting:
            lines.append(t(group.locale, "status.waiting", count=str(len(waiting))))
            for doc in waiting[:MAX_LISTED]:
                age = int((now - parse_iso(doc["queued_at"])).total_seconds())
                lines.append(t(group.locale, "status.waiting_line", what=Code(doc["key"].split(":")[0]), seconds=str(age),
                               attempts=str(doc["attempts"]), error=Code(doc["last_error"] or "-")))
        if failed:
            lines.append(t(group.locale, "status.failed", count=str(len(failed))))
            for doc in failed[-MAX_LISTED:]:
                lines.append(t(group.locale, "status.failed_line", what=Code(doc["key"].split(":")[0]),
                               when=doc["failed_at"][:16].replace("T", " "), reason=Code(doc["last_error"] or "-")))
        return Reply(join(lines, "\n"))

    registry.add("status", Subcommand("/community status", "owner", "help.owner.status", status))
