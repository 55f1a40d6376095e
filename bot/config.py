"""Group settings that owners change with `/community config <key> <value>`.

Each setting has a kind (how it is written and checked), a default and a help key in the message
catalogues. Later features add their knobs to `GROUP_SETTINGS`; `help` and `config` list them all.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable
from zoneinfo import ZoneInfo, available_timezones

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ConfigError(ValueError):
    """A value that does not fit; `accepted` tells the user what would."""

    def __init__(self, key: str, accepted: str):
        super().__init__(f"{key}: expected {accepted}")
        self.key = key
        self.accepted = accepted


_DURATION = re.compile(r"^(\d+)\s*([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> int:
    """'30s', '20m', '2h', '3d' → seconds."""
    match = _DURATION.match(text.strip().lower())
    if not match or int(match.group(1)) == 0:
        raise ValueError(text)
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def format_duration(seconds: int) -> str:
    for unit in ("d", "h", "m"):
        if seconds % _UNIT_SECONDS[unit] == 0:
            return f"{seconds // _UNIT_SECONDS[unit]}{unit}"
    return f"{seconds}s"


def parse_time(text: str) -> str:
    match = re.match(r"^([01]?\d|2[0-3]):([0-5]\d)$", text.strip())
    if not match:
        raise ValueError(text)
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def parse_time_range(text: str) -> str:
    start, sep, end = text.replace(" ", "").partition("-")
    if not sep:
        raise ValueError(text)
    start, end = parse_time(start), parse_time(end)
    if end <= start:
        raise ValueError(text)
    return f"{start}-{end}"


def parse_days(text: str) -> str:
    """'mon-fri', 'mon,wed,fri' or 'mon-fri,sun' → 'mon,tue,...' in week order."""
    chosen: set[str] = set()
    for part in text.strip().lower().replace(" ", "").split(","):
        first, sep, last = part.partition("-")
        if first not in DAYS or (sep and last not in DAYS):
            raise ValueError(text)
        i, j = DAYS.index(first), DAYS.index(last if sep else first)
        if j < i:
            raise ValueError(text)
        chosen.update(DAYS[i : j + 1])
    return ",".join(day for day in DAYS if day in chosen)


def parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in ("on", "true", "yes", "oui"):
        return True
    if value in ("off", "false", "no", "non"):
        return False
    raise ValueError(text)


def parse_timezone(text: str) -> str:
    name = text.strip()
    if name not in available_timezones():
        raise ValueError(text)
    ZoneInfo(name)
    return name


@dataclass(frozen=True)
class SettingKind:
    accepted: str  # shown to the user when a value does not fit
    parse: Callable[[str], Any]
    show: Callable[[Any], str] = str


DURATION = SettingKind("a duration such as 30s, 20m, 2h or 3d", parse_duration, format_duration)
TIME_RANGE = SettingKind("a time range HH:MM-HH:MM in the group's time zone, such as 09:00-18:00", parse_time_range)
WEEK_DAYS = SettingKind("days such as mon-fri or mon,wed,fri", parse_days)
ON_OFF = SettingKind("on or off", parse_bool, lambda value: "on" if value else "off")
TIMEZONE = SettingKind("an IANA time zone such as Europe/Paris or America/New_York", parse_timezone)


def choice(*options: str) -> SettingKind:
    def parse(text: str) -> str:
        if text.strip().lower() not in options:
            raise ValueError(text)
        return text.strip().lower()
    return SettingKind(" or ".join(options), parse)


def whole_number(low: int, high: int) -> SettingKind:
    def parse(text: str) -> int:
        if not text.strip().isdigit() or not low <= int(text) <= high:
            raise ValueError(text)
        return int(text)
    return SettingKind(f"a whole number from {low} to {high}", parse)


@dataclass(frozen=True)
class GroupSetting:
    kind: SettingKind
    default: Any


GROUP_SETTINGS: dict[str, GroupSetting] = {
    "timezone": GroupSetting(TIMEZONE, "UTC"),
    "welcome_in": GroupSetting(choice("channel", "dm"), "channel"),
    "welcome_suggestions": GroupSetting(whole_number(0, 3), 3),
    "rejoin_window": GroupSetting(DURATION, 30 * 86400),
    # Question routing (unanswered questions reach experts).
    "question_routing": GroupSetting(ON_OFF, True),
    "first_wait": GroupSetting(DURATION, 30 * 60),
    "second_wait": GroupSetting(DURATION, 2 * 3600),
    "owners_wait": GroupSetting(DURATION, 4 * 3600),
    "expert_daily_cap": GroupSetting(whole_number(1, 50), 3),
    "working_hours": GroupSetting(TIME_RANGE, "09:00-18:00"),
    "working_days": GroupSetting(WEEK_DAYS, "mon,tue,wed,thu,fri"),
    "resolve_nudge": GroupSetting(DURATION, 2 * 86400),
}


def parse_setting(key: str, raw: str) -> Any:
    setting = GROUP_SETTINGS.get(key)
    if setting is None:
        raise ConfigError(key, "one of " + ", ".join(sorted(GROUP_SETTINGS)))
    try:
        return setting.kind.parse(raw)
    except (ValueError, KeyError):
        raise ConfigError(key, setting.kind.accepted) from None


def show_setting(key: str, value: Any) -> str:
    return GROUP_SETTINGS[key].kind.show(value)


def effective_settings(stored: dict) -> dict:
    """Defaults overlaid with what the owners set (unknown stored keys are ignored)."""
    return {key: stored.get(key, setting.default) for key, setting in GROUP_SETTINGS.items()}
