"""Text normalisation for French and English chat messages.

Used to turn a question and an expert's topics into comparable terms: code,
quotes and links are removed, text is folded (lower case, no accents), split into words,
stop words are dropped and what is left is lightly stemmed so that
"deployments", "deploying", "déploiement" and "déployer" meet on one stem.

Standard library only. The stemmer is deliberately small: it only has to make
singular/plural and a few common inflections agree, in both languages at once,
since a message's language is not known word by word.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["strip_markup", "fold", "tokens", "stem", "is_stop_word", "STOP_WORDS"]

# --- Markup ---------------------------------------------------------------
# Adapters hand the core plain text (platform tokens such as Slack's <@U123> or :smile: are
# already turned into words or removed). What is left are the conventions every chat shares:
# code in backticks, quoted lines starting with ">", and pasted links.

_CODE_BLOCK = re.compile(r"```.*?```", re.S)
_INLINE_CODE = re.compile(r"`[^`\n]+`")
_QUOTE_MARKER = re.compile(r"(?m)^[ \t]*>+[ \t]?")
_BARE_URL = re.compile(r"(?:\bhttps?://|\bwww\.)\S+", re.I)
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_WHITESPACE = re.compile(r"\s+")


def strip_markup(text: str, *, keep_newlines: bool = False) -> str:
    """Remove what is not the author's own words: code, quote markers and links.

    Whitespace is collapsed. With ``keep_newlines`` line breaks are kept (one per line, empty
    lines dropped) because the question detector treats a line break as a sentence boundary.
    """
    if not text:
        return ""
    text = _CODE_BLOCK.sub(" ", text)
    text = _INLINE_CODE.sub(" ", text)
    text = _QUOTE_MARKER.sub("", text)
    text = _BARE_URL.sub(" ", text)
    if keep_newlines:
        lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
        return "\n".join(line for line in lines if line)
    return _WHITESPACE.sub(" ", text).strip()


# --- Folding ----------------------------------------------------------------

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201b": "'", "\u02bc": "'",
                              "\u2032": "'", "\uff07": "'"})
# Letters NFKD does not decompose but that French/English users type.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d"})


def fold(text: str) -> str:
    """Lower-case, strip accents, and make typographic apostrophes plain."""
    text = text.translate(_APOSTROPHES)
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.lower().translate(_LIGATURES)


# --- Stop words -------------------------------------------------------------
# Stored folded (no accents). Besides grammar words they hold the chat filler
# and question words that say nothing about a question's topic, plus the
# pieces left when apostrophes split a word ("quelqu'un" -> "quelqu" "un",
# "doesn't" -> "doesn" "t").

_EN_STOP = """
a about above after again against all am an and any are aren as at be because been
before being below between both but by can cannot could couldn did didn do does doesn
doing don down during each few for from further had hadn has hasn have haven having he
her here hers herself him himself his i if in into is isn it its itself just me more
most my myself no nor not now of off on once only or other our ours ourselves out over
own same she should shouldn so some such than that the their theirs them themselves
then there these they this those through to too under until up very was wasn we were
weren will with won would wouldn you your yours yourself yourselves
ll ve re im ive id dont cant doesnt isnt didnt wont whats hows
may might must shall let lets get gets got getting
how why when where who whom whose what which whether
hi hello hey hiya yo morning afternoon evening today tomorrow yesterday
thanks thank thx ty cheers please pls plz sorry
anyone anybody someone somebody everyone everybody guys folks team all
know knows knew idea ideas question questions help wondering wonder wondered quick
possible way also like ok okay yes yeah sure really still already maybe
else something anything everything need needs want wants trying try tried
use using used uses work works working
"""

_FR_STOP = """
au aux avec ce ces cet cette dans de des du elle elles en et eux il ils je la le les
leur leurs lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que
qui quoi sa se ses son sur ta te tes toi ton tu un une vos votre vous
suis es est sommes etes sont etais etait etions etiez etaient ete sera serai seront serait
ai as avons avez ont avais avait avions aviez avaient aura aurai auras aurait auriez
fait fais faites faire peut peux pouvez pouvons peuvent pourrait pourriez pourrais
sais sait savez savoir veux veut voulez voudrais voudrait dois doit devez faut faudrait
comment pourquoi quand quel quelle quels quelles combien lequel laquelle lesquels lesquelles
bonjour bonsoir salut coucou merci svp stp sil plait
quelqu qqn qqun quelque quelques chose idee idees aide besoin moyen
tous tout toute toutes monde equipe aussi alors donc car ni si oui non tres trop bien
plus moins deja encore toujours jamais rien autre autres ici ca cela ceci celui celle ceux
celles dont chez entre vers sans sous depuis pendant avant apres
aujourd hui demain hier matin soir petite petit genre truc bref voila voici bah ben euh hein
jusqu lorsqu puisqu presqu marche fonctionne utiliser utilise
"""

STOP_WORDS: frozenset[str] = frozenset(_EN_STOP.split()) | frozenset(_FR_STOP.split())


def is_stop_word(word: str) -> bool:
    """True for a French or English grammar/filler word (accents ignored)."""
    return fold(word).strip() in STOP_WORDS


# --- Stemming ---------------------------------------------------------------

# Technical names whose final "s" is not a plural; stemming them would make
# them unrecognisable in "you answered questions about ..." explanations.
_PROTECTED = frozenset("""
kubernetes postgres jenkins redis macos ios devops gitops mlops finops https
analytics windows sass express
""".split())

_VOWELS = frozenset("aeiouy")


def _has_vowel(s: str) -> bool:
    return any(c in _VOWELS for c in s)


def _strip_inflection(w: str) -> tuple[str, bool]:
    """Plural and verb-inflection endings. Returns (word, removed ing/ed)."""
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"                      # libraries -> library
    elif w.endswith("eaux"):
        w = w[:-1]                            # reseaux -> reseau
    elif w.endswith("aux") and len(w) >= 6:
        w = w[:-3] + "al"                     # journaux -> journal
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]                            # access, status, frais keep their s
    if w.endswith("ee") and len(w) > 5:
        return w[:-1], False                  # FR feminine participle: securisee -> securise
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and not w.endswith("eed"):
            base = w[: -len(suffix)]
            if len(base) >= 3 and _has_vowel(base):   # keeps "string", "bed", "need"
                return base, True
    return w, False


def _strip_derivation(w: str) -> str:
    """One derivational ending, shared by both languages where possible."""
    if w.endswith("ment") and len(w) - 4 >= 4:
        return w[:-4]                         # deployment -> deploy, deploiement -> deploie
    if w.endswith("er") and len(w) - 2 >= 5:
        return w[:-2]                         # deployer -> deploy; short "server" untouched
    if w.endswith(("ite", "ity")) and len(w) - 3 >= 4 and w[-4] in "rlvcn":
        return w[:-3]                         # securite / security -> secur
    if w.endswith("ly") and not w.endswith("ply") and len(w) - 2 >= 4:
        return w[:-2]                         # weekly -> week
    return w


def stem(word: str) -> str:
    """Light, deterministic FR+EN stemmer for an already folded word.

    Words of three letters or fewer, words with digits and a few technical
    names are returned unchanged.
    """
    w = word
    if len(w) <= 3 or w in _PROTECTED or not w.isalpha():
        return w
    w, dropped_ending = _strip_inflection(w)
    w = _strip_derivation(w)
    if dropped_ending and len(w) >= 3 and w[-1] == w[-2] and w[-1] not in "lsz" + "aeiou":
        w = w[:-1]                            # logging -> logg -> log
    if w.endswith("e") and len(w) >= 5:
        w = w[:-1]                            # cache/caches/cached all -> cach
    if w.endswith("y") and len(w) >= 4:
        w = w[:-1] + "i"                      # deploy -> deploi, meets FR deploiement
    return w


# --- Tokens -----------------------------------------------------------------

# After folding, split on anything that is not a letter or digit; "'" and "-"
# are separators so "l'API" gives "l" "api" and "est-ce" gives "est" "ce".
_WORD = re.compile(r"[^\W_]+")


def tokens(text: str) -> list[str]:
    """Topic terms of a message: markup stripped, folded, no stop words, stemmed."""
    out = []
    for word in _WORD.findall(fold(strip_markup(text))):
        if len(word) < 2 or word in STOP_WORDS:
            continue
        term = stem(word)
        if len(term) >= 2:
            out.append(term)
    return out
