"""Managed groups: one per channel the bot looks after, with owners, purpose, rules and settings.

Seed: a group has owners and co-owners who "spend about an hour a week" on it; the bot helps them.
The commands that manage a group (`setup`, `owners`, `purpose`, `rules`, `locale`, `config`) are
in `bot.groups.commands`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..clock import Clock, utc_iso
from ..i18n import DEFAULT_LOCALE, LOCALES
from ..periods import iso_week
from ..store import Store
from .config import GROUP_SETTINGS, SLOT_KEYS, WEEKLY_SLOTS, effective_settings, parse_setting

TABLE = "groups"
# Owner-written texts are shown in every welcome; bounded so a welcome always fits one message
# (Slack takes 3,000 characters per section; the adapter splits longer ones anyway).
MAX_PURPOSE = 600
MAX_RULES = 1000


def group_key(team_id: str, channel_id: str) -> str:
    return f"{team_id}:{channel_id}"


@dataclass
class Group:
    team_id: str
    channel_id: str
    owners: list[str]
    purpose: str = ""
    rules: str = ""
    welcome_template: str | None = None  # None: the catalogue's default in the group's locale
    locale: str = DEFAULT_LOCALE
    settings: dict[str, Any] = field(default_factory=dict)  # only what owners changed
    created_by: str = ""
    created_at: str = ""
    # Day and time changes of weekly work take effect next week: {key: {"value": old, "until": week}}
    schedule_changes: dict[str, dict] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return group_key(self.team_id, self.channel_id)

    @property
    def config(self) -> dict[str, Any]:
        return effective_settings(self.settings)

    def is_owner(self, user_id: str) -> bool:
        return user_id in self.owners

    def slot(self, name: str, moment: datetime) -> tuple[bool, str, str]:
        """(on, day, time) of a weekly job for the week `moment` is in, in the group's time zone."""
        slot, config = WEEKLY_SLOTS[name], self.config
        week = iso_week(moment, config["timezone"])

        def value(key: str) -> str:
            change = self.schedule_changes.get(key)
            return change["value"] if change and week <= change["until"] else config[key]
        return config[slot.switch], value(slot.day), value(slot.time)


class TooLong(ValueError):
    def __init__(self, limit: int):
        super().__init__(limit)
        self.limit = limit


def may_set_up(user_id: str, *, channel_creator: str | None, user_is_workspace_admin: bool, steward_admins: frozenset[str]) -> bool:
    return user_id == channel_creator or user_is_workspace_admin or user_id in steward_admins


class GroupService:
    def __init__(self, store: Store, clock: Clock, admins: frozenset[str] = frozenset()):
        self.store = store
        self.clock = clock
        self.admins = admins

    def get(self, team_id: str, channel_id: str) -> Group | None:
        doc = self.store.get(TABLE, group_key(team_id, channel_id))
        return Group(**doc) if doc else None

    def all(self, team_id: str | None = None) -> list[Group]:
        docs = self.store.find(TABLE, team_id=team_id) if team_id else self.store.find(TABLE)
        return [Group(**doc) for doc in docs]

    def may_own(self, group: Group, user_id: str) -> bool:
        """Owners and the deployment's admins (`STEWARD_ADMINS`) may act as owners."""
        return group.is_owner(user_id) or user_id in self.admins

    def create(self, team_id: str, channel_id: str, owner_id: str, *, timezone: str | None = None) -> tuple[Group, bool]:
        """Make the channel a managed group; an existing group is returned untouched (never taken over)."""
        settings = {"timezone": timezone} if _is_timezone(timezone) else {}
        candidate = Group(team_id, channel_id, [owner_id], settings=settings, created_by=owner_id, created_at=utc_iso(self.clock.now()))
        created = self.store.insert_if_absent(TABLE, group_key(team_id, channel_id), dict(candidate.__dict__))
        return (candidate if created else self.get(team_id, channel_id)), created

    def _change(self, group: Group, apply) -> Group:
        def change(doc):
            if doc is None:
                raise LookupError("group was removed")
            apply(doc)
            return doc
        return Group(**self.store.update(TABLE, group.key, change))

    def add_owner(self, group: Group, user_id: str) -> bool:
        added = []

        def apply(doc):
            if user_id not in doc["owners"]:
                doc["owners"].append(user_id)
                added.append(user_id)
        self._change(group, apply)
        return bool(added)

    def remove_owner(self, group: Group, user_id: str) -> str:
        """'removed', 'not_owner' or 'last' (a group keeps at least one owner)."""
        outcome = {}

        def apply(doc):
            if user_id not in doc["owners"]:
                outcome["result"] = "not_owner"
            elif len(doc["owners"]) == 1:
                outcome["result"] = "last"
            else:
                doc["owners"].remove(user_id)
                outcome["result"] = "removed"
        self._change(group, apply)
        return outcome["result"]

    def set_purpose(self, group: Group, purpose: str) -> Group:
        return self._set_text(group, "purpose", purpose, MAX_PURPOSE)

    def set_rules(self, group: Group, rules: str) -> Group:
        return self._set_text(group, "rules", rules, MAX_RULES)

    def set_welcome_template(self, group: Group, template: str | None) -> Group:
        """None goes back to the catalogue's default; templates are checked by `bot.welcome`."""
        return self._change(group, lambda doc: doc.update(welcome_template=template))

    def _set_text(self, group: Group, name: str, value: str, limit: int) -> Group:
        value = value.strip()
        if len(value) > limit:
            raise TooLong(limit)
        return self._change(group, lambda doc: doc.update({name: value}))

    def set_locale(self, group: Group, locale: str) -> Group:
        if locale not in LOCALES:
            raise ValueError(locale)
        return self._change(group, lambda doc: doc.update(locale=locale))

    def set_setting(self, group: Group, key: str, raw_value: str) -> tuple[Group, Any]:
        value = parse_setting(key, raw_value)  # raises ConfigError with the accepted values
        week = iso_week(self.clock.now(), group.config["timezone"])

        def apply(doc):
            if key in SLOT_KEYS:  # this week keeps the day and time it had: the change starts next week
                changes = doc.setdefault("schedule_changes", {})
                if changes.get(key, {}).get("until") != week:
                    changes[key] = {"value": effective_settings(doc["settings"])[key], "until": week}
            doc["settings"][key] = value
        return self._change(group, apply), value


def _is_timezone(name: str | None) -> bool:
    try:
        return bool(name) and GROUP_SETTINGS["timezone"].kind.parse(name) == name
    except ValueError:
        return False
