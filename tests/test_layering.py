"""The shape of the code, checked: layering by import contract, no Slack markup in the core, and
each duty findable under one name in bot/, handlers/ and schedules/."""
import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Modules of the adapter and the scheduler that serve every duty rather than being one.
SHARED_HANDLERS = {"__init__", "acks", "app", "blocks", "mrkdwn", "runtime", "slack_api", "http_server", "emulator", "local"}
SHARED_SCHEDULES = {"__init__", "catalog", "maintenance"}
SLACK_MARKUP = re.compile(r"<[@#!][A-Za-z]|(?<![\w:]):[a-z_+]+:(?![\w:])")


def test_the_import_contracts_hold():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "2 kept, 0 broken" in result.stdout


def test_the_core_writes_no_slack_markup():
    """Mentions, channel links, broadcasts and :emoji: codes belong to the Slack adapter."""
    found = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body
                      and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                if SLACK_MARKUP.search(node.value):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:60]!r}")
    assert not found, "\n".join(found)


def test_each_duty_has_one_name_in_core_adapter_and_schedules():
    core = {p.name for p in (ROOT / "bot").iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    for folder, shared in (("handlers", SHARED_HANDLERS), ("schedules", SHARED_SCHEDULES)):
        duties = {p.stem for p in (ROOT / folder).iterdir() if p.suffix == ".py" or (p / "__init__.py").exists()} - shared
        assert duties <= core, f"{folder}/ modules without a core package of the same name: {sorted(duties - core)}"


def test_every_catalogue_entry_is_used_by_name():
    """Keys are written out where they are used (no f-strings), so an unused one is dead text."""
    from bot.i18n import CATALOGUES
    source = "".join(path.read_text(encoding="utf-8") for folder in ("bot", "handlers", "schedules")
                     for path in (ROOT / folder).rglob("*.py") if "i18n" not in path.parts)
    unused = [key for key in CATALOGUES["en"] if f'"{key}"' not in source]
    assert unused == []
