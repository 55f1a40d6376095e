"""Owner-written welcome templates: plain text with four placeholders, nothing else.

A template is user text, so it is never used as a format string: `{user}`, `{group}`, `{purpose}`
and `{owners}` are the only fields, `{{` and `}}` write a brace, and anything else in braces
(`{user:>50000000}`, `{user!r}`, `{foo}`, an unclosed `{`) is refused when the owner sets it, with
the placeholders listed. The text around the placeholders stays a plain string in the message
model, so it can never turn into a platform mention such as `<!channel>`.
"""
from __future__ import annotations

import re

from ..messages import Part, Text, text

PLACEHOLDERS = ("user", "group", "purpose", "owners")
MAX_TEMPLATE = 1200
MAX_USES = 2  # of each placeholder: a template of 100 `{purpose}` would make a welcome no platform takes
_PIECE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


class TemplateError(ValueError):
    """`problem` is shown to the owner: the offending piece."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


class TemplateTooLong(ValueError):
    def __init__(self, length: int):
        super().__init__(length)
        self.length = length
        self.limit = MAX_TEMPLATE


def parse_template(template: str) -> tuple:
    """Literal strings and ("slot", name) pieces; raises TemplateError."""
    if len(template) > MAX_TEMPLATE:
        raise TemplateTooLong(len(template))
    pieces: list = []
    position = 0
    for match in _PIECE.finditer(template):
        pieces.append(template[position:match.start()])
        token, name = match.group(0), match.group(1)
        if token in ("{{", "}}"):
            pieces.append(token[0])
        elif name is not None and name in PLACEHOLDERS:
            if pieces.count(("slot", name)) >= MAX_USES:
                raise TemplateError(f"{token} ×{MAX_USES + 1}")
            pieces.append(("slot", name))
        else:
            raise TemplateError(token[:40])
        position = match.end()
    pieces.append(template[position:])
    return tuple(piece for piece in pieces if piece != "")


def render_template(template: str, values: dict[str, str | Part | Text]) -> Text:
    return text(*(values[piece[1]] if isinstance(piece, tuple) else piece for piece in parse_template(template)))
