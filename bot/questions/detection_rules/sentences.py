"""A message as sentences to judge: what is not the author's own question is set aside first.

Quoted lines, code and links go (`bot.text.strip_markup`), then emoji. Quoted spans (a talk, a
book, a poll, an e-mail subject in quotes) and tokens where "?" is part of a pattern or an
operator (``^v\\d+(-rc)?$``, ``/users/:id?``, ``a?.b``) are *masked*: replaced by "_" of the same
length, so the rules see neither their words nor their "?", while the sentence shown in a summary
keeps them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ...text import fold, strip_markup

_QUOTED_LINE = re.compile(r"^[ \t]*>")
# Text emoticons; the lookarounds keep "10:30" and "re:Deploy" intact.
_EMOTICON = re.compile(r"(?<![\w:/])[:;=]-?[()DPpOo3/\\|\]\[]+(?![\w])")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?\u2026])\s+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
# A word keeps its inner apostrophes and hyphens: "quelqu'un", "est-ce",
# "a-t-il", "who's" are read as one unit. "_" is not a word: it is the mask.
_WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")
MASK = "_"

# Paired quotes on one line. A single quote opens only after a non-letter and closes only before
# one, so the apostrophes of "don't" and "l'équipe" never pair up.
_QUOTED_SPAN = re.compile(
    r"\"[^\"\n]{1,200}\"|\u201c[^\u201d\n]{1,200}\u201d|\u00ab[^\u00bb\n]{1,200}\u00bb"
    r"|(?<![\w'])'(?=\S)(?:[^'\n]|(?<=\w)'(?=\w)){1,200}?(?<=\S)'(?!\w)")
_QUOTE_CHARS = ("\"", "\u201c", "\u00ab", "'")
_WITH_QMARK = re.compile(r"\S*\?\S*")
# A "?" is a pattern's or an operator's when its token holds regex or glob metacharacters, starts
# like a path, joins snake_case, opens a group "(?:", or the "?" is glued to what follows
# ("colou?r", "?."); not to an emoticon ("Anyone?:)").
# "$" is left out: "C'est 20$?" is a price.
_PATTERN_TOKEN = re.compile(r"[\\^*+\[\]{}|=<>]|^\.?/|/\?|[^\W_]_[^\W_]|\(\?"
                            r"|\?(?:[\w=(\[]|\.(?!\.))")


def _mask_span(text: str, start: int, end: int) -> str:
    return text[:start] + MASK * (end - start) + text[end:]


def mask(line: str) -> str:
    """The line with quoted spans and pattern tokens replaced by "_" (same length)."""
    if "?" in line:
        for m in _WITH_QMARK.finditer(line):
            if _PATTERN_TOKEN.search(m.group()):
                line = _mask_span(line, m.start(), m.end())
    if any(q in line for q in _QUOTE_CHARS):
        line = _QUOTED_SPAN.sub(lambda m: MASK * len(m.group()), line)
    return line


_NON_ASCII = re.compile(r"[^\x00-\x7f]")  # "^" and "`" are the only ASCII symbols (Sk)


def _blank_symbol(match: re.Match) -> str:
    c = match.group()
    return " " if unicodedata.category(c) in ("So", "Sk", "Cf", "Co") or c == "\ufe0f" else c


def _blank_symbols(text: str) -> str:
    """Blank out pictographic emoji, skin tones, joiners, variation selectors and emoticons.

    Character for character, so that a masked line and the line as typed stay aligned.
    """
    text = _NON_ASCII.sub(_blank_symbol, text.replace("^", " ").replace("`", " "))
    return _EMOTICON.sub(lambda m: " " * len(m.group()), text)


def clean_lines(text: str) -> list[tuple[str, str]]:
    """(masked line, line as typed) for each line of the author's own words."""
    lines = []
    for line in text.splitlines():
        if line.lstrip().startswith(">>>"):
            break  # ">>>" quotes everything after it
        if not _QUOTED_LINE.match(line):
            lines.append(line)
    cleaned = strip_markup("\n".join(lines), keep_newlines=True).translate(_APOSTROPHES)
    # Masked before emoji are blanked: "^" and ":/" are symbols and emoticons to those rules.
    return [(_blank_symbols(mask(line)), _blank_symbols(line))
            for line in cleaned.splitlines() if line.strip()]


_CLOSERS = ")]}\"'\u00bb\u201d*_~ \t"


@dataclass
class Sentence:
    text: str               # masked: what the rules read
    shown: str              # as typed (quotes and patterns kept): what a summary shows
    words: list[str]        # folded words
    originals: list[str]    # same words as typed
    starts: list[int]       # where each word starts in text
    core: int = 0           # index of the first word after greetings/mentions

    @property
    def rest(self) -> list[str]:
        return self.words[self.core:]

    def ending(self) -> str:
        """The sentence's final mark: "?", "!", ".", ":" or "" (none, or "...")."""
        s = self.text.rstrip(_CLOSERS)
        run = len(s) - len(s.rstrip(".!?:;\u2026 "))
        tail = s[len(s) - run:] if run else ""
        if "?" in tail:
            return "?"
        if "!" in tail:
            return "!"
        if tail.strip() == ".":
            return "."
        if ":" in tail or ";" in tail:
            return ":"
        return ""

    def text_after(self, index: int) -> str:
        """The text following word ``index``, leading spaces removed."""
        return self.text[self.starts[index] + len(self.originals[index]):].lstrip()

    def after_core(self, shown: bool = False) -> str:
        if self.core >= len(self.words):
            return ""
        return (self.shown if shown else self.text)[self.starts[self.core]:]

    def last_clause(self) -> Sentence | None:
        """The words after the sentence's last comma (two at least), as a sentence of their own.

        Chat questions often come after the context: "Le VPN est down, une idée",
        "I can't log in, anyone else".
        """
        cut = self.text.rfind(",")
        if cut < 0:
            return None
        first = next((i for i, start in enumerate(self.starts) if start > cut), None)
        if first is None or first < self.core or len(self.words) - first < 2:
            return None
        offset = self.starts[first]
        return Sentence(text=self.text[offset:], shown=self.shown[offset:],
                        words=self.words[first:], originals=self.originals[first:],
                        starts=[start - offset for start in self.starts[first:]])


def _sentence(text: str, shown: str) -> Sentence:
    matches = list(_WORD.finditer(text))
    sentence = Sentence(text=text, shown=shown,
                        words=[fold(m.group()) for m in matches],
                        originals=[m.group() for m in matches],
                        starts=[m.start() for m in matches])
    sentence.core = _skip_greetings(sentence.words)
    return sentence


def split(text: str) -> list[Sentence]:
    out = []
    for masked, line in clean_lines(text or ""):
        start = 0
        for brk in [*_SENTENCE_BREAK.finditer(masked), None]:
            end = brk.start() if brk else len(masked)
            part = masked[start:end]
            lead = len(part) - len(part.lstrip())
            part = part.strip()
            if part:
                a = start + lead
                out.append(_sentence(part, line[a:a + len(part)]))
            if brk:
                start = brk.end()
    return out


class Phrases:
    """Word sequences looked up by their first word: every sentence is tried against them."""

    def __init__(self, phrases):
        by_first: dict[str, list[list[str]]] = {}
        for phrase in phrases:
            by_first.setdefault(phrase[0], []).append(list(phrase))
        self._by_first = {w: sorted(ps, key=len, reverse=True) for w, ps in by_first.items()}
        self.first_words = frozenset(self._by_first)

    def match(self, words: list[str], at: int = 0) -> int:
        """Length of the longest phrase found at words[at:], 0 if none."""
        for phrase in self._by_first.get(words[at], ()) if at < len(words) else ():
            if words[at:at + len(phrase)] == phrase:
                return len(phrase)
        return 0


def match_any(words: list[str], at: int, phrases: Phrases) -> int:
    """Length of the longest phrase found at words[at:], 0 if none."""
    return phrases.match(words, at)


# --- Greetings ---------------------------------------------------------------

_GREETINGS = Phrases([
    ("good", "morning"), ("good", "afternoon"), ("good", "evening"),
    ("hi",), ("hello",), ("hey",), ("heya",), ("hiya",), ("yo",), ("morning",), ("gm",),
    ("bonjour",), ("bonsoir",), ("salut",), ("coucou",), ("hello",), ("re",), ("hola",),
])
_AUDIENCES = Phrases([
    ("tout", "le", "monde"), ("a", "tous"), ("a", "toutes"), ("a", "tous", "et", "toutes"),
    ("la", "team"), ("l'equipe",), ("les", "amis"), ("les", "gens"), ("the", "team"),
    ("all",), ("everyone",), ("everybody",), ("team",), ("folks",), ("guys",), ("there",),
    ("y'all",), ("people",), ("friends",), ("tous",), ("la", "compagnie"),
])


def _skip_greetings(words: list[str]) -> int:
    i = 0
    while i < len(words):
        n = match_any(words, i, _GREETINGS)
        if not n:
            break
        i += n
        i += match_any(words, i, _AUDIENCES)
    return i
