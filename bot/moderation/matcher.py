"""Phrases that never hang the bot: word-bounded, folded, with a simple `*`, matched in linear time.

Owners write rules in plain words. No regular expression is ever built from them (Python's `re`
backtracks, and a pattern such as `(a+)+$` can take exponential time): a rule is cut into words,
and each word is matched by hand.

- Text and phrases are folded (`bot.text.fold`: case, accents, typographic apostrophes), rid of
  invisible characters (a zero-width space inside "idiot" hides nothing), and cut into words:
  runs of letters and digits. Everything else separates words, so `casse-toi` is the
  two words `casse toi`, and `l'idiot` holds the word `idiot`.
- A phrase matches a run of whole words of the text, in order: `shut up` matches "Shut up!" but
  never "shutup" or "shut upstairs".
- `*` inside a word stands for any letters or digits, none included: `idiot*` matches "idiots"
  and "idiotic"; `*` alone is any one word: `buy * now` matches "buy cheap now". It never crosses
  a word's edge.

Cost. A word with `*` is checked like a glob: its first piece must start the word, its last must
end it, and the pieces between are found left to right, each from where the previous one ended
(the leftmost place is always the right one, so there is never anything to undo). A phrase is
checked at each text word where its anchor word matches, so a text is matched in time linear in
its length, times the phrase's few words. Phrases are bounded (`MAX_PHRASE` characters,
`MAX_WORDS` words).

`Anchors` are what the acknowledgement path looks for before deciding whether a message must be
journalled (see `Prefilter`): for each rule, its longest literal piece, as a whole word, a word
start, a word end or a piece anywhere inside a word. A text that holds none of them matches no
rule; one that holds one may (it is then matched properly, later, on its lane).
"""
from __future__ import annotations

import re
import threading
import weakref
from dataclasses import dataclass

from ..text import STOP_WORDS, fold

MAX_PHRASE = 100  # characters: a phrase, not a paragraph
MAX_WORDS = 10
# Up to this many pieces found anywhere inside a word (`*uck*`), the ack path's filter looks for each
# one in the text (a loop in C, faster for a few); beyond, it looks up the text's letters in an index.
DIRECT_INSIDE_PIECES = 16
MIN_LITERAL = 2  # the longest literal piece of a rule: `*` or `a*` alone would match nearly anything

# A fixed pattern, ours, on the text (never on a rule): one word is a run of letters and digits.
_WORD = re.compile(r"[^\W_]+")
# For ASCII text the same cut is a translate and a split, several times faster than `findall`.
_ASCII_SEPARATORS = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})
# Unicode's default-ignorable code points: zero-width spaces and joiners, the soft hyphen, direction
# marks, variation selectors, tags. They show nothing, so "id\u200biot" reads "idiot": they are
# dropped, not taken as a separator, or any rule could be dodged with one invisible character.
_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
                        "\U000e0000-\U000e0fff]")


def words(text: str) -> list[str]:
    """The folded words of a text (invisible characters dropped)."""
    if text.isascii():
        return text.lower().translate(_ASCII_SEPARATORS).split()
    return _WORD.findall(_INVISIBLE.sub("", fold(text)))


class BadPhrase(ValueError):
    """Why a phrase cannot be a rule: "empty", "too_long", "too_many_words", "too_vague" or
    "too_common" (`example`: an everyday word it matches)."""

    def __init__(self, reason: str, example: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.example = example


@dataclass(frozen=True)
class WordPattern:
    pieces: tuple[str, ...]  # literal pieces between the stars; one piece: no star at all

    @property
    def literal(self) -> bool:
        return len(self.pieces) == 1

    def matches(self, word: str) -> bool:
        """A glob over one word, in time linear in the word."""
        pieces = self.pieces
        if len(pieces) == 1:
            return word == pieces[0]
        first, last = pieces[0], pieces[-1]
        end = len(word) - len(last)
        if end < len(first) or not word.startswith(first) or not word.endswith(last):
            return False
        position = len(first)
        for piece in pieces[1:-1]:
            if not piece:
                continue
            found = word.find(piece, position, end)
            if found < 0:
                return False
            position = found + len(piece)
        return True

    def __str__(self) -> str:
        return "*".join(self.pieces)


def _word_pattern(word: str) -> WordPattern:
    pieces = word.split("*")
    collapsed = [pieces[0]] + [p for p in pieces[1:-1] if p] + ([pieces[-1]] if len(pieces) > 1 else [])
    return WordPattern(tuple(collapsed))


@dataclass(frozen=True)
class Anchor:
    kind: str  # "word", "start", "end" or "inside"
    text: str


@dataclass(frozen=True)
class Rule:
    """One phrase, parsed. `phrase` is what the owner wrote (shown back); `normal` the folded words."""
    phrase: str
    words: tuple[WordPattern, ...]
    source: str = "group"  # "group" or "default"

    @property
    def normal(self) -> str:
        return " ".join(str(word) for word in self.words)

    def anchor(self) -> tuple[int, Anchor]:
        """The word to look for first (its position in the phrase) and its longest literal piece."""
        best = None
        for index, word in enumerate(self.words):
            for number, piece in enumerate(word.pieces):
                if word.literal:
                    candidate = Anchor("word", piece)
                elif number == 0:
                    candidate = Anchor("start", piece)
                elif number == len(word.pieces) - 1:
                    candidate = Anchor("end", piece)
                else:
                    candidate = Anchor("inside", piece)
                # A whole word is the most selective; among pieces, the longest.
                score = (candidate.kind == "word", len(piece))
                if piece and (best is None or score > best[0]):
                    best = (score, index, candidate)
        assert best is not None  # parse() refuses a rule without a literal piece
        return best[1], best[2]

    def matches_at(self, text_words: list[str], start: int) -> bool:
        if start < 0 or start + len(self.words) > len(text_words):
            return False
        return all(pattern.matches(text_words[start + offset]) for offset, pattern in enumerate(self.words))


def parse(phrase: str, source: str = "group") -> Rule:
    """A rule from what an owner wrote; raises BadPhrase."""
    phrase = " ".join(phrase.split())
    if not phrase:
        raise BadPhrase("empty")
    if len(phrase) > MAX_PHRASE:
        raise BadPhrase("too_long")
    parsed = [_word_pattern(word) for word in _starred(phrase)]
    if not parsed:
        raise BadPhrase("too_vague")
    if len(parsed) > MAX_WORDS:
        raise BadPhrase("too_many_words")
    if max(len(piece) for word in parsed for piece in word.pieces) < MIN_LITERAL:
        raise BadPhrase("too_vague")
    return Rule(phrase, tuple(parsed), source)


_EVERYDAY = sorted(STOP_WORDS)


def everyday_word(rule: Rule) -> str | None:
    """An everyday French or English word (grammar and chat filler, `bot.text.STOP_WORDS`) that the
    rule's most telling word matches, when each of its words matches one: such a rule (`th*`,
    `*ing`, `de la`) would report nearly every message. None for a rule with a word that tells."""
    examples = []
    for word in rule.words:
        examples.append(next((common for common in _EVERYDAY if word.matches(common)), None))
        if examples[-1] is None:
            return None
    return examples[rule.anchor()[0]]


def _starred(phrase: str) -> list[str]:
    """The folded words of a phrase, stars kept inside the word they touch: anything but a letter,
    a digit or a star cuts words, and invisible characters are dropped, as in `words` (`f*ck-off`
    is `f*ck off`; `*` alone is a word)."""
    out, current = [], ""
    for char in _INVISIBLE.sub("", fold(phrase)):
        if char == "*" or char.isalnum():
            current += char
        elif current:
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return out


class Matcher:
    """A set of rules, indexed by their anchors: which rules a text matches, linear in the text."""

    def __init__(self, rules: list[Rule]):
        self.rules = list(rules)
        self._by_word: dict[str, list[tuple[Rule, int]]] = {}
        by_kind: dict[str, list[tuple[str, tuple[Rule, int]]]] = {"start": [], "end": [], "inside": []}
        for rule in self.rules:
            index, anchor = rule.anchor()
            if anchor.kind == "word":
                self._by_word.setdefault(anchor.text, []).append((rule, index))
            else:
                by_kind[anchor.kind].append((anchor.text, (rule, index)))
        # Anchored on a word with a star: by the first (last) letters of its literal start (end), so
        # a word is looked up, not checked against every such rule; pieces inside words, one by one.
        self._start_k, self._by_start = affix_index(by_kind["start"], head=True)
        self._end_k, self._by_end = affix_index(by_kind["end"], head=False)
        self._inside = by_kind["inside"]

    def matching(self, text: str) -> list[Rule]:
        """The rules the text matches, each once, in the order they were given."""
        text_words = words(text)
        found: set[int] = set()
        for position, word in enumerate(text_words):
            candidates = list(self._by_word.get(word, ()))
            if self._by_start:
                candidates += [value for piece, value in self._by_start.get(word[:self._start_k], ()) if word.startswith(piece)]
            if self._by_end:
                candidates += [value for piece, value in self._by_end.get(word[-self._end_k:], ()) if word.endswith(piece)]
            candidates += [value for piece, value in self._inside if piece in word]
            for rule, index in candidates:
                if id(rule) not in found and rule.words[index].matches(word) and rule.matches_at(text_words, position - index):
                    found.add(id(rule))
        return [rule for rule in self.rules if id(rule) in found]


def affix_index(pairs: list[tuple[str, object]], head: bool) -> tuple[int, dict[str, tuple]]:
    """(piece, value) pairs by the first (`head`) or last `k` letters of the piece, `k` the shortest
    piece's length: a word then needs one slice and one look-up, whatever the number of pieces."""
    if not pairs:
        return 0, {}
    k = min(len(piece) for piece, _ in pairs)
    found: dict[str, list] = {}
    for piece, value in pairs:
        found.setdefault(piece[:k] if head else piece[-k:], []).append((piece, value))
    return k, {key: tuple(values) for key, values in found.items()}


@dataclass(frozen=True)
class Anchors:
    """Literal pieces to look for in a text, by kind (see `Rule.anchor`)."""
    whole: frozenset = frozenset()
    starts: frozenset = frozenset()
    ends: frozenset = frozenset()
    inside: frozenset = frozenset()

    @classmethod
    def of(cls, rules: list[Rule]) -> "Anchors":
        kinds: dict[str, set[str]] = {"word": set(), "start": set(), "end": set(), "inside": set()}
        for rule in rules:
            anchor = rule.anchor()[1]
            kinds[anchor.kind].add(anchor.text)
        return cls(frozenset(kinds["word"]), frozenset(kinds["start"]), frozenset(kinds["end"]), frozenset(kinds["inside"]))

    @staticmethod
    def union_of(many: list["Anchors"]) -> "Anchors":
        """One pass over all of them (a union per pair would copy the growing sets again and again)."""
        return Anchors(*(frozenset().union(*(getattr(anchors, kind) for anchors in many))
                         for kind in ("whole", "starts", "ends", "inside")))


class Prefilter:
    """What the acknowledgement path asks: could this text match any rule of any group?

    It holds the anchors of every rule the running services know (each publishes its groups'
    anchors when they change), plus the default list's. No false negatives: a text that matches a
    rule holds that rule's anchor. False positives (an anchor word in an unmanaged channel, or in
    a different phrase) only cost a journal sync. Reads take no lock: the union is rebuilt on each
    change and swapped in whole."""

    def __init__(self, base: Anchors = Anchors()):
        self._lock = threading.Lock()
        self._base = base
        self._published: "weakref.WeakKeyDictionary[object, dict[str, Anchors]]" = weakref.WeakKeyDictionary()
        self._snapshot = self._compile(base)

    def publish(self, owner: object, anchors_by_group: dict[str, Anchors]) -> None:
        """Replace these groups' anchors (all of a service's groups at start: one union, not one per group)."""
        with self._lock:
            self._published.setdefault(owner, {}).update(anchors_by_group)
            every = [self._base] + [anchors for groups in self._published.values() for anchors in groups.values()]
            self._snapshot = self._compile(Anchors.union_of(every))

    @staticmethod
    def _compile(anchors: Anchors) -> tuple:
        """Word starts and ends indexed by their first (last) `k` letters, `k` the shortest one's
        length: one slice and one look-up per word, whatever the number of rules. Pieces inside
        words are indexed the same way (one look-up per `k` letters of the text) once there are
        more than a few of them; fewer are looked for directly, which is faster."""
        def index(pieces: frozenset, head: bool) -> tuple[int, dict]:
            k, found = affix_index([(piece, piece) for piece in pieces], head)
            return k, {key: tuple(piece for piece, _ in pairs) for key, pairs in found.items()}
        inside = index(anchors.inside, True) if len(anchors.inside) > DIRECT_INSIDE_PIECES else (0, tuple(anchors.inside))
        return (anchors.whole, *index(anchors.starts, True), *index(anchors.ends, False), *inside)

    def may_match(self, text: str) -> bool:
        whole, start_k, starts, end_k, ends, inside_k, inside = self._snapshot
        text_words = words(text)
        if not whole.isdisjoint(text_words):
            return True
        if starts or ends:
            for word in text_words:
                candidates = starts.get(word[:start_k]) if starts else None
                if candidates and any(word.startswith(piece) for piece in candidates):
                    return True
                candidates = ends.get(word[-end_k:]) if ends else None
                if candidates and any(word.endswith(piece) for piece in candidates):
                    return True
        if isinstance(inside, dict):  # indexed by their first `inside_k` letters
            for word in text_words:
                for at in range(len(word) - inside_k + 1):
                    candidates = inside.get(word[at:at + inside_k])
                    if candidates and any(word.startswith(piece, at) for piece in candidates):
                        return True
        elif inside:  # a piece never holds a space: it cannot match across two words
            folded = " ".join(text_words)
            return any(piece in folded for piece in inside)
        return False
