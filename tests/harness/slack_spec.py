"""Contract checks against Slack's published API specifications.

The specs are the trimmed copies in ``tests/harness/slack_api/`` (the part of
Slack's published specs the bot and the emulator use; see the README there and
``trim.py``, which regenerates them). The ``SLACK_API_SPEC_DIR`` environment
variable points the checks elsewhere, e.g. at the full specs. A missing spec
fails the calling test (``pytest.fail``): no spec check is ever skipped.

Web API calls (``check_call``)
    * The method must exist in ``web-api.openapi2.json`` (Slack's 2021 spec).
      Methods added later (``bookmarks.*``, ...) fall back to slack_sdk: the
      method ``bookmarks.list`` is known if ``WebClient.bookmarks_list`` exists,
      and its keyword parameters are its arguments. Known to neither: problem.
      With the trimmed copy, a method slack_sdk knows must be listed in the
      copy's ``x-trimmed.methods_not_in_spec`` to fall back: otherwise the copy
      merely lacks it (re-run trim.py), which is reported as a problem.
    * Required arguments are the spec's ``required`` parameters plus the
      keyword parameters slack_sdk's method has no default for. ``token`` is
      never an argument: it travels in the Authorization header.
    * An argument is known if the spec lists it for that method OR the
      matching slack_sdk ``WebClient`` method names it explicitly. The 2021
      spec predates arguments such as chat.postMessage ``metadata``; the README
      makes slack_sdk's signatures the reference for what came later.
    * ``ARGS_ADDED_BY_CLIENT`` lists the few arguments accepted everywhere,
      each with the reason it appears on the wire.

Events (``check_event_envelope``, ``check_event``)
    * The outer envelope is validated with ``jsonschema`` against
      ``event-wrapper.schema.json``.
    * The inner event is validated against the ``events-api.asyncapi.json``
      topic for its type (``member_joined_channel`` -> topic
      ``member.joined.channel``). Every topic but ``message`` points at the
      generic wrapper, whose event schema only requires ``type`` and
      ``event_ts``; event types without a topic get that same generic check.
      The ``message`` topic's schema was generated from a single
      ``message_deleted`` sample, so its sample-only required fields are
      enforced for that subtype alone (see ``_MESSAGE_DELETED_ONLY``).
"""

from __future__ import annotations

import functools
import inspect
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Tuple, Union

import jsonschema
import pytest
from slack_sdk import WebClient

DEFAULT_SPEC_DIR = Path(__file__).resolve().parent / "slack_api"
SPEC_DIR_ENV = "SLACK_API_SPEC_DIR"

WEB_API_FILE = "web-api.openapi2.json"
EVENTS_API_FILE = "events-api.asyncapi.json"
EVENT_WRAPPER_FILE = "event-wrapper.schema.json"

# Arguments that may accompany any method, and why they show up on the wire.
ARGS_ADDED_BY_CLIENT: Dict[str, str] = {
    # Bolt builds each listener's WebClient with team_id=context.team_id, and
    # slack_sdk copies a client's team_id into every call's arguments
    # (WebClient default_params). Slack uses it to route org-wide app calls.
    "team_id": "added by Bolt's per-request WebClient (default_params)",
}

# Web API methods are checked; these recorded "methods" are not Web API calls.
NOT_WEB_API_METHODS = frozenset({"response_url"})

# In the asyncapi `message` schema, required only because the sample it was
# generated from was a message_deleted event.
_MESSAGE_DELETED_ONLY = frozenset({"deleted_ts", "subtype", "hidden", "previous_message"})


# ----------------------------------------------------------------- locating


def _spec_dir_candidate() -> Path:
    override = os.environ.get(SPEC_DIR_ENV)
    return (Path(override) if override else DEFAULT_SPEC_DIR).resolve()


def spec_dir() -> Optional[Path]:
    """The spec directory, or None when it isn't available."""
    directory = _spec_dir_candidate()
    return directory if (directory / WEB_API_FILE).is_file() else None


def require_spec_dir() -> Path:
    """The spec directory; fails the calling test when it is absent."""
    directory = spec_dir()
    if directory is None:
        pytest.fail(
            f"Slack API specs not found at {_spec_dir_candidate()} "
            f"(the copy lives in tests/harness/slack_api; check {SPEC_DIR_ENV})",
            pytrace=False,
        )
    return directory


def _load(name: str) -> Dict[str, Any]:
    # Locate on every call (a stat) so a missing spec always fails, even after
    # another test loaded it from elsewhere; parsing is cached per directory.
    return _parse(require_spec_dir(), name)


@functools.lru_cache(maxsize=None)
def _parse(directory: Path, name: str) -> Dict[str, Any]:
    with open(directory / name, encoding="utf-8") as handle:
        return json.load(handle)


# ----------------------------------------------------------------- Web API


@dataclass(frozen=True)
class MethodContract:
    """What a Web API method accepts; ``source`` says where we learned it."""

    method: str
    known: FrozenSet[str]
    required: FrozenSet[str]
    source: str


def _spec_methods() -> Dict[str, Tuple[FrozenSet[str], FrozenSet[str]]]:
    return _index_methods(require_spec_dir())


@functools.lru_cache(maxsize=None)
def _index_methods(directory: Path) -> Dict[str, Tuple[FrozenSet[str], FrozenSet[str]]]:
    methods = {}
    for path, operations in _parse(directory, WEB_API_FILE)["paths"].items():
        known, required = set(), set()
        for operation in operations.values():  # one verb per path in practice
            for parameter in operation.get("parameters", []):
                known.add(parameter["name"])
                if parameter.get("required"):
                    required.add(parameter["name"])
        methods[path.lstrip("/")] = (frozenset(known), frozenset(required))
    return methods


def _sdk_parameters(method: str) -> Optional[Tuple[FrozenSet[str], FrozenSet[str]]]:
    function = getattr(WebClient, method.replace(".", "_"), None)
    if not callable(function):
        return None
    named = [
        parameter
        for name, parameter in inspect.signature(function).parameters.items()
        if name != "self"
        and parameter.kind
        in (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]
    known = frozenset(parameter.name for parameter in named)
    required = frozenset(
        parameter.name for parameter in named if parameter.default is inspect.Parameter.empty
    )
    return known, required


def _missing_from_copy(method: str) -> Optional[str]:
    """Why ``method`` can't be checked because the trimmed copy lacks it, or None.

    A full spec has no ``x-trimmed``: there, absence means "newer than 2021".
    """
    document = _load(WEB_API_FILE)
    trimmed = document.get("x-trimmed")
    if trimmed is None or f"/{method}" in document["paths"]:
        return None
    if method in trimmed.get("methods_not_in_spec", ()):
        return None
    if _sdk_parameters(method) is None:
        return None  # not a real method at all: check_call says so
    return (
        f"{method}: not in the trimmed spec copy ({require_spec_dir()}); "
        f"teach the emulator the method, then re-run tests/harness/slack_api/trim.py"
    )


def documented_errors(method: str) -> FrozenSet[str]:
    """The ``error`` values the spec documents for ``method`` (empty if it has none)."""
    for operation in _load(WEB_API_FILE)["paths"].get(f"/{method}", {}).values():
        schema = operation.get("responses", {}).get("default", {}).get("schema", {})
        return frozenset(schema.get("properties", {}).get("error", {}).get("enum", ()))
    return frozenset()


def method_contract(method: str) -> Optional[MethodContract]:
    spec = _spec_methods().get(method)
    sdk = _sdk_parameters(method)
    if spec is None and sdk is None:
        return None
    known: set = set(ARGS_ADDED_BY_CLIENT)
    required: set = set()
    for found in (spec, sdk):
        if found is not None:
            known |= found[0]
            required |= found[1]
    source = "spec" if spec is not None else "slack_sdk"
    return MethodContract(method, frozenset(known), frozenset(required - {"token"}), source)


def check_call(method: str, args: Dict[str, Any]) -> List[str]:
    """Problems with calling Web API ``method`` with ``args`` (empty: fine)."""
    missing = _missing_from_copy(method)
    if missing:
        return [missing]
    contract = method_contract(method)
    if contract is None:
        return [
            f"{method}: unknown method (neither in Slack's Web API spec "
            f"nor a slack_sdk WebClient method)"
        ]
    problems = [
        f"{method}: missing required argument {name!r}"
        for name in sorted(contract.required)
        if args.get(name) in (None, "")
    ]
    problems += [
        f"{method}: unknown argument {name!r} (not in the {contract.source} contract)"
        for name in sorted(args)
        if name not in contract.known and name != "token"
    ]
    return problems


CallLike = Union[Any, Tuple[str, Dict[str, Any]]]


def assert_calls_match_spec(calls: Iterable[CallLike]) -> None:
    """Fail listing every problem in ``calls`` (emulator Calls or (method, args))."""
    problems: List[str] = []
    for index, call in enumerate(calls):
        method, args = (call if isinstance(call, tuple) else (call.method, call.args))
        if method in NOT_WEB_API_METHODS:
            continue
        problems += [f"call #{index}: {problem}" for problem in check_call(method, args)]
    if problems:
        raise AssertionError(
            "Web API calls do not match Slack's spec:\n  " + "\n  ".join(problems)
        )


# ------------------------------------------------------------------ Events


def _errors(schema: Dict[str, Any], instance: Any, label: str) -> List[str]:
    validator = jsonschema.Draft7Validator(schema)
    problems = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
        where = "".join(f"[{part!r}]" for part in error.absolute_path)
        problems.append(f"{label}{where}: {error.message}")
    return problems


def check_event_envelope(envelope: Dict[str, Any]) -> List[str]:
    """Problems with an event_callback envelope per event-wrapper.schema.json."""
    return _errors(_load(EVENT_WRAPPER_FILE), envelope, "envelope")


def _resolve(document: Dict[str, Any], schema: Dict[str, Any]) -> Dict[str, Any]:
    # The asyncapi file only uses local refs ("#/components/schemas/...").
    while "$ref" in schema:
        node: Any = document
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _event_schema(event_type: str, subtype: Optional[str]) -> Dict[str, Any]:
    document = _load(EVENTS_API_FILE)
    topic = document["topics"].get(event_type.replace("_", "."))
    if topic is None:
        # Not in the 2021 spec (app_home_opened, ...): every event still comes
        # in the generic wrapper, whose event part the wrapper schema defines.
        return _load(EVENT_WRAPPER_FILE)["properties"]["event"]
    payload = _resolve(document, topic["subscribe"]["payload"])
    schema = dict(payload["properties"]["event"])
    if event_type == "message" and subtype != "message_deleted":
        schema["required"] = [
            name for name in schema.get("required", []) if name not in _MESSAGE_DELETED_ONLY
        ]
    return schema


def check_event(event: Dict[str, Any]) -> List[str]:
    """Problems with an inner event per the asyncapi schema of its type."""
    event_type = event.get("type")
    if not isinstance(event_type, str) or not event_type:
        return ["event: missing 'type'"]
    schema = _event_schema(event_type, event.get("subtype"))
    return _errors(schema, event, f"event({event_type})")
