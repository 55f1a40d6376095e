"""The README's promises that a test can hold it to."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_the_quick_start_is_two_commands_and_ci_runs_the_second_verbatim():
    run_bot, run_tests = quick_start_commands()
    assert run_bot.endswith("python -m bot") and "venv" in run_bot
    assert run_tests in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_setting_in_env_example_is_documented_in_the_readme():
    variables = re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(encoding="utf-8"), re.M)
    assert variables and [v for v in variables if f"`{v}`" not in README] == []
