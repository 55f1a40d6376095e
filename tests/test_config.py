"""Group settings as owners write them."""
import pytest

from bot.groups.config import GROUP_SETTINGS, ConfigError, parse_setting, show_setting


@pytest.mark.parametrize("key, raw, value", [
    ("first_wait", "1m", 60), ("first_wait", "20m", 1200), ("second_wait", "2h", 7200), ("rejoin_window", "3d", 259200),
    ("working_hours", "9:00-18:30", "09:00-18:30"), ("working_days", "mon-fri", "mon,tue,wed,thu,fri"),
    ("working_days", "sun,mon-tue", "mon,tue,sun"), ("question_routing", "off", False), ("timezone", "Europe/Paris", "Europe/Paris"),
    ("welcome_in", "DM", "dm"), ("expert_daily_cap", "5", 5),
])
def test_values_are_parsed(key, raw, value):
    assert parse_setting(key, raw) == value


@pytest.mark.parametrize("key, raw", [
    ("first_wait", "30"), ("first_wait", "0m"), ("first_wait", "1w"), ("working_hours", "18:00-09:00"),
    ("working_hours", "25:00-26:00"), ("working_days", "fri-mon"), ("working_days", "someday"),
    ("question_routing", "maybe"), ("timezone", "Mars/Olympus"), ("welcome_in", "email"), ("expert_daily_cap", "0"),
])
def test_bad_values_say_what_is_accepted(key, raw):
    with pytest.raises(ConfigError) as raised:
        parse_setting(key, raw)
    kind = GROUP_SETTINGS[key].kind
    assert raised.value.accepted == (kind.accepted, kind.accepted_values)


@pytest.mark.parametrize("key, raw", [
    ("first_wait", "30s"), ("first_wait", "8d"), ("first_wait", "99999999999999d"), ("first_wait", "1000d"),
    ("owners_wait", "15d"), ("rejoin_window", "30m"), ("rejoin_window", "366d"), ("resolve_nudge", "31d"),
])
def test_durations_are_bounded_per_key(key, raw):
    """Out of range is refused when set, with the range: nothing can overflow or stall a sweep."""
    with pytest.raises(ConfigError) as raised:
        parse_setting(key, raw)
    accepted_key, values = raised.value.accepted
    assert accepted_key == "accepted.duration" and values["low"] and values["high"]


def test_the_refusal_names_the_range_in_the_groups_language():
    from bot.i18n import tp
    with pytest.raises(ConfigError) as raised:
        parse_setting("first_wait", "1000d")
    key, values = raised.value.accepted
    assert tp("en", key, **values) == "a duration from 1m to 7d, written like 30m, 2h or 3d"
    assert tp("fr", key, **values).startswith("une durée de 1m à 7d")


def test_every_default_survives_a_round_trip_through_its_own_syntax():
    for key, setting in GROUP_SETTINGS.items():
        assert parse_setting(key, show_setting(key, setting.default)) == setting.default, key
