"""Group settings that owners change with `/community config <key> <value>`.

Each setting has a kind (how it is written and checked, with its bounds), a default and help in
the message catalogues. Later features add their knobs to `GROUP_SETTINGS`; `help` and `config`
list them all. A value out of bounds is refused when set, with the accepted range, so it can never
break a later sweep (a 1000-day wait, a duration that overflows).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable
from zoneinfo import ZoneInfo, available_timezones

from ..worktime import DAYS

MINUTE, HOUR, DAY = 60, 3600, 86400


class ConfigError(ValueError):
    """A value that does not fit; `accepted` is the catalogue key (and values) saying what would."""

    def __init__(self, key: str, accepted: tuple[str, dict]):
        super().__init__(f"{key}: expected {accepted[0]}")
        self.key = key
        self.accepted = accepted


_DURATION = re.compile(r"^(\d{1,9})\s*([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": MINUTE, "h": HOUR, "d": DAY}


def parse_duration(text: str) -> int:
    """'30s', '20m', '2h', '3d' → seconds (at most nine digits, so it never overflows)."""
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
    parse: Callable[[str], Any]
    accepted: str  # catalogue key telling the user what fits
    accepted_values: dict = field(default_factory=dict)
    show: Callable[[Any], str] = str


def duration(low: int, high: int) -> SettingKind:
    def parse(text: str) -> int:
        seconds = parse_duration(text)
        if not low <= seconds <= high:
            raise ValueError(text)
        return seconds
    return SettingKind(parse, "accepted.duration", {"low": format_duration(low), "high": format_duration(high)}, format_duration)


def choice(*options: str) -> SettingKind:
    def parse(text: str) -> str:
        if text.strip().lower() not in options:
            raise ValueError(text)
        return text.strip().lower()
    return SettingKind(parse, "accepted.choice", {"options": " | ".join(options)})


def whole_number(low: int, high: int) -> SettingKind:
    def parse(text: str) -> int:
        if not text.strip().isdigit() or not low <= int(text) <= high:
            raise ValueError(text)
        return int(text)
    return SettingKind(parse, "accepted.number", {"low": str(low), "high": str(high)})


def parse_day(text: str) -> str:
    day = text.strip().lower()[:3]
    if day not in DAYS or text.strip().lower() not in (day, {"mon": "monday", "tue": "tuesday", "wed": "wednesday",
                                                              "thu": "thursday", "fri": "friday", "sat": "saturday",
                                                              "sun": "sunday"}[day]):
        raise ValueError(text)
    return day


def parse_emoji_name(text: str) -> str:
    """An emoji's name, with or without colons: `raised_hands`, `:tada:`, `+1`."""
    name = text.strip().strip(":").lower()
    if not re.fullmatch(r"[a-z0-9_+\-']{1,60}", name):
        raise ValueError(text)
    return name


TIME_RANGE = SettingKind(parse_time_range, "accepted.time_range")
ONE_DAY = SettingKind(parse_day, "accepted.day")
TIME_OF_DAY = SettingKind(parse_time, "accepted.time")
EMOJI = SettingKind(parse_emoji_name, "accepted.emoji")
WEEK_DAYS = SettingKind(parse_days, "accepted.days")
ON_OFF = SettingKind(parse_bool, "accepted.on_off", show=lambda value: "on" if value else "off")
TIMEZONE = SettingKind(parse_timezone, "accepted.timezone")


@dataclass(frozen=True)
class GroupSetting:
    kind: SettingKind
    default: Any


GROUP_SETTINGS: dict[str, GroupSetting] = {
    "timezone": GroupSetting(TIMEZONE, "UTC"),
    "welcome_in": GroupSetting(choice("channel", "dm"), "channel"),
    "welcome_suggestions": GroupSetting(whole_number(0, 3), 3),
    "rejoin_window": GroupSetting(duration(HOUR, 365 * DAY), 30 * DAY),
    # Question routing (unanswered questions reach experts). Waits count working time only, so a
    # week of working time is already about a month of calendar time.
    "question_routing": GroupSetting(ON_OFF, True),
    "first_wait": GroupSetting(duration(MINUTE, 7 * DAY), 30 * MINUTE),
    "second_wait": GroupSetting(duration(MINUTE, 7 * DAY), 2 * HOUR),
    "owners_wait": GroupSetting(duration(MINUTE, 14 * DAY), 4 * HOUR),
    "expert_daily_cap": GroupSetting(whole_number(1, 50), 3),
    "working_hours": GroupSetting(TIME_RANGE, "09:00-18:00"),
    "working_days": GroupSetting(WEEK_DAYS, "mon,tue,wed,thu,fri"),
    "resolve_nudge": GroupSetting(duration(HOUR, 30 * DAY), 2 * DAY),
    # Weekly recognition of contributors, in the group channel.
    "recognition": GroupSetting(ON_OFF, True),
    "recognition_day": GroupSetting(ONE_DAY, "fri"),
    "recognition_time": GroupSetting(TIME_OF_DAY, "16:00"),
    "kudos_emoji": GroupSetting(EMOJI, "raised_hands"),
    "kudos_daily_cap": GroupSetting(whole_number(1, 50), 5),
    # Visit reminders: a direct message to members who have been away.
    "reminders": GroupSetting(ON_OFF, True),
    "reminder_after": GroupSetting(duration(DAY, 180 * DAY), 14 * DAY),
    "reminder_every": GroupSetting(duration(DAY, 180 * DAY), 14 * DAY),
    # The owner's weekly hour: a checklist by direct message to each owner.
    "owner_digest": GroupSetting(ON_OFF, True),
    "owner_digest_day": GroupSetting(ONE_DAY, "mon"),
    "owner_digest_time": GroupSetting(TIME_OF_DAY, "09:30"),
    # Conversation starters the owners queue, posted when the channel is quiet.
    "prompts": GroupSetting(ON_OFF, True),
    "prompt_day": GroupSetting(ONE_DAY, "tue"),
    "prompt_time": GroupSetting(TIME_OF_DAY, "10:00"),
    "prompt_when_quiet": GroupSetting(duration(HOUR, 30 * DAY), 2 * DAY),
    # approval
    # Membership approval: joining takes an owner's yes; a private group is listed in the
    # directory (and takes requests) only when its owners say so.
    "approval": GroupSetting(ON_OFF, False),
    "listed_when_private": GroupSetting(ON_OFF, False),
    # content
    # Pinned messages and bookmarks older than this (since pinned, added or kept) are up for review.
    "stale_after": GroupSetting(duration(DAY, 730 * DAY), 180 * DAY),
    # moderation
    "moderation_defaults": GroupSetting(ON_OFF, True),  # the shared French and English list
    "moderation_notice": GroupSetting(ON_OFF, False),  # the author is told at once of a rule match
}


@dataclass(frozen=True)
class WeeklySlot:
    """A weekly job's settings: whether it runs, and on which local day and time."""
    switch: str
    day: str
    time: str


WEEKLY_SLOTS: dict[str, WeeklySlot] = {
    "recognition": WeeklySlot("recognition", "recognition_day", "recognition_time"),
    "owner_digest": WeeklySlot("owner_digest", "owner_digest_day", "owner_digest_time"),
    "prompts": WeeklySlot("prompts", "prompt_day", "prompt_time"),
}
SLOT_KEYS = frozenset(key for slot in WEEKLY_SLOTS.values() for key in (slot.day, slot.time))


def parse_setting(key: str, raw: str) -> Any:
    setting = GROUP_SETTINGS[key]
    try:
        return setting.kind.parse(raw)
    except (ValueError, KeyError):
        raise ConfigError(key, (setting.kind.accepted, setting.kind.accepted_values)) from None


def show_setting(key: str, value: Any) -> str:
    return GROUP_SETTINGS[key].kind.show(value)


def effective_settings(stored: dict) -> dict:
    """Defaults overlaid with what the owners set (unknown stored keys are ignored)."""
    return {key: stored.get(key, setting.default) for key, setting in GROUP_SETTINGS.items()}
