"""Settings: modes, the environment over .env, and one clear line per mistake."""
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import DEFAULT_API_URL, SettingsError, load_settings

REPO = Path(__file__).resolve().parents[1]


def settings(tmp_path, dotenv=None, **env):
    env.setdefault("DATA_DIR", str(tmp_path / "data"))
    dotenv_path = tmp_path / ".env"
    if dotenv is not None:
        dotenv_path.write_text(dotenv)
    return load_settings(env, dotenv_path)


def test_no_tokens_means_local_mode_with_defaults(tmp_path):
    s = settings(tmp_path)
    assert (s.mode, s.port, s.api_url) == ("local", 3000, DEFAULT_API_URL)


def test_app_token_selects_socket_mode_and_signing_secret_http_mode(tmp_path):
    assert settings(tmp_path, SLACK_BOT_TOKEN="xoxb-1", SLACK_APP_TOKEN="xapp-1").mode == "socket"
    assert settings(tmp_path, SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s").mode == "http"


def test_environment_wins_over_dotenv_file(tmp_path):
    s = settings(tmp_path, dotenv="SLACK_BOT_TOKEN=xoxb-file\nSLACK_SIGNING_SECRET=s\nPORT=4000\n", PORT="5000")
    assert (s.bot_token, s.port, s.mode) == ("xoxb-file", 5000, "http")


def test_store_backend_defaults_to_tinydb_and_accepts_memory(tmp_path):
    assert settings(tmp_path).store_backend == "tinydb"
    assert settings(tmp_path, STORE_BACKEND="Memory").store_backend == "memory"


def test_api_url_gets_its_trailing_slash(tmp_path):
    assert settings(tmp_path, SLACK_API_URL="http://127.0.0.1:9/api").api_url == "http://127.0.0.1:9/api/"


@pytest.mark.parametrize("env, variable", [
    ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_BOT_TOKEN"),
    ({"SLACK_BOT_TOKEN": "xoxp-1", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"}, "SLACK_APP_TOKEN"),
    ({"SLACK_APP_TOKEN": "xapp-1"}, "SLACK_BOT_TOKEN"),
    ({"SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
    ({"PORT": "http"}, "PORT"),
    ({"PORT": "70000"}, "PORT"),
    ({"SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL"),
    ({"COUNTER_FLUSH_SECONDS": "-1"}, "COUNTER_FLUSH_SECONDS"),
    ({"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
    ({"STORE_BACKEND": "postgres"}, "STORE_BACKEND"),
])
def test_each_mistake_names_its_variable(tmp_path, env, variable):
    with pytest.raises(SettingsError) as raised:
        settings(tmp_path, **env)
    assert raised.value.variable == variable


def test_unwritable_data_dir_is_refused(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(SettingsError) as raised:
        settings(tmp_path, DATA_DIR=str(blocker / "data"), SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s")
    assert raised.value.variable == "DATA_DIR"


def run_bot(tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PORT", "DATA_DIR"))}
    clean.update(env, DATA_DIR=str(tmp_path / "data"))
    return subprocess.run([sys.executable, "-m", "bot"], cwd=tmp_path, env={**clean, "PYTHONPATH": str(REPO)},
                          capture_output=True, text=True, timeout=60)


def test_python_m_bot_without_tokens_takes_the_local_workspaces_port_before_any_data(tmp_path):
    """Without Slack, `python -m bot` serves the local workspace (tests/test_local_workspace.py runs
    it); a taken PORT stops it with one line before it creates anything."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_bot(tmp_path, PORT=str(port))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip() == (f"steward: PORT {port} is already in use (another copy of the bot?); "
                                   "stop that process or set PORT to a free port")
    assert not (tmp_path / "data").exists()  # no stray ./data folder


def test_python_m_bot_with_bad_setting_prints_one_line_and_exits_2(tmp_path):
    done = run_bot(tmp_path, SLACK_BOT_TOKEN="xoxb-1", PORT="abc", SLACK_SIGNING_SECRET="s")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "PORT" in done.stderr
    assert "Traceback" not in done.stderr
