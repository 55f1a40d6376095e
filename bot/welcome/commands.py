"""`/community welcome <template> | preview | default`: the group's welcome."""
from __future__ import annotations

from ..commands import CommandRegistry, Invocation, Reply, Subcommand
from ..groups import Group
from ..i18n import t
from ..messages import Code, join
from .template import TemplateError, TemplateTooLong, parse_template


def install(registry: CommandRegistry, core) -> None:
    def welcome(call: Invocation, group: Group, rest: str) -> Reply:
        if not rest:
            return registry.usage(group, "welcome")
        if rest.lower() == "preview":
            message = core.welcome.welcome_message(group, call.user_id)
            return Reply(join([t(group.locale, "welcome.preview_header"), *message.paragraphs, *message.notes], "\n"))
        if rest.lower() == "default":
            core.groups.set_welcome_template(group, None)
            return Reply(t(group.locale, "welcome.reset"))
        try:
            parse_template(rest)
        except TemplateError as error:
            return Reply(t(group.locale, "welcome.bad_template", problem=Code(error.problem)))
        except TemplateTooLong as error:
            return Reply(t(group.locale, "text.too_long", length=str(error.length), limit=str(error.limit)))
        core.groups.set_welcome_template(group, rest.strip())
        return Reply(t(group.locale, "welcome.set"))

    registry.add("welcome", Subcommand("/community welcome <template> | preview | default", "owner", "help.owner.welcome", welcome))
