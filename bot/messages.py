"""What the core says, in no platform's markup.

A `Text` is a sequence of parts: plain strings (always shown exactly as written, user text included,
never parsed for markup), people (`Mention`), groups (`ChannelRef`), emphasis (`Strong`), commands
and values (`Code`) and links (`Link`). A `Message` is paragraphs of text, secondary notes and
buttons. Adapters render them: the Slack adapter to mrkdwn and Block Kit, a Teams or local adapter
to their own formats. Because user text is a plain part, an adapter can escape it, so nobody can
smuggle markup (`<!channel>`) through a purpose or a question.

Messages go into the outbox as JSON, so every part has a plain dict form.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Union


@dataclass(frozen=True)
class Mention:
    user_id: str


@dataclass(frozen=True)
class ChannelRef:
    channel_id: str


@dataclass(frozen=True)
class Strong:
    text: str


@dataclass(frozen=True)
class Code:
    text: str


@dataclass(frozen=True)
class Link:
    url: str
    label: str


Part = Union[str, Mention, ChannelRef, Strong, Code, Link]
Text = tuple  # tuple[Part, ...]


def text(*parts: Part | Iterable[Part]) -> Text:
    """Flatten parts and texts into one Text, merging neighbouring strings."""
    flat: list[Part] = []
    for part in parts:
        items = part if isinstance(part, tuple) else (part,)
        for item in items:
            if isinstance(item, str) and flat and isinstance(flat[-1], str):
                flat[-1] += item
            elif item != "":
                flat.append(item)
    return tuple(flat)


def join(texts: Iterable[Text | Part], separator: str = ", ") -> Text:
    out: list = []
    for index, item in enumerate(texts):
        if index:
            out.append(separator)
        out.append(item)
    return text(*out)


def people(user_ids: Iterable[str]) -> Text:
    return join((Mention(u) for u in user_ids), ", ")


def plain(value: Text | Part) -> str:
    """Readable plain text (logs, tests, lengths): people and groups by id."""
    parts = value if isinstance(value, tuple) else (value,)
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, Mention):
            out.append(f"@{part.user_id}")
        elif isinstance(part, ChannelRef):
            out.append(f"#{part.channel_id}")
        elif isinstance(part, Link):
            out.append(part.label or part.url)
        else:
            out.append(part.text)
    return "".join(out)


@dataclass(frozen=True)
class Button:
    label: str
    action_id: str
    value: str
    primary: bool = False


@dataclass(frozen=True)
class Actions:
    """A row of buttons about the paragraph above it (a checklist item's Keep / Unpin / Relabel)."""
    buttons: tuple = ()  # tuple[Button, ...]


@dataclass(frozen=True)
class Message:
    paragraphs: tuple = ()  # tuple[Text, ...]: the body
    notes: tuple = ()  # tuple[Text, ...]: secondary lines (shown smaller where the platform can)
    buttons: tuple = field(default=())  # tuple[Button, ...]: the message's own, at its end
    rows: tuple = field(default=())  # tuple[tuple[int, Actions], ...]: buttons under paragraph n

    @classmethod
    def of(cls, *paragraphs: Text, notes: Iterable[Text] = (), buttons: Iterable[Button] = (),
           rows: Iterable[tuple] = ()) -> "Message":
        return cls(tuple(paragraphs), tuple(notes), tuple(buttons), tuple(rows))

    def plain(self) -> str:
        return "\n".join(plain(p) for p in self.paragraphs + self.notes)

    def to_dict(self) -> dict:
        data = {"paragraphs": [_text_to_list(p) for p in self.paragraphs],
                "notes": [_text_to_list(p) for p in self.notes],
                "buttons": [b.__dict__.copy() for b in self.buttons]}
        if self.rows:
            data["rows"] = [[index, [b.__dict__.copy() for b in row.buttons]] for index, row in self.rows]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Message":
        return cls(tuple(_text_from_list(p) for p in data.get("paragraphs", [])),
                   tuple(_text_from_list(p) for p in data.get("notes", [])),
                   tuple(Button(**b) for b in data.get("buttons", [])),
                   tuple((index, Actions(tuple(Button(**b) for b in row))) for index, row in data.get("rows", [])))


_KINDS = {"mention": Mention, "channel": ChannelRef, "strong": Strong, "code": Code, "link": Link}
_NAMES = {kind: name for name, kind in _KINDS.items()}


def _text_to_list(value: Text) -> list:
    return [part if isinstance(part, str) else {"kind": _NAMES[type(part)], **part.__dict__} for part in value]


def _text_from_list(items: list) -> Text:
    parts = []
    for item in items:
        if isinstance(item, str):
            parts.append(item)
        else:
            fields = dict(item)
            parts.append(_KINDS[fields.pop("kind")](**fields))
    return tuple(parts)
