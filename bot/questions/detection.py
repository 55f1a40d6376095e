"""Does a top-level chat message ask a question? (French and English)

A message asks when one of its sentences does. A sentence asks when either

* it ends with "?" (after code, emoji and closing punctuation such as
  ")" or "!" are set aside) and has at least two words: a lone "Really?" or
  "Quoi ?" is a reaction, not something to route to an expert; or
* it starts, once greetings ("hi all", "bonjour à tous") are skipped, with a
  question form: an auxiliary before its subject ("can we", "does anyone"),
  French inversion ("peut-on", "savez-vous", "y a-t-il"), "est-ce que", an
  interrogative word ("how", "pourquoi") or a help-seeking phrase ("any idea",
  "quelqu'un sait", "petite question").

Forms are graded because people drop the "?" in chat but also start plenty of
statements with the same words:

* strong forms (inversion, "est-ce que", "how do I") ask even when the
  sentence ends with "." or ":" ("Anyone know why I get this error:" + code);
* weak forms (a bare interrogative word, "on peut", "une idée") ask only when
  the sentence has no final "." or ":", and not when they read as a
  subordinate clause ("When the build finishes, I'll deploy."), a headline
  ("How we shipped v2", "Comment nous avons migré") or an exclamation
  ("What a launch", "Quelle galère");
* nothing that ends with "!" is taken for a question by its first words.

A short "?" sentence followed by an instruction is an announcement's hook
("Need help? Ask in #support."), not a question. Quoted lines ("> ...") are
somebody else's words and are ignored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..text import fold, strip_markup

__all__ = ["looks_like_question", "question_summary"]

# --- Cleaning and sentence splitting ----------------------------------------

_QUOTED_LINE = re.compile(r"^[ \t]*>")
_THREAD_MARK = re.compile("\U0001F9F5")  # 🧵: "thread below", a headline
# Text emoticons; the lookarounds keep "10:30" and "re:Deploy" intact.
_EMOTICON = re.compile(r"(?<![\w:/])[:;=]-?[()DPpOo3/\\|\]\[]+(?![\w])")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?\u2026])\s+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
# A word keeps its inner apostrophes and hyphens: "quelqu'un", "est-ce",
# "a-t-il", "who's" are read as one unit.
_WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")
_COLON = re.compile(r":(?!\d)")  # a title's colon, not the one in "10:30"
_CLOSERS = ")]}\"'\u00bb\u201d*_~ \t"


def _drop_symbols(text: str) -> str:
    """Remove pictographic emoji, skin tones, joiners and variation selectors."""
    return "".join(
        " " if unicodedata.category(c) in ("So", "Sk", "Cf", "Co") or c == "\ufe0f" else c
        for c in text
    )


def _clean_lines(text: str) -> list[str]:
    lines = []
    for line in text.splitlines():
        if line.lstrip().startswith(">>>"):
            break  # ">>>" quotes everything after it
        if not _QUOTED_LINE.match(line):
            lines.append(line)
    cleaned = strip_markup("\n".join(lines), keep_newlines=True)
    cleaned = _EMOTICON.sub(" ", _drop_symbols(cleaned)).translate(_APOSTROPHES)
    return [line for line in cleaned.splitlines() if line.strip()]


@dataclass
class _Sentence:
    text: str
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

    def after_core(self) -> str:
        if self.core >= len(self.words):
            return ""
        return self.text[self.starts[self.core]:]


def _sentences(text: str) -> list[_Sentence]:
    out = []
    for line in _clean_lines(text or ""):
        for part in _SENTENCE_BREAK.split(line):
            part = part.strip()
            if not part:
                continue
            matches = list(_WORD.finditer(part))
            sentence = _Sentence(
                text=part,
                words=[fold(m.group()) for m in matches],
                originals=[m.group() for m in matches],
                starts=[m.start() for m in matches],
            )
            sentence.core = _skip_greetings(sentence.words)
            out.append(sentence)
    return out


# --- Greetings ---------------------------------------------------------------

_GREETINGS = [
    ("good", "morning"), ("good", "afternoon"), ("good", "evening"),
    ("hi",), ("hello",), ("hey",), ("heya",), ("hiya",), ("yo",), ("morning",), ("gm",),
    ("bonjour",), ("bonsoir",), ("salut",), ("coucou",), ("hello",), ("re",), ("hola",),
]
_AUDIENCES = [
    ("tout", "le", "monde"), ("a", "tous"), ("a", "toutes"), ("a", "tous", "et", "toutes"),
    ("la", "team"), ("l'equipe",), ("les", "amis"), ("les", "gens"), ("the", "team"),
    ("all",), ("everyone",), ("everybody",), ("team",), ("folks",), ("guys",), ("there",),
    ("y'all",), ("people",), ("friends",), ("tous",), ("la", "compagnie"),
]


def _match_any(words: list[str], at: int, phrases) -> int:
    """Length of the longest phrase found at words[at:], 0 if none."""
    best = 0
    for phrase in phrases:
        n = len(phrase)
        if n > best and tuple(words[at:at + n]) == phrase:
            best = n
    return best


def _skip_greetings(words: list[str]) -> int:
    i = 0
    while i < len(words):
        n = _match_any(words, i, _GREETINGS)
        if not n:
            break
        i += n
        i += _match_any(words, i, _AUDIENCES)
    return i


# --- Vocabulary --------------------------------------------------------------

_EN_WH = {"how", "why", "when", "where", "who", "what", "which", "whose", "whom"}
_FR_WH = {"comment", "pourquoi", "quand", "ou", "qui", "quel", "quelle", "quels",
          "quelles", "combien", "lequel", "laquelle", "lesquels", "lesquelles", "que", "quoi"}
# Auxiliaries that only start a statement when the subject is dropped
# ("Is live now!", "Has been merged."), so a few non-subjects veto them.
_BE_DO = {"does", "did", "is", "are", "was", "were", "am", "doesn't", "didn't", "isn't",
          "aren't", "wasn't", "weren't", "has", "hasn't"}
_NOT_SUBJECT = {"not", "been", "being", "done", "gonna", "going", "also", "now", "still",
                "just", "back", "live", "out", "over", "up", "down", "a", "an", "fixed",
                "ready", "merged", "deployed", "available"}
# Auxiliaries that also start imperatives ("Do not merge", "Have a look") or
# elliptic replies ("Can confirm", "Should be fixed") unless a subject follows.
_IMPERATIVE_AUX = {"do", "don't", "have", "haven't", "had"}
_MODALS = {"can", "could", "would", "should", "will", "may", "might", "shall", "can't",
           "couldn't", "wouldn't", "shouldn't", "won't"}
_AUX = _BE_DO | _IMPERATIVE_AUX | _MODALS
_PRONOUNS = {"i", "you", "we", "they", "he", "she", "it", "there", "someone", "somebody",
             "anyone", "anybody", "everyone", "everybody", "people", "folks", "y'all", "u",
             "ya", "ppl"}
_DETERMINERS = {"the", "this", "that", "these", "those", "my", "our", "your", "their",
                "his", "her", "its", "any", "some", "one", "all", "each"}
# Headline style: "How we shipped v2", "What I learned", "Why you should...".
_EN_HEADLINE_SUBJECTS = {"i", "we", "you", "they", "i'm", "we're", "we've", "i've", "you'll",
                         "you're", "i'd", "we'd"}
_SUBORDINATORS = {"when", "where", "while", "whenever", "wherever", "once"}
_HEADLINE_WORDS = {"thread", "guide", "tutorial", "tips", "recap", "lessons", "learned",
                   "announcement", "rex", "retour", "fil", "howto", "how-to", "checklist"}
_FR_SUBJECTS = {"je", "tu", "il", "elle", "on", "nous", "vous", "ils", "elles", "ca", "c'est",
                "cela"}
_FR_FIRST_PERSON = {"je", "on", "nous"}
_FR_COMPOUND_AUX = {"a", "ai", "avons", "avait", "avions", "est", "sommes", "suis", "etait",
                    "etions"}
_FR_EXCLAMATIONS = {"galere", "plaisir", "bonheur", "journee", "semaine", "chance", "dommage",
                    "horreur", "merveille", "soulagement", "honte", "aventure", "bazar",
                    "surprise", "joie", "equipe", "talent", "boulot"}
_FR_INVERSION = re.compile(r"^[a-z]+-(?:t-)?(?:tu|on|il|elle|ils|elles|je)$")
_FR_STRONG_VOUS = {"savez-vous", "avez-vous", "auriez-vous", "connaissez-vous",
                   "pourriez-vous", "sauriez-vous", "pouvez-vous", "voulez-vous",
                   "pensez-vous", "utilisez-vous", "faites-vous", "croyez-vous"}
_SOMEONE_FR = {"quelqu'un", "qqn", "qqun", "quelqu'une"}
_SOMEONE_FR_STRONG = {"sait", "saurait", "connait", "aurait", "pourrait", "saurais"}
_ANYONE_EN = {"anyone", "anybody"}
_ANYONE_NOT_ASKING = {"who", "that", "with", "in", "on", "at", "from", "can't", "interested"}

_STRONG_PHRASES = [
    ("i", "have", "a", "question"), ("i've", "got", "a", "question"), ("i", "got", "a", "question"),
    ("j'ai", "une", "question"), ("j'ai", "une", "petite", "question"),
    ("quick", "question"), ("small", "question"), ("dumb", "question"), ("silly", "question"),
    ("stupid", "question"), ("random", "question"), ("newbie", "question"), ("noob", "question"),
    ("petite", "question"), ("question", "rapide"), ("question", "bete"), ("question", "con"),
    ("une", "petite", "question"), ("quick", "one"),
    ("is", "it", "possible"), ("is", "there"), ("are", "there"),
    ("do", "you", "know"), ("does", "anyone"), ("does", "anybody"), ("has", "anyone"),
    ("did", "anyone"),
]
_WEAK_PHRASES = [
    ("any", "idea"), ("any", "ideas"), ("any", "thoughts"), ("any", "tips"), ("any", "advice"),
    ("any", "recommendations"), ("any", "suggestions"), ("any", "pointers"), ("any", "update"),
    ("wondering",), ("i'm", "wondering"), ("i", "was", "wondering"), ("just", "wondering"),
    ("i", "wonder"), ("curious", "if"), ("curious", "whether"), ("curious", "how"),
    ("i'd", "like", "to", "know"), ("i", "would", "like", "to", "know"),
    ("on", "peut"), ("on", "pourrait"), ("peut", "on"), ("il", "y", "a", "moyen"),
    ("y", "a", "moyen"), ("y'a", "moyen"), ("une", "idee"), ("des", "idees"), ("une", "piste"),
    ("des", "pistes"), ("des", "conseils"), ("un", "conseil"),
    ("je", "me", "demande"), ("je", "me", "demandais"),
    ("j'aimerais", "savoir"), ("je", "voudrais", "savoir"), ("je", "cherche", "a", "savoir"),
    ("tu", "sais"), ("vous", "savez"), ("tu", "connais"), ("vous", "connaissez"),
    ("c'est", "quoi"), ("c'est", "possible"), ("c'est", "normal"),
]
# "Question about X:" / "Une question sur X" announce a question; "A question
# came up in the retro" does not, hence the list of words that may follow.
_QUESTION_NOUN_FOLLOWERS = {"about", "for", "on", "regarding", "re", "sur", "pour",
                            "concernant", "a", "de", "du", "rapide"}
# First words of the instruction that follows an announcement's hook.
_INSTRUCTIONS = {
    "ask", "try", "join", "check", "contact", "ping", "reach", "see", "read", "head", "come",
    "grab", "sign", "register", "visit", "drop", "click", "follow", "email", "dm", "message",
    "post", "book", "bring", "find", "here's", "here", "learn", "meet", "swing", "reply",
    "write", "tell", "hit", "use", "don't", "let", "submit", "fill", "open",
    "ecrivez", "ecris", "contactez", "rejoignez", "inscrivez", "venez", "passez", "demandez",
    "consultez", "lisez", "cliquez", "essayez", "utilisez", "n'hesitez", "rdv", "rendez",
    "voici", "voila", "c'est", "direction", "pensez", "allez", "repondez", "remplissez",
    "ouvrez", "suivez", "tout",
}
_IN_SITU_FR = {"comment", "quand", "ou", "quoi", "combien", "pourquoi", "lequel", "laquelle"}
_IN_SITU_NEXT = {"pour", "exactement", "alors"}
_IN_SITU_VETO = {"pas", "sais", "explique", "montre", "dis", "dire", "savoir", "voir"}


# --- Rules -------------------------------------------------------------------

NONE, WEAK, STRONG = 0, 1, 2


def _starts_with(words: list[str], phrases) -> bool:
    return _match_any(words, 0, phrases) > 0


def _fr_inversion(words: list[str]) -> int:
    """Inversion or "est-ce que" among the first words."""
    for w in words[:4]:
        if "est-ce" in w:
            return STRONG
        if w in _FR_STRONG_VOUS:
            return STRONG
        if _FR_INVERSION.match(w):
            return STRONG
        if w.endswith("-vous") and w != "rendez-vous":
            # "Connaissez-vous" asks, "Inscrivez-vous" instructs: same form.
            return WEAK
    return NONE


def _en_aux_first(words: list[str], originals: list[str]) -> int:
    if len(words) < 2 or words[0] not in _AUX:
        return NONE
    first, second = words[0], words[1]
    if first in _IMPERATIVE_AUX:
        return STRONG if second in _PRONOUNS else NONE
    if first in _BE_DO:
        return NONE if second in _NOT_SUBJECT else STRONG
    # Modals: a subject must follow; a capitalised name counts ("Can Jenkins...").
    if second in _PRONOUNS or second in _DETERMINERS or originals[1][:1].isupper():
        return STRONG
    return NONE


def _en_wh(s: _Sentence) -> int:
    words = s.rest
    first = words[0]
    base, _, contraction = first.partition("'")
    if base not in _EN_WH:
        return NONE
    _, colon, body = s.after_core().partition(":")
    # A title over a list ("What's new in v3: faster builds, dark mode and
    # more"); a short tail is more likely the options asked about
    # ("What's the ETA: today or tomorrow").
    if colon and len(body.split()) >= 4 and not body[:1].isdigit():
        return NONE
    if contraction in ("s", "re", "d", "ll"):          # what's, who's, where're
        return STRONG
    second = words[1] if len(words) > 1 else ""
    third = words[2] if len(words) > 2 else ""
    if base == "which" and second in ("is", "was") and third == "why":
        return NONE                                    # "Which is why we moved."
    if second in _AUX:
        return STRONG                                  # how do I, when is
    if (base not in _SUBORDINATORS and third in _AUX
            and second not in _EN_HEADLINE_SUBJECTS | _PRONOUNS):
        return STRONG                                  # which branch should, how long does
    if base == "what" and second in ("a", "an"):
        return NONE                                    # what a launch
    if second in _EN_HEADLINE_SUBJECTS or second in ("he", "she", "it"):
        return NONE                                    # how we shipped v2
    if base in _SUBORDINATORS and second != "to":
        return NONE                                    # when the build finishes...
    return WEAK


def _fr_wh(s: _Sentence) -> int:
    words = s.rest
    first = words[0]
    if first not in _FR_WH:
        return NONE
    second = words[1] if len(words) > 1 else ""
    third = words[2] if len(words) > 2 else ""
    if first == "comment" and second in ("on", "below", "here", "in") and third in (
            "the", "this", "that", "my", "your", "our", "it", "pr", "doc", "if", "below"):
        return NONE                                    # English "Comment on the doc"
    if first in ("comment", "pourquoi", "quand") and (
            second == "j'ai" or (second in _FR_FIRST_PERSON and third in _FR_COMPOUND_AUX)):
        return NONE                                    # Comment nous avons migré
    if first == "quand" and second in _FR_SUBJECTS:
        return NONE                                    # Quand tu auras fini, ...
    if first.startswith("quel") and second in _FR_EXCLAMATIONS:
        return NONE                                    # Quelle galère
    if first in ("que", "quoi") and second not in ("faire", "dire", "penser", "choisir"):
        return NONE                                    # "Que du bonheur !"; "Que faire si..." asks
    return WEAK


def _question_noun(s: _Sentence) -> int:
    """ "Question about X:" / "Question :" opening a message."""
    words = s.rest
    i = 1 if words[:1] in (["a"], ["une"], ["one"], ["another"], ["autre"]) else 0
    if len(words) <= i or words[i] != "question":
        return NONE
    nxt = words[i + 1] if len(words) > i + 1 else ""
    if s.text_after(s.core + i).startswith((":", ",", "-")) or nxt in _QUESTION_NOUN_FOLLOWERS:
        return STRONG
    return NONE


def _opening(s: _Sentence) -> int:
    """How strongly the sentence's first words make it a question."""
    words = s.rest
    if not words:
        return NONE
    if _starts_with(words, _STRONG_PHRASES):
        return STRONG
    best = max(_fr_inversion(words), _en_aux_first(words, s.originals[s.core:]),
               _question_noun(s))
    if best == STRONG:
        return STRONG
    first = words[0]
    second = words[1] if len(words) > 1 else ""
    if first in _SOMEONE_FR:
        if second in _SOMEONE_FR_STRONG:
            return STRONG
        best = max(best, WEAK if second else NONE)
    if first in _ANYONE_EN and second and second not in _ANYONE_NOT_ASKING:
        best = max(best, WEAK)
    n = _match_any(words, 0, _WEAK_PHRASES)
    if n and not s.text_after(s.core + n - 1).startswith(":"):
        # (with a colon, "Une idée : on pourrait..." offers an idea instead)
        best = max(best, WEAK)
    best = max(best, _en_wh(s), _fr_wh(s))
    if best == STRONG:
        return STRONG
    if _fr_in_situ(s):
        best = max(best, WEAK)
    return best


def _fr_in_situ(s: _Sentence) -> bool:
    """French question word left in place: "Ça sort quand", "On se retrouve où pour...".

    Only at the end or before "pour": elsewhere "quand"/"comment" are mostly
    conjunctions ("Je merge quand la CI est verte").
    """
    words, originals = s.rest, s.originals[s.core:]
    if len(words) < 2 or _IN_SITU_VETO.intersection(words):
        return False
    for i in range(1, len(words)):
        # Folding merges "où" (where) and "ou" (or): look at what was typed.
        is_wh = words[i] in _IN_SITU_FR if words[i] != "ou" else originals[i].lower() == "où"
        if is_wh and (i == len(words) - 1 or words[i + 1] in _IN_SITU_NEXT):
            return True
    return False


def _is_headline(s: _Sentence, thread: bool) -> bool:
    """A title-like line: a thread marker, a colon, or words like "guide"."""
    return (thread or _COLON.search(s.after_core()) is not None
            or bool(_HEADLINE_WORDS.intersection(s.rest)))


def _is_hook(s: _Sentence, nxt: _Sentence | None, thread: bool) -> bool:
    """ "Need help? Ask in #support." — a rhetorical lead-in, not a question."""
    if nxt is None or len(s.words) > 5 or not nxt.rest:
        return False
    if thread:
        return True
    first = nxt.rest[0].split("-")[0]
    return first in _INSTRUCTIONS and _opening(s) == NONE


def _last_clause(s: _Sentence) -> _Sentence | None:
    """The words after the sentence's last comma, as a sentence of their own.

    Chat questions often come after the context: "Le VPN est down, une idée",
    "I can't log in, anyone else".
    """
    cut = s.text.rfind(",")
    if cut < 0:
        return None
    first = next((i for i, start in enumerate(s.starts) if start > cut), None)
    if first is None or first < s.core or len(s.words) - first < 2:
        return None
    offset = s.starts[first]
    return _Sentence(text=s.text[offset:], words=s.words[first:],
                     originals=s.originals[first:],
                     starts=[start - offset for start in s.starts[first:]])


def _asks(s: _Sentence, nxt: _Sentence | None, thread: bool) -> bool:
    ending = s.ending()
    if ending == "?":
        return len(s.words) >= 2 and not _is_hook(s, nxt, thread)
    if ending == "!" or not s.rest:
        return False
    strength = _opening(s)
    clause = _last_clause(s)
    if clause is not None:
        # Capped at weak: after a comma, "does the job" is more often an
        # elliptic statement than a question.
        strength = max(strength, min(_opening(clause), WEAK))
    if strength == STRONG:
        return True
    if strength == WEAK:
        return ending == "" and not _is_headline(s, thread)
    return False


def _asking_sentences(text: str) -> tuple[list[_Sentence], list[bool]]:
    sentences = _sentences(text)
    thread = bool(_THREAD_MARK.search(text or ""))
    flags = [
        _asks(s, sentences[i + 1] if i + 1 < len(sentences) else None, thread)
        for i, s in enumerate(sentences)
    ]
    return sentences, flags


def looks_like_question(text: str) -> bool:
    """True when a top-level message asks a question (French or English)."""
    _, flags = _asking_sentences(text)
    return any(flags)


def question_summary(text: str, max_len: int = 80) -> str:
    """One line for listings: the question sentence, greeting and markup removed.

    Uses the first sentence that asks, else the first sentence with content,
    and shortens it at a word boundary with "…" to at most ``max_len``.
    """
    sentences, flags = _asking_sentences(text)
    chosen = next((s for s, f in zip(sentences, flags) if f), None)
    if chosen is None:
        chosen = next((s for s in sentences if s.rest), None)
    if chosen is None:
        return ""
    summary = chosen.after_core().lstrip(" ,;:-\u2014\u2013!.") or chosen.text
    summary = summary[:1].upper() + summary[1:]
    if len(summary) <= max_len:
        return summary
    cut = summary[: max(max_len - 1, 0)]
    space = cut.rfind(" ")
    if space > max_len // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-\u2014\u2013") + "\u2026"
