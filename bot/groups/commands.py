"""`/community setup | owners | purpose | rules | locale | config`: running a group."""
from __future__ import annotations

from ..commands import CommandRegistry, Invocation, Reply, Subcommand
from ..i18n import LOCALES, t
from ..messages import ChannelRef, Code, Mention, join, people
from . import Group, TooLong, may_set_up
from ..periods import done, next_run
from ..worktime import DAYS
from .config import GROUP_SETTINGS, WEEKLY_SLOTS, ConfigError, show_setting


SLOT_LABELS = {"recognition": "schedule.recognition", "owner_digest": "schedule.owner_digest", "prompts": "schedule.prompts"}
DAY_NAMES = {"mon": "day.mon", "tue": "day.tue", "wed": "day.wed", "thu": "day.thu", "fri": "day.fri", "sat": "day.sat",
             "sun": "day.sun"}


def install(registry: CommandRegistry, core) -> None:
    groups, directory, admins = core.groups, core.directory, core.settings.admins

    def setup(call: Invocation, group: Group | None, rest: str) -> Reply:
        where = ChannelRef(call.channel_id)
        if group is not None:
            return Reply(t(group.locale, "setup.already", group=where, owners=people(group.owners)))
        caller = directory.person(call.team_id, call.user_id)
        creator = directory.channel_creator(call.team_id, call.channel_id)
        if not may_set_up(call.user_id, channel_creator=creator, user_is_workspace_admin=caller.is_workspace_admin, steward_admins=admins):
            return Reply(t("en", "setup.not_allowed", creator=Mention(creator) if creator else "?", group=where))
        group, created = groups.create(call.team_id, call.channel_id, call.user_id, timezone=caller.timezone)
        if not created:  # someone else set it up a moment ago
            return Reply(t(group.locale, "setup.already", group=where, owners=people(group.owners)))
        return Reply(t(group.locale, "setup.done", group=where))

    def owners(call: Invocation, group: Group, rest: str) -> Reply:
        action = rest.partition(" ")[0].lower()
        where = ChannelRef(group.channel_id)
        if not action:
            return Reply(t(group.locale, "owners.list", group=where, owners=people(group.owners)))
        if action not in ("add", "remove") or len(call.mentions) != 1:
            return registry.usage(group, "owners")
        user_id = call.mentions[0]
        who = Mention(user_id)
        if action == "add":
            if directory.person(call.team_id, user_id).is_bot:
                return Reply(t(group.locale, "owners.no_bots"))
            added = groups.add_owner(group, user_id)
            return Reply(t(group.locale, "owners.added" if added else "owners.already", user=who, group=where))
        outcome = groups.remove_owner(group, user_id)
        key = {"removed": "owners.removed", "not_owner": "owners.not_owner", "last": "owners.last"}[outcome]
        return Reply(t(group.locale, key, user=who, group=where))

    def purpose(call: Invocation, group: Group, rest: str) -> Reply:
        if not rest:
            return registry.usage(group, "purpose")
        try:
            group = groups.set_purpose(group, rest)
        except TooLong as error:
            return Reply(t(group.locale, "text.too_long", limit=str(error.limit), length=str(len(rest))))
        return Reply(t(group.locale, "purpose.set", group=ChannelRef(group.channel_id), purpose=group.purpose))

    def rules(call: Invocation, group: Group, rest: str) -> Reply:
        if not rest:
            return registry.usage(group, "rules")
        try:
            group = groups.set_rules(group, rest)
        except TooLong as error:
            return Reply(t(group.locale, "text.too_long", limit=str(error.limit), length=str(len(rest))))
        return Reply(t(group.locale, "welcome.rules", rules=group.rules))

    def locale(call: Invocation, group: Group, rest: str) -> Reply:
        if rest.lower() not in LOCALES:
            return registry.usage(group, "locale")
        group = groups.set_locale(group, rest.lower())
        return Reply(t(group.locale, "locale.set"))

    def config(call: Invocation, group: Group, rest: str) -> Reply:
        keys = join(Code(key) for key in GROUP_SETTINGS)
        if not rest:
            lines = [t(group.locale, "config.header", group=ChannelRef(group.channel_id))]
            lines += [t(group.locale, "config.line", key=Code(key), value=Code(show_setting(key, value))) for key, value in group.config.items()]
            return Reply(join(lines, "\n"))
        key, _, value = rest.partition(" ")
        key = key.lower()
        if key not in GROUP_SETTINGS:
            return Reply(t(group.locale, "config.unknown_key", key=Code(key[:40]), keys=keys))
        try:
            group, parsed = groups.set_setting(group, key, value.strip())
        except ConfigError as error:
            accepted_key, values = error.accepted
            return Reply(t(group.locale, "config.bad_value", key=Code(key), value=Code(value.strip()[:80]),
                           accepted=t(group.locale, accepted_key, **values)))
        return Reply(t(group.locale, "config.set", key=Code(key), value=Code(show_setting(key, parsed))))

    def schedule(call: Invocation, group: Group, rest: str) -> Reply:
        now = core.clock.now()
        tz = group.config["timezone"]
        lines = [t(group.locale, "schedule.header", group=ChannelRef(group.channel_id), timezone=tz)]
        for name in WEEKLY_SLOTS:
            on, at = next_run(group, name, now, lambda week: done(core.store, name, f"{group.key}:{week}"))
            label = t(group.locale, SLOT_LABELS[name])
            if not on:
                lines.append(t(group.locale, "schedule.off", job=label, switch=Code(f"/community config {name} on")))
            else:
                lines.append(t(group.locale, "schedule.next", job=label, day=t(group.locale, DAY_NAMES[DAYS[at.weekday()]]),
                               date=at.strftime("%Y-%m-%d"), time=at.strftime("%H:%M")))
        return Reply(join(lines, "\n"))

    registry.add("setup", Subcommand("/community setup", "anyone", "help.member.setup", setup))
    registry.add("owners", Subcommand("/community owners [add|remove @user]", "owner", "help.owner.owners", owners))
    registry.add("purpose", Subcommand("/community purpose <text>", "owner", "help.owner.purpose", purpose))
    registry.add("rules", Subcommand("/community rules <text>", "owner", "help.owner.rules", rules))
    registry.add("locale", Subcommand("/community locale fr|en", "owner", "help.owner.locale", locale))
    registry.add("config", Subcommand("/community config [<key> <value>]", "owner", "help.owner.config", config))
    registry.add("schedule", Subcommand("/community schedule", "member", "help.member.schedule", schedule))
