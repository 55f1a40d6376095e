"""Shared fixtures: a Slack emulator with a small cast, and a running bot talking to it."""
import pytest

from handlers.emulator import SlackEmulator
from tests.harness.slack_spec import assert_calls_match_spec
from tests.harness.workspace import Workspace

# The cast: UOWNER created #general (C1); UADMIN administers the workspace; members and a bot.
PEOPLE = {
    "UOWNER": {"tz": "Europe/Paris"},
    "UADMIN": {"tz": "America/New_York", "is_admin": True},
    "UALICE": {"tz": "Europe/Paris"},
    "UBOB": {"tz": "Europe/London"},
    "UCAROL": {"tz": "Asia/Tokyo"},
    "UDAN": {"tz": "America/Los_Angeles"},
    "UOTHERBOT": {"is_bot": True},
}


@pytest.fixture
def slack():
    with SlackEmulator() as emulator:
        for user_id, traits in PEOPLE.items():
            emulator.add_user(user_id, **traits)
        emulator.add_channel("C1", "general", creator="UOWNER", members=["UOWNER", "UALICE", "UBOB", "UBOT"])
        emulator.add_channel("C2", "random", creator="UBOB", members=["UBOB", "UBOT"])
        yield emulator
        # Every test that talked to "Slack" also checks that each call it made is in Slack's spec.
        assert_calls_match_spec(emulator.calls)


@pytest.fixture
def workspace(slack, tmp_path):
    ws = Workspace(slack, tmp_path / "data").start()
    yield ws
    ws.stop()


@pytest.fixture
def group(workspace):
    """#general (C1) set up as a managed group owned by UOWNER."""
    assert "managed group" in workspace.run("UOWNER", "setup")
    return workspace
