"""Questions that ask nothing: the "?" closes an exclamation, not a request.

The rule: a sentence is rhetorical when it opens with a figure that already holds its answer and
leaves nobody anything to tell. Four figures, French and English:

* an exclamative degree: "how" + a word of praise or wonder ("How cool is that?", "How lucky are
  we"), "what a…", "quelle journée…";
* a set phrase of wonder or of "nothing better" ("Guess what?", "Who knew…", "Can you believe…",
  "What could possibly go wrong?", "Quoi de mieux que…", "Que demander de plus ?", "Qui l'eût
  cru ?", "Vous vous rendez compte ?", "Comment ne pas…");
* a negated universal: "who" + a negated verb of liking ("Who doesn't love…", "Qui n'aime pas…",
  "Qui ne rêve pas de…"); "Who hasn't received their laptop?" asks: "receive" is no liking;
* a negative question over a word of praise ("Isn't that amazing?", "N'est-ce pas magnifique…",
  "C'est pas beau, ça ?"); "C'est pas normal ?" asks: "normal" is no praise.

A clause after a comma that is itself a question form ("How cool is the new office, has anyone
been there yet?") gives the sentence an addressee and something to answer: then it asks.
"""

from __future__ import annotations

from .forms import FR_EXCLAMATIONS, NONE, opening
from .sentences import Phrases, Sentence, match_any

_PRAISE_EN = {"cool", "great", "awesome", "amazing", "nice", "neat", "sweet", "fun", "crazy",
              "wild", "lucky", "cute", "beautiful", "exciting", "insane", "epic", "brilliant",
              "fantastic", "wonderful", "funny", "impressive", "satisfying", "lovely", "perfect",
              "incredible", "ironic", "rad", "terrific", "fabulous", "gorgeous", "glorious",
              "fortunate", "blessed"}
_PRAISE_FR = {"beau", "belle", "beaux", "belles", "genial", "geniale", "geniaux", "magnifique",
              "magnifiques", "top", "super", "incroyable", "dingue", "fou", "folle", "formidable",
              "chouette", "cool", "fantastique", "merveilleux", "merveilleuse", "parfait",
              "parfaite", "sympa", "extraordinaire", "satisfaisant", "agreable", "mignon",
              "mignonne", "classe", "grandiose", "splendide", "sublime"}
_PRAISE = _PRAISE_EN | _PRAISE_FR
_INTENSIFIERS = {"just", "so", "really", "truly", "trop", "vraiment", "super", "juste", "quand",
                 "meme", "tellement", "si"}

_FORMULAS = Phrases([
    ("guess", "what"), ("who", "knew"), ("who", "would", "have", "thought"),
    ("who", "would've", "thought"), ("who", "would", "have", "guessed"),
    ("who", "would've", "guessed"), ("can", "you", "believe"), ("could", "you", "believe"),
    ("can", "you", "imagine"), ("what", "could", "possibly", "go", "wrong"),
    ("what", "could", "go", "wrong"), ("what's", "not", "to", "love"),
    ("what's", "not", "to", "like"), ("what", "more", "could"), ("what", "else", "is", "new"),
    ("need", "i", "say", "more"), ("what's", "better", "than"), ("what", "is", "better", "than"),
    ("what", "could", "be", "better"), ("what", "could", "be", "more"), ("what", "beats"),
    ("is", "there", "anything", "better"), ("don't", "you", "love"),
    ("don't", "you", "just", "love"), ("gotta", "love"), ("how", "about", "that"),
    ("am", "i", "right"), ("what", "a"), ("what", "an"), ("how", "good", "is", "that"),
    ("how", "good", "was", "that"),
    ("quoi", "de", "mieux"), ("quoi", "de", "plus"), ("quoi", "de", "meilleur"),
    ("que", "demander", "de", "plus"), ("qui", "l'eut", "cru"), ("qui", "l'aurait", "cru"),
    ("qui", "aurait", "cru"), ("qui", "dit", "mieux"), ("vous", "vous", "rendez", "compte"),
    ("tu", "te", "rends", "compte"), ("vous", "imaginez"), ("tu", "imagines"),
    ("comment", "ne", "pas"), ("comment", "resister"), ("pourquoi", "se", "priver"),
    ("que", "du", "bonheur"), ("on", "n'est", "pas", "bien"), ("on", "est", "pas", "bien"),
])
_FIRST_WORDS = _FORMULAS.first_words | {
    "how", "who", "qui", "isn't", "aren't", "wasn't", "ain't", "n'est-ce", "c'est", "c'etait",
    "ce", "il", "elle", "ils", "elles", "ca", "quel", "quelle", "quels", "quelles"}

_LIKING_EN = {"love", "like", "want", "enjoy", "appreciate", "adore", "prefer", "dream", "miss"}
_LIKING_FR = {"aime", "aimerait", "adore", "adorerait", "apprecie", "reve", "revait", "voudrait",
              "veut", "prefere", "craque", "raffole", "kiffe"}
_NEGATED_AUX = {"doesn't", "wouldn't", "don't", "didn't", "does", "would", "do", "can't"}
_FR_NEG_SUBJECTS = {"c'est", "c'etait", "ce", "n'est-ce", "il", "elle", "ils", "elles", "ca"}


def _praise_after(words: list[str], i: int) -> bool:
    """A word of praise at words[i], after at most two intensifiers."""
    for w in words[i:i + 3]:
        if w in _PRAISE:
            return True
        if w not in _INTENSIFIERS:
            return False
    return False


def _rhetorical_opening(words: list[str]) -> bool:
    first = words[0]
    if first not in _FIRST_WORDS:
        return False
    if match_any(words, 0, _FORMULAS):
        return True
    second = words[1]
    if first == "how":
        return second in _PRAISE_EN                     # not "how good is the new laptop"
    if first == "who":                                  # who doesn't love…
        return second in _NEGATED_AUX and not _LIKING_EN.isdisjoint(words[2:4]) and (
            second.endswith("n't") or "not" in words[2:3])
    if first == "qui":                                  # qui n'aime pas, qui ne rêve pas
        verb = second[2:] if second.startswith("n'") else words[2] if second == "ne" else ""
        return verb in _LIKING_FR
    if first.startswith("quel"):
        return second in FR_EXCLAMATIONS               # quelle journée, non ?
    if first in ("isn't", "aren't", "wasn't", "ain't"):
        return second in ("it", "that", "this", "they") and _praise_after(words, 2)
    if first in _FR_NEG_SUBJECTS and "pas" in words[1:4]:
        return _praise_after(words, words.index("pas", 1) + 1)
    return False


def is_rhetorical(s: Sentence) -> bool:
    words = s.rest
    if len(words) < 2 or not _rhetorical_opening(words):
        return False
    clause = s.last_clause()
    return clause is None or opening(clause) == NONE
