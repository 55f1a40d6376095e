"""`/community report [weeks]` and `/community export [weeks]` (owners; see `bot.report`)."""
from __future__ import annotations

import logging

from ..commands import CommandRegistry, Invocation, Reply, Subcommand
from ..groups import Group
from ..i18n import t
from ..messages import Code
from ..ports import PlatformError
from . import EXPORT_WEEKS, MAX_WEEKS, REPORT_WEEKS, NoWorkspace, parse_weeks, weeks_text

log = logging.getLogger(__name__)


def install(registry: CommandRegistry, core) -> None:
    def bad_weeks(group: Group, name: str, default: int) -> Reply:
        return Reply(t(group.locale, "report.bad_weeks", max=str(MAX_WEEKS), default=str(default),
                       usage=Code(registry.subcommands[name].usage)))

    def report(call: Invocation, group: Group, rest: str) -> Reply:
        weeks = parse_weeks(rest, REPORT_WEEKS)
        if weeks is None:
            return bad_weeks(group, "report", REPORT_WEEKS)
        return Reply(core.report.report(group, weeks))

    def export(call: Invocation, group: Group, rest: str) -> Reply:
        weeks = parse_weeks(rest, EXPORT_WEEKS)
        if weeks is None:
            return bad_weeks(group, "export", EXPORT_WEEKS)
        try:
            filename = core.report.export(group, call.user_id, weeks)
        except PlatformError as error:
            log.warning("export of %s: the platform answered %s", group.key, error.code)
            return Reply(t(group.locale, "report.export.failed", error=Code(error.code)))
        except NoWorkspace:
            return Reply(t(group.locale, "report.export.unavailable"))
        return Reply(t(group.locale, "report.export.sent", file=Code(filename), weeks=weeks_text(group.locale, weeks)))

    registry.add("report", Subcommand("/community report [weeks]", "owner", "help.owner.report", report))
    registry.add("export", Subcommand("/community export [weeks]", "owner", "help.owner.export", export))
