"""Message catalogues: every user-facing sentence, in English and French.

Services never hold sentences for users; they call `t(locale, key, **values)` and get a `Text`
(see `bot.messages`). Catalogue entries use the core's own small markup, not a platform's:
`**strong**`, `` `code` `` and `{placeholder}`. Inside code and strong spans nothing is replaced,
so `` `{user}` `` stays literal. A value is a plain string (shown as written, never parsed for
markup: user text is safe to pass), a part (`Mention`, `ChannelRef`…) or a whole `Text`.
A missing key in one language, or a placeholder nobody fills, is a test failure.
"""
from __future__ import annotations

import functools
import re

from ..messages import Part, Text, plain, text
from ..messages import Code, Strong
from . import en, fr

CATALOGUES: dict[str, dict[str, str]] = {"en": en.MESSAGES, "fr": fr.MESSAGES}
LOCALES = tuple(CATALOGUES)
DEFAULT_LOCALE = "en"

_TOKEN = re.compile(r"`([^`]+)`|\*\*(.+?)\*\*|\{([a-z_]+)\}")


@functools.lru_cache(maxsize=None)
def _compile(template: str) -> tuple:
    """The template as literal parts and ("placeholder", name) slots; parsed once per entry."""
    pieces: list = []
    position = 0
    for match in _TOKEN.finditer(template):
        if match.start() > position:
            pieces.append(template[position:match.start()])
        code, strong, name = match.groups()
        pieces.append(Code(code) if code is not None else Strong(strong) if strong is not None else ("slot", name))
        position = match.end()
    if position < len(template):
        pieces.append(template[position:])
    return tuple(pieces)


def t(locale: str | None, key: str, /, **values: str | Part | Text) -> Text:
    catalogue = CATALOGUES.get(locale or DEFAULT_LOCALE, CATALOGUES[DEFAULT_LOCALE])
    template = catalogue.get(key) or CATALOGUES[DEFAULT_LOCALE][key]
    parts = []
    for piece in _compile(template):
        if isinstance(piece, tuple) and piece and piece[0] == "slot":
            parts.append(values[piece[1]])  # KeyError: a caller forgot a placeholder
        else:
            parts.append(piece)
    return text(*parts)


def tp(locale: str | None, key: str, /, **values) -> str:
    """The entry as plain text (button labels, settings help)."""
    return plain(t(locale, key, **values))
