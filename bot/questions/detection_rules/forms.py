"""Question forms read from a sentence's first words, graded NONE, WEAK or STRONG.

See `bot.questions.detection` for what the grades mean.
"""

from __future__ import annotations

import re

from .sentences import Phrases, Sentence, match_any

_COLON = re.compile(r":(?!\d)")  # a title's colon, not the one in "10:30"

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
HEADLINE_WORDS = {"thread", "guide", "tutorial", "tips", "recap", "lessons", "learned",
                  "announcement", "rex", "retour", "fil", "howto", "how-to", "checklist"}
_FR_SUBJECTS = {"je", "tu", "il", "elle", "on", "nous", "vous", "ils", "elles", "ca", "c'est",
                "cela"}
_FR_FIRST_PERSON = {"je", "on", "nous"}
_FR_COMPOUND_AUX = {"a", "ai", "avons", "avait", "avions", "est", "sommes", "suis", "etait",
                    "etions"}
FR_EXCLAMATIONS = {"galere", "plaisir", "bonheur", "journee", "semaine", "chance", "dommage",
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

_STRONG_PHRASES = Phrases([
    ("i", "have", "a", "question"), ("i've", "got", "a", "question"), ("i", "got", "a", "question"),
    ("j'ai", "une", "question"), ("j'ai", "une", "petite", "question"),
    ("quick", "question"), ("small", "question"), ("dumb", "question"), ("silly", "question"),
    ("stupid", "question"), ("random", "question"), ("newbie", "question"), ("noob", "question"),
    ("petite", "question"), ("question", "rapide"), ("question", "bete"), ("question", "con"),
    ("une", "petite", "question"), ("quick", "one"),
    ("is", "it", "possible"), ("is", "there"), ("are", "there"),
    ("do", "you", "know"), ("does", "anyone"), ("does", "anybody"), ("has", "anyone"),
    ("did", "anyone"),
])
_WEAK_PHRASES = Phrases([
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
])
# "Question about X:" / "Une question sur X" announce a question; "A question
# came up in the retro" does not, hence the list of words that may follow.
_QUESTION_NOUN_FOLLOWERS = {"about", "for", "on", "regarding", "re", "sur", "pour",
                            "concernant", "a", "de", "du", "rapide"}
# First words of the instruction that follows an announcement's hook.
INSTRUCTIONS = {
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
    return match_any(words, 0, phrases) > 0


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


def _en_wh(s: Sentence) -> int:
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


def _fr_wh(s: Sentence) -> int:
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
    if first.startswith("quel") and second in FR_EXCLAMATIONS:
        return NONE                                    # Quelle galère
    if first in ("que", "quoi") and second not in ("faire", "dire", "penser", "choisir"):
        return NONE                                    # "Que du bonheur !"; "Que faire si..." asks
    return WEAK


def _question_noun(s: Sentence) -> int:
    """ "Question about X:" / "Question :" opening a message."""
    words = s.rest
    i = 1 if words[:1] in (["a"], ["une"], ["one"], ["another"], ["autre"]) else 0
    if len(words) <= i or words[i] != "question":
        return NONE
    nxt = words[i + 1] if len(words) > i + 1 else ""
    if s.text_after(s.core + i).startswith((":", ",", "-")) or nxt in _QUESTION_NOUN_FOLLOWERS:
        return STRONG
    return NONE


def opening(s: Sentence) -> int:
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
    n = match_any(words, 0, _WEAK_PHRASES)
    if n and not s.text_after(s.core + n - 1).startswith(":"):
        # (with a colon, "Une idée : on pourrait..." offers an idea instead)
        best = max(best, WEAK)
    best = max(best, _en_wh(s), _fr_wh(s))
    if best == STRONG:
        return STRONG
    if _fr_in_situ(s):
        best = max(best, WEAK)
    return best


def _fr_in_situ(s: Sentence) -> bool:
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


def is_headline(s: Sentence, thread: bool) -> bool:
    """A title-like line: a thread marker, a colon, or words like "guide"."""
    return (thread or _COLON.search(s.after_core()) is not None
            or bool(HEADLINE_WORDS.intersection(s.rest)))


