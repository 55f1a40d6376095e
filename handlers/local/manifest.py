"""The message shortcuts the app declares in manifest.yml, for the page's message menu.

Read from the manifest beside the code (a checkout: how the README installs it), with no YAML
library (PyYAML is only a test dependency): the `shortcuts:` list is a flat list of small mappings.
An install without the manifest (a wheel) uses `KNOWN`, which tests/test_local_workspace.py keeps
equal to the manifest.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"
KNOWN = (("mark_as_answer", "Mark as answer"), ("flag_to_owners", "Flag to owners"), ("highlight", "Highlight"))
_FIELD = re.compile(r"^\s*(?:-\s+)?(name|type|callback_id):\s*(.+?)\s*$")


def parse_shortcuts(text: str) -> tuple[tuple[str, str], ...]:
    """(callback_id, name) of every `type: message` shortcut, in the manifest's order."""
    found: list[tuple[str, str]] = []
    inside, current = False, {}

    def close() -> None:
        if current.get("type") == "message" and current.get("callback_id") and current.get("name"):
            found.append((current["callback_id"], current["name"]))
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        if re.match(r"^\s*shortcuts:\s*$", line):
            inside, shortcuts_indent, current = True, indent, {}
            continue
        if not inside:
            continue
        if indent <= shortcuts_indent and not line.lstrip().startswith("-"):
            break  # the next key of `features`: the list is over
        if line.lstrip().startswith("-"):
            close()
            current = {}
        match = _FIELD.match(line)
        if match:
            current[match.group(1)] = match.group(2).strip("'\"")
    if inside:
        close()
    return tuple(found)


@lru_cache(maxsize=1)
def message_shortcuts() -> tuple[tuple[str, str], ...]:
    try:
        return parse_shortcuts(MANIFEST.read_text(encoding="utf-8")) or KNOWN
    except OSError:
        return KNOWN
