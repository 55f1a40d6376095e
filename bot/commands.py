"""`/community …`: the owner and member commands, independent of the chat platform.

`CommunityCommands.run(invocation)` returns a `Reply` (an ephemeral answer to the caller and maybe a
message to post). Slack's handler, the local workspace or a Teams adapter only translate.
Each subcommand is declared once in `SUBCOMMANDS` with its usage and who may run it, so `help`
and the refusal messages can never drift from what is enforced.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from .config import GROUP_SETTINGS, ConfigError, show_setting
from .formatting import channel_link, mention, people
from .groups import Group, TemplateError, may_set_up
from .i18n import LOCALES, t
from .membership import render_welcome
from .ports import Directory
from .safety import defuse_broadcasts
from .services import Services

_USER_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


@dataclass(frozen=True)
class Invocation:
    team_id: str
    channel_id: str
    user_id: str
    text: str


@dataclass
class Post:
    """A message the adapter posts in the invocation's channel."""
    text: str
    on_behalf_of: str | None = None


@dataclass
class Reply:
    text: str
    post: Post | None = None
    after_post: Callable[[str], str | None] | None = field(default=None, repr=False)  # given the posted ts


@dataclass(frozen=True)
class Subcommand:
    usage: str
    audience: str  # "anyone", "member" (group must be managed) or "owner"
    help_key: str


SUBCOMMANDS: dict[str, Subcommand] = {
    "help": Subcommand("/community help", "anyone", "help.member.help"),
    "setup": Subcommand("/community setup", "anyone", "help.member.setup"),
    "owners": Subcommand("/community owners [add|remove @user]", "owner", "help.owner.owners"),
    "purpose": Subcommand("/community purpose <text>", "owner", "help.owner.purpose"),
    "rules": Subcommand("/community rules <text>", "owner", "help.owner.rules"),
    "welcome": Subcommand("/community welcome <template> | preview", "owner", "help.owner.welcome"),
    "locale": Subcommand("/community locale fr|en", "owner", "help.owner.locale"),
    "config": Subcommand("/community config [<key> <value>]", "owner", "help.owner.config"),
}


def parse_user(word: str) -> str | None:
    match = _USER_MENTION.match(word.strip())
    return match.group(1) if match else None


class CommunityCommands:
    def __init__(self, services: Services, directory: Directory):
        self.services = services
        self.directory = directory
        self.extra: dict[str, tuple[Subcommand, Callable[[Invocation, Group | None, str], Reply]]] = {}

    def add(self, name: str, subcommand: Subcommand, run: Callable[[Invocation, Group | None, str], Reply]) -> None:
        """Features outside this module (questions, experts…) plug their subcommands in here."""
        self.extra[name] = (subcommand, run)

    def _declared(self) -> dict[str, Subcommand]:
        return {**SUBCOMMANDS, **{name: sub for name, (sub, _) in self.extra.items()}}

    def run(self, call: Invocation) -> Reply:
        word, _, rest = call.text.strip().partition(" ")
        name = word.lower() or "help"
        group = self.services.groups.get(call.team_id, call.channel_id)
        locale = group.locale if group else "en"
        declared = self._declared()
        if name not in declared:
            return Reply(t(locale, "unknown_subcommand", word=defuse_broadcasts(word)[:40]))
        sub = declared[name]
        if sub.audience in ("member", "owner") and group is None:
            return Reply(t(locale, "not_managed"))
        if sub.audience == "owner" and not self.may_own(group, call.user_id):
            return Reply(t(locale, "owner_only", owners=people(group.owners)))
        if name in self.extra:
            return self.extra[name][1](call, group, rest.strip())
        return getattr(self, f"_{name}")(call, group, rest.strip())

    def may_own(self, group: Group, user_id: str) -> bool:
        return group.is_owner(user_id) or user_id in self.services.settings.admins

    def _usage(self, group: Group | None, name: str) -> Reply:
        return Reply(t(group.locale if group else "en", "usage", usage=self._declared()[name].usage))

    # --- subcommands ----------------------------------------------------------------------
    def _help(self, call: Invocation, group: Group | None, rest: str) -> Reply:
        locale = group.locale if group else "en"
        keys = ", ".join(GROUP_SETTINGS)
        lines = [t(locale, "help.header")]
        owner_lines = []
        for name, sub in self._declared().items():
            if sub.audience != "owner":
                lines.append(t(locale, sub.help_key))
            elif group and self.may_own(group, call.user_id) and sub.help_key not in owner_lines:
                owner_lines.append(sub.help_key)
        if owner_lines:
            lines.append(t(locale, "help.owner_header"))
            lines += [t(locale, key, keys=keys) if key == "help.owner.config" else t(locale, key) for key in owner_lines]
        return Reply("\n".join(lines))

    def _setup(self, call: Invocation, group: Group | None, rest: str) -> Reply:
        where = channel_link(call.channel_id)
        if group is not None:
            return Reply(t(group.locale, "setup.already", group=where, owners=people(group.owners)))
        caller = self.directory.person(call.team_id, call.user_id)
        creator = self.directory.channel_creator(call.team_id, call.channel_id)
        allowed = may_set_up(call.user_id, channel_creator=creator, user_is_workspace_admin=caller.is_workspace_admin,
                             steward_admins=self.services.settings.admins)
        if not allowed:
            return Reply(t("en", "setup.not_allowed", creator=mention(creator) if creator else "?", group=where))
        group, created = self.services.groups.create(call.team_id, call.channel_id, call.user_id, timezone=caller.timezone)
        if not created:  # someone else set it up a moment ago
            return Reply(t(group.locale, "setup.already", group=where, owners=people(group.owners)))
        return Reply(t(group.locale, "setup.done", group=where))

    def _owners(self, call: Invocation, group: Group, rest: str) -> Reply:
        action, _, target = rest.partition(" ")
        if not action:
            return Reply(t(group.locale, "owners.list", group=channel_link(group.channel_id), owners=people(group.owners)))
        user_id = parse_user(target)
        if action not in ("add", "remove") or not user_id:
            return self._usage(group, "owners")
        where, who = channel_link(group.channel_id), mention(user_id)
        if action == "add":
            if self.directory.person(call.team_id, user_id).is_bot:
                return Reply(t(group.locale, "owners.no_bots"))
            added = self.services.groups.add_owner(group, user_id)
            return Reply(t(group.locale, "owners.added" if added else "owners.already", user=who, group=where))
        outcome = self.services.groups.remove_owner(group, user_id)
        key = {"removed": "owners.removed", "not_owner": "owners.not_owner", "last": "owners.last"}[outcome]
        return Reply(t(group.locale, key, user=who, group=where))

    def _purpose(self, call: Invocation, group: Group, rest: str) -> Reply:
        if not rest:
            return self._usage(group, "purpose")
        group = self.services.groups.set_purpose(group, rest)
        return Reply(t(group.locale, "purpose.set", group=channel_link(group.channel_id), purpose=defuse_broadcasts(group.purpose)))

    def _rules(self, call: Invocation, group: Group, rest: str) -> Reply:
        if not rest:
            return self._usage(group, "rules")
        group = self.services.groups.set_rules(group, rest)
        return Reply(t(group.locale, "welcome.rules", rules=defuse_broadcasts(group.rules)))

    def _welcome(self, call: Invocation, group: Group, rest: str) -> Reply:
        if not rest:
            return self._usage(group, "welcome")
        if rest.lower() == "preview":
            introductions = self.services.members.suggest_people(group, call.user_id)
            meet = ", ".join(f"{mention(i.user_id)} ({i.reason})" for i in introductions)
            lines = [t(group.locale, "welcome.preview_header"), render_welcome(group, call.user_id)]
            if meet:
                lines.append(t(group.locale, "welcome.meet", people=meet))
            return Reply("\n".join(lines))
        try:
            self.services.groups.set_welcome_template(group, rest)
        except TemplateError as error:
            return Reply(t(group.locale, "welcome.bad_placeholder", name=defuse_broadcasts(error.name)[:40]))
        return Reply(t(group.locale, "welcome.set"))

    def _locale(self, call: Invocation, group: Group, rest: str) -> Reply:
        if rest.lower() not in LOCALES:
            return self._usage(group, "locale")
        group = self.services.groups.set_locale(group, rest.lower())
        return Reply(t(group.locale, "locale.set"))

    def _config(self, call: Invocation, group: Group, rest: str) -> Reply:
        if not rest:
            lines = [t(group.locale, "config.header", group=channel_link(group.channel_id))]
            lines += [f"• `{key}` = `{show_setting(key, value)}`" for key, value in group.config.items()]
            return Reply("\n".join(lines))
        key, _, value = rest.partition(" ")
        key = key.lower()
        if key not in GROUP_SETTINGS:
            return Reply(t(group.locale, "config.unknown_key", key=defuse_broadcasts(key)[:40], keys=", ".join(GROUP_SETTINGS)))
        if not value.strip():
            return Reply(t(group.locale, "config.bad_value", key=key, value="", accepted=GROUP_SETTINGS[key].kind.accepted))
        try:
            group, parsed = self.services.groups.set_setting(group, key, value.strip())
        except ConfigError as error:
            return Reply(t(group.locale, "config.bad_value", key=key, value=defuse_broadcasts(value.strip())[:80], accepted=error.accepted))
        return Reply(t(group.locale, "config.set", key=key, value=show_setting(key, parsed)))
