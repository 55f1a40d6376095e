"""Settings from the environment and `.env` (the environment wins), validated with clear messages.

A bad setting is reported as one line naming the variable and the fix (`SettingsError`), so
`python -m bot` can print it and exit 2 instead of showing a traceback.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Mapping

from dotenv import dotenv_values

DEFAULT_API_URL = "https://slack.com/api/"
STORE_BACKENDS = ("tinydb", "memory")  # built by `bot.store.open_store`


class SettingsError(ValueError):
    def __init__(self, variable: str, problem: str):
        super().__init__(f"{variable}: {problem}")
        self.variable = variable
        self.problem = problem


@dataclass(frozen=True)
class Settings:
    mode: str  # "socket", "http" or "local" (no Slack tokens at all)
    bot_token: str | None = None
    app_token: str | None = None
    signing_secret: str | None = None
    api_url: str = DEFAULT_API_URL
    port: int = 3000
    data_dir: Path = Path("data")
    store_backend: str = "tinydb"
    admins: frozenset[str] = field(default_factory=frozenset)
    counter_flush_seconds: float = 5.0
    scheduler_tick_seconds: float = 15.0
    delivery_give_up_seconds: float = 6 * 3600.0
    log_level: str = "INFO"

    @property
    def delivery_give_up_after(self) -> timedelta:
        return timedelta(seconds=self.delivery_give_up_seconds)


def load_settings(environ: Mapping[str, str] | None = None, dotenv_path: str | Path | None = ".env") -> Settings:
    """Read `.env` (if present) under the given environment and validate everything."""
    merged: dict[str, str] = {}
    if dotenv_path and Path(dotenv_path).is_file():
        merged.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    merged.update(os.environ if environ is None else environ)
    env = {k: v.strip() for k, v in merged.items() if isinstance(v, str) and v.strip()}

    bot_token = env.get("SLACK_BOT_TOKEN")
    app_token = env.get("SLACK_APP_TOKEN")
    signing_secret = env.get("SLACK_SIGNING_SECRET")
    mode = _resolve_mode(bot_token, app_token, signing_secret)

    return Settings(
        mode=mode,
        bot_token=bot_token,
        app_token=app_token,
        signing_secret=signing_secret,
        api_url=_api_url(env.get("SLACK_API_URL", DEFAULT_API_URL)),
        port=_port(env.get("PORT", "3000")),
        # Without Slack nothing is stored yet, so no ./data folder appears where the bot was run.
        data_dir=Path(env.get("DATA_DIR", "data")).expanduser() if mode == "local" else _writable_dir(env.get("DATA_DIR", "data")),
        store_backend=_store_backend(env.get("STORE_BACKEND", "tinydb")),
        admins=frozenset(a.strip() for a in env.get("STEWARD_ADMINS", "").split(",") if a.strip()),
        counter_flush_seconds=_positive_number("COUNTER_FLUSH_SECONDS", env.get("COUNTER_FLUSH_SECONDS", "5"), 0.1, 60),
        scheduler_tick_seconds=_positive_number("SCHEDULER_TICK_SECONDS", env.get("SCHEDULER_TICK_SECONDS", "15"), 0.05, 30),
        delivery_give_up_seconds=_positive_number("DELIVERY_GIVE_UP_SECONDS", env.get("DELIVERY_GIVE_UP_SECONDS", "21600"), 1, 7 * 86400),
        log_level=_log_level(env.get("LOG_LEVEL", "INFO")),
    )


def _resolve_mode(bot_token: str | None, app_token: str | None, signing_secret: str | None) -> str:
    if bot_token and not bot_token.startswith("xoxb-"):
        raise SettingsError("SLACK_BOT_TOKEN", "must be a bot token starting with 'xoxb-' (OAuth & Permissions page of your app)")
    if app_token and not app_token.startswith("xapp-"):
        raise SettingsError("SLACK_APP_TOKEN", "must be an app-level token starting with 'xapp-' (Basic Information > App-Level Tokens, scope connections:write)")
    if not bot_token:
        if app_token or signing_secret:
            given = "SLACK_APP_TOKEN" if app_token else "SLACK_SIGNING_SECRET"
            raise SettingsError("SLACK_BOT_TOKEN", f"is missing while {given} is set; set the bot token (xoxb-...) too")
        return "local"
    if app_token:
        return "socket"
    if signing_secret:
        return "http"
    raise SettingsError(
        "SLACK_BOT_TOKEN",
        "is set but neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP mode) is; set one of them",
    )


def _api_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise SettingsError("SLACK_API_URL", f"must be an http(s) URL such as {DEFAULT_API_URL}, got {value!r}")
    return value if value.endswith("/") else value + "/"


def _port(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise SettingsError("PORT", f"must be a whole number from 1 to 65535, got {value!r}")
    return int(value)


def _positive_number(name: str, value: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not low <= number <= high:
        raise SettingsError(name, f"must be a number of seconds from {low:g} to {high:g}, got {value!r}")
    return number


def _log_level(value: str) -> str:
    level = value.upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise SettingsError("LOG_LEVEL", f"must be DEBUG, INFO, WARNING or ERROR, got {value!r}")
    return level


def _store_backend(value: str) -> str:
    backend = value.lower()
    if backend not in STORE_BACKENDS:
        raise SettingsError("STORE_BACKEND", f"must be tinydb (files in DATA_DIR) or memory (nothing kept after a restart), got {value!r}")
    return backend


def _writable_dir(value: str) -> Path:
    path = Path(value).expanduser()
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-check-"):
            pass
    except OSError as error:
        raise SettingsError("DATA_DIR", f"{path} is not a writable directory ({error.strerror or error}); point DATA_DIR at one") from None
    return path
