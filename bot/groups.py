"""Managed groups: one per channel the bot looks after, with owners, purpose, welcome and settings."""
from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any

from .clock import Clock, utc_iso
from .config import GROUP_SETTINGS, effective_settings, parse_setting
from .i18n import DEFAULT_LOCALE, LOCALES
from .store import Store

TABLE = "groups"
WELCOME_PLACEHOLDERS = frozenset({"user", "group", "purpose", "owners"})


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

    @property
    def config(self) -> dict[str, Any]:
        return effective_settings(self.settings)

    def is_owner(self, user_id: str) -> bool:
        return user_id in self.owners


class TemplateError(ValueError):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


def check_welcome_template(template: str) -> None:
    """Refuse placeholders we cannot fill, so a typo is caught when set, not at the next join."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError:
        raise TemplateError("{") from None
    for name in fields:
        if name not in WELCOME_PLACEHOLDERS:
            raise TemplateError(name)


def may_set_up(user_id: str, *, channel_creator: str | None, user_is_workspace_admin: bool, steward_admins: frozenset[str]) -> bool:
    return user_id == channel_creator or user_is_workspace_admin or user_id in steward_admins


class GroupService:
    def __init__(self, store: Store, clock: Clock):
        self.store = store
        self.clock = clock

    def get(self, team_id: str, channel_id: str) -> Group | None:
        doc = self.store.get(TABLE, group_key(team_id, channel_id))
        return Group(**doc) if doc else None

    def all(self, team_id: str | None = None) -> list[Group]:
        docs = self.store.find(TABLE, team_id=team_id) if team_id else self.store.find(TABLE)
        return [Group(**doc) for doc in docs]

    def create(self, team_id: str, channel_id: str, owner_id: str, *, timezone: str | None = None) -> tuple[Group, bool]:
        """Make the channel a managed group; an existing group is returned untouched (never taken over)."""
        settings = {"timezone": timezone} if _is_timezone(timezone) else {}
        candidate = Group(team_id, channel_id, [owner_id], settings=settings, created_by=owner_id, created_at=utc_iso(self.clock.now()))
        created = self.store.insert_if_absent(TABLE, group_key(team_id, channel_id), _to_doc(candidate))
        return (candidate if created else self.get(team_id, channel_id)), created

    def _change(self, group: Group, **changes) -> Group:
        def apply(doc):
            if doc is None:
                raise LookupError("group was removed")
            doc.update(changes)
            return doc
        return Group(**self.store.update(TABLE, group_key(group.team_id, group.channel_id), apply))

    def add_owner(self, group: Group, user_id: str) -> bool:
        def apply(doc):
            if user_id not in doc["owners"]:
                doc["owners"].append(user_id)
            return doc
        before = self.get(group.team_id, group.channel_id)
        self.store.update(TABLE, group_key(group.team_id, group.channel_id), apply)
        return user_id not in before.owners

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
            return doc
        self.store.update(TABLE, group_key(group.team_id, group.channel_id), apply)
        return outcome["result"]

    def set_purpose(self, group: Group, purpose: str) -> Group:
        return self._change(group, purpose=purpose.strip())

    def set_rules(self, group: Group, rules: str) -> Group:
        return self._change(group, rules=rules.strip())

    def set_welcome_template(self, group: Group, template: str) -> Group:
        check_welcome_template(template)
        return self._change(group, welcome_template=template.strip())

    def set_locale(self, group: Group, locale: str) -> Group:
        if locale not in LOCALES:
            raise ValueError(locale)
        return self._change(group, locale=locale)

    def set_setting(self, group: Group, key: str, raw_value: str) -> tuple[Group, Any]:
        value = parse_setting(key, raw_value)  # raises ConfigError with the accepted values
        return self._change(group, settings={**group.settings, key: value}), value


def _is_timezone(name: str | None) -> bool:
    try:
        return bool(name) and GROUP_SETTINGS["timezone"].kind.parse(name) == name
    except ValueError:
        return False


def _to_doc(group: Group) -> dict:
    return dict(group.__dict__)
