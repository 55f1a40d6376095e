"""Group settings as owners write them."""
import pytest

from bot.config import GROUP_SETTINGS, ConfigError, parse_setting, show_setting


@pytest.mark.parametrize("key, raw, value", [
    ("first_wait", "30s", 30), ("first_wait", "20m", 1200), ("second_wait", "2h", 7200), ("rejoin_window", "3d", 259200),
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
    assert raised.value.accepted == GROUP_SETTINGS[key].kind.accepted


def test_unknown_key_lists_the_keys():
    with pytest.raises(ConfigError) as raised:
        parse_setting("nope", "1")
    assert "first_wait" in raised.value.accepted


def test_every_default_survives_a_round_trip_through_its_own_syntax():
    for key, setting in GROUP_SETTINGS.items():
        assert parse_setting(key, show_setting(key, setting.default)) == setting.default, key
