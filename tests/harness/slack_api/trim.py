"""Copy the part of Slack's published API specification this repository uses.

The spec checks (tests/harness/slack_spec.py) read the copies in this directory,
so a fresh clone runs every test without ../shared. Run this by hand, from the
repository root in the dev virtualenv (it imports the emulator for its method
table), whenever the emulator learns a method or the tests send a new event type:

    python tests/harness/slack_api/trim.py                 # reads ../shared/slack-api
    python tests/harness/slack_api/trim.py --source DIR    # reads another copy
    python tests/harness/slack_api/trim.py --check         # exit 1 if the copies here are stale

What it writes beside itself, from the full specs in the source directory:
  * web-api.openapi2.json: only the paths of the Web API methods the emulator
    answers (SlackEmulator.METHODS, which covers every method the bot calls: any
    other gets unknown_method), plus the definitions they reference.
  * events-api.asyncapi.json: only the topics of EVENT_TYPES, plus the schemas
    they reference.
  * event-wrapper.schema.json and LICENSE: copied unchanged (small, all used).
Each trimmed file records under "x-trimmed" what was asked for but is absent
from Slack's 2021 spec (bookmarks.list, app_home_opened, ...): the checks then
know those are newer than the spec rather than forgotten here.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Dict, Iterable, List, Set

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[2]
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "slack-api"

WEB_API_FILE = "web-api.openapi2.json"
EVENTS_API_FILE = "events-api.asyncapi.json"
EVENT_WRAPPER_FILE = "event-wrapper.schema.json"
COPIED_FILES = (EVENT_WRAPPER_FILE, "LICENSE")

# The event types the tests send (handlers/emulator/sender.py has a builder for each).
EVENT_TYPES = (
    "message",
    "member_joined_channel",
    "member_left_channel",
    "reaction_added",
    "reaction_removed",
    "app_home_opened",
    "pin_added",
    "pin_removed",
)


def web_api_methods() -> List[str]:
    from handlers.emulator import SlackEmulator  # the method table is the emulator's

    return sorted(SlackEmulator.METHODS)


def event_topic(event_type: str) -> str:
    # The asyncapi file names topics with dots: member_joined_channel -> member.joined.channel.
    return event_type.replace("_", ".")


def _refs(node: Any) -> Iterable[str]:
    """Every local "$ref" inside ``node``."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/"):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _keep_referenced(document: Dict[str, Any], roots: Any, section: List[str]) -> Dict[str, Any]:
    """The entries of ``document[section...]`` that ``roots`` reference, transitively."""
    table = document
    for part in section:
        table = table[part]
    prefix = "#/" + "/".join(section) + "/"
    kept: Dict[str, Any] = {}
    pending = list(_refs(roots))
    while pending:
        ref = pending.pop()
        if not ref.startswith(prefix):
            raise ValueError(f"unexpected reference {ref!r} (only {prefix}... is handled)")
        name = ref[len(prefix):]
        if name not in kept:
            kept[name] = table[name]
            pending.extend(_refs(table[name]))
    # In the source's order, so the copy reads like the original.
    return {name: value for name, value in table.items() if name in kept}


def trim_web_api(full: Dict[str, Any], methods: List[str]) -> Dict[str, Any]:
    paths = {path: operations for path, operations in full["paths"].items()
             if path.lstrip("/") in methods}
    trimmed = {key: value for key, value in full.items() if key not in ("paths", "definitions")}
    trimmed["paths"] = paths
    trimmed["definitions"] = _keep_referenced(full, paths, ["definitions"])
    found: Set[str] = {path.lstrip("/") for path in paths}
    trimmed["x-trimmed"] = {
        "from": f"../shared/slack-api/{WEB_API_FILE} (Slack's slack-api-specs), see README.md",
        "methods": sorted(found),
        "methods_not_in_spec": sorted(set(methods) - found),
    }
    return trimmed


def trim_events_api(full: Dict[str, Any], event_types: Iterable[str]) -> Dict[str, Any]:
    wanted = {event_topic(event_type): event_type for event_type in event_types}
    topics = {name: topic for name, topic in full["topics"].items() if name in wanted}
    trimmed = {key: value for key, value in full.items() if key not in ("topics", "components")}
    trimmed["topics"] = topics
    trimmed["components"] = {"schemas": _keep_referenced(full, topics, ["components", "schemas"])}
    trimmed["x-trimmed"] = {
        "from": f"../shared/slack-api/{EVENTS_API_FILE} (Slack's slack-api-specs), see README.md",
        "event_types": sorted(wanted[name] for name in topics),
        "event_types_not_in_spec": sorted(t for name, t in wanted.items() if name not in topics),
    }
    return trimmed


def _json_text(document: Dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def build(source: Path) -> Dict[str, str]:
    """File name -> the text it should have here."""
    def load(name: str) -> Dict[str, Any]:
        with open(source / name, encoding="utf-8") as handle:
            return json.load(handle)

    outputs = {
        WEB_API_FILE: _json_text(trim_web_api(load(WEB_API_FILE), web_api_methods())),
        EVENTS_API_FILE: _json_text(trim_events_api(load(EVENTS_API_FILE), EVENT_TYPES)),
    }
    for name in COPIED_FILES:
        outputs[name] = (source / name).read_text(encoding="utf-8")
    return outputs


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                        help=f"directory holding Slack's full specs (default {DEFAULT_SOURCE})")
    parser.add_argument("--check", action="store_true",
                        help="only compare: exit 1 if a copy here differs from a fresh trim")
    args = parser.parse_args(argv)
    if not (args.source / WEB_API_FILE).is_file():
        print(f"no {WEB_API_FILE} in {args.source}", file=sys.stderr)
        return 2
    outputs = build(args.source)
    stale = [name for name, text in outputs.items()
             if not (HERE / name).is_file() or (HERE / name).read_text(encoding="utf-8") != text]
    if args.check:
        for name in stale:
            print(f"stale: {name}", file=sys.stderr)
        return 1 if stale else 0
    for name, text in outputs.items():
        (HERE / name).write_text(text, encoding="utf-8")
        print(f"wrote {name} ({len(text):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
