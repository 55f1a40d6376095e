"""Message catalogues: every user-facing sentence, in English and French.

Handlers and jobs never hold string literals for users; they call `t(locale, key, **values)`.
A missing key in one language is a test failure, not a runtime surprise.
"""
from __future__ import annotations

from . import en, fr

CATALOGUES: dict[str, dict[str, str]] = {"en": en.MESSAGES, "fr": fr.MESSAGES}
LOCALES = tuple(CATALOGUES)
DEFAULT_LOCALE = "en"


def t(locale: str | None, key: str, /, **values) -> str:
    catalogue = CATALOGUES.get(locale or DEFAULT_LOCALE, CATALOGUES[DEFAULT_LOCALE])
    template = catalogue.get(key) or CATALOGUES[DEFAULT_LOCALE][key]
    return template.format(**values) if values else template
