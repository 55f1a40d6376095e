"""Asking with no question form: what people write when they need something but ask nothing.

Four kinds, each read from the sentence's first words (after greetings), French and English:

* a problem title: a short title naming a problem, then a colon ("Souci : le proxy refuse…",
  "Blocker: staging won't start", "J'ai un souci avec la paie :" + the next line);
* a search for someone: a search verb, then a person, help or a pointer ("On recherche une
  personne qui maîtrise…", "Looking for someone familiar with…", "Besoin d'un coup de main
  sur…", "Je cherche un tuto pour…");
* an indirect question: a frame of wondering or not knowing, then what is wondered ("Je me
  demandais si…", "Curious whether anyone has…", "Not sure who to ask about…");
* a request for advice: "any"/"des"/"vos" + an advice word + what it is about ("Des conseils
  pour…", "Any advice on…"), "Suggestions welcome for…", "Would appreciate any pointers…", and,
  weaker, "Best way to…".

They do not ask when the message says the matter is settled ("c'est réglé", "turns out"), a
search is a job advert ("hiring", "CDI"), a title says the problem is gone or known ("Bug fixed:",
"Known issue:", "Pas de souci :"), or what follows the colon is an instruction ("Urgent: please
update…") or, after an advice word, the advice itself ("Un conseil : sauvegardez…").
"""

from __future__ import annotations

import re

from .forms import HEADLINE_WORDS, INSTRUCTIONS, NONE, STRONG, WEAK
from .sentences import Phrases, Sentence, match_any

_COLON = re.compile(r":(?!\d)")


class Context:
    """What the rules may need from the whole message, computed only when one asks for it."""

    def __init__(self, sentences: list[Sentence]):
        self._sentences = sentences
        self._words: set[str] | None = None
        self._pairs: set[tuple[str, str]] | None = None

    @property
    def words(self) -> set[str]:
        if self._words is None:
            self._words = {w for s in self._sentences for w in s.words}
        return self._words

    @property
    def pairs(self) -> set[tuple[str, str]]:
        if self._pairs is None:
            self._pairs = {p for s in self._sentences for p in zip(s.words, s.words[1:])}
        return self._pairs

    def settled(self) -> bool:
        return bool(_SETTLED_WORDS & self.words or _SETTLED_PAIRS & self.pairs)

    def hiring(self) -> bool:
        return bool(_HIRING & self.words)


_SETTLED_WORDS = {"resolved", "solved", "resolu", "resolue", "resolus", "corrige", "corrigee",
                  "corriges", "repare", "reparee", "remarche", "refonctionne", "nevermind"}
_SETTLED_PAIRS = {("c'est", "regle"), ("c'est", "bon"), ("it's", "fixed"), ("is", "fixed"),
                  ("was", "fixed"), ("fixed", "it"), ("turns", "out"), ("turned", "out"),
                  ("works", "now"), ("working", "now"), ("never", "mind"), ("all", "good"),
                  ("laisse", "tomber"), ("plus", "besoin"), ("no", "longer")}
_HIRING = {"hiring", "recrute", "recrutons", "recrutement", "cdi", "cdd", "postulez", "postuler",
           "candidatures", "careers", "carriere", "carrieres", "emploi"}

# --- A problem title ---------------------------------------------------------

_PROBLEM = {"issue", "issues", "problem", "problems", "blocker", "blocked", "blocking", "bug",
            "bugs", "help", "urgent", "stuck", "trouble", "sos", "weird", "strange", "odd",
            "broken", "souci", "soucis", "probleme", "problemes", "bloquant", "bloque", "bloquee",
            "blocage", "galere", "urgence", "aide", "d'aide", "l'aide", "secours", "bizarre",
            "etrange"}
# Words that make the title news rather than a problem: it is gone, known, or not one.
_TITLE_VETO = {"no", "not", "zero", "pas", "aucun", "aucune", "sans", "fixed", "resolved",
               "solved", "closed", "known", "removed", "gone", "fix", "workaround", "update",
               "fyi", "post-mortem", "postmortem", "resolu", "resolue", "corrige", "corrigee",
               "regle", "reglee", "clos", "close", "connu", "connue", "leve", "levee", "termine",
               "contournement", "solution", "rex", "retex"}
_BODY_VETO = INSTRUCTIONS | {"please", "pls", "merci", "veuillez", "pensez", "n'oubliez",
                              "type", "tapez"}


_PROBLEM_ADJECTIVES = {"weird", "strange", "odd", "bizarre", "etrange", "urgent", "sos"}
# What may follow the problem word in its title: "Souci avec Outlook", "Issue with SSO", "Besoin
# d'aide". Anything else makes it a modifier of another noun: "Bug triage:", "Issue 42:".
_AFTER_PROBLEM = {"with", "on", "in", "for", "of", "about", "when", "while", "since", "re",
                  "again", "here", "wanted", "needed", "please", "avec", "de", "du", "des", "sur",
                  "dans", "pour", "au", "aux", "a", "en", "depuis", "chez", "lors", "quand",
                  "encore", "ici", "svp", "one", "thing"}
_AUTHOR_ON_IT = {"investigating", "fixing", "incoming"}


def _names_problem(title: list[str]) -> bool:
    for i, w in enumerate(title[:4]):
        if w in _PROBLEM:
            nxt = title[i + 1] if i + 1 < len(title) else ""
            if (not nxt or nxt in _AFTER_PROBLEM or nxt in _PROBLEM or nxt.startswith("d'")
                    or w in _PROBLEM_ADJECTIVES):
                return True
    return False


def _problem_title(s: Sentence) -> int:
    """ "Souci : le proxy refuse…" — a short title naming a problem, then a colon."""
    colon = _COLON.search(s.text, s.starts[s.core])
    if colon is None:
        return NONE
    n = sum(1 for start in s.starts[s.core:] if start < colon.start())
    title, body = s.rest[:n], s.rest[n:]
    if not 1 <= n <= 8 or not _names_problem(title) or not _TITLE_VETO.isdisjoint(title):
        return NONE
    if body and (body[0] in _BODY_VETO or not HEADLINE_WORDS.isdisjoint(body)
                 or not _AUTHOR_ON_IT.isdisjoint(body)):
        return NONE                     # "Urgent: please update…", "Outage: fix incoming"
    return STRONG


# --- A search for someone ----------------------------------------------------

_SEARCH_VERBS = {"looking": "for", "searching": "for", "seeking": "", "need": "", "needs": "",
                 "cherche": "", "recherche": "", "cherchons": "", "recherchons": "",
                 "besoin": "de"}
# What may come before the verb: "we're looking", "j'aurais besoin", "on recherche".
_SEARCH_FRAME = {"i", "we", "i'm", "we're", "am", "are", "i'd", "we'd", "would", "still",
                 "currently", "urgently", "really", "also", "just", "je", "on", "nous", "j'ai",
                 "a", "aurait", "aurais", "j'aurais", "aurions", "avons", "vraiment", "toujours",
                 "encore"}
_WHO_DIRECT = {"someone", "somebody", "anyone", "anybody", "people", "help", "volunteers",
               "experts", "advice", "quelqu'un", "qqn", "qqun", "aide", "d'aide", "l'aide",
               "volontaires", "conseils", "avis", "d'avis", "renfort", "renforts", "reviewers"}
_ARTICLES = {"a", "an", "some", "one", "un", "une", "des", "d'un", "d'une", "quelques"}
_WHO_NOUNS = {"person", "hand", "volunteer", "expert", "reviewer", "pair", "buddy", "mentor",
              "partner", "helper", "specialist", "personne", "personnes", "volontaire", "experte",
              "coup", "relecteur", "relectrice", "binome", "referent", "referente", "conseil",
              "specialiste", "connaisseur", "connaisseuse", "aide", "main", "review", "relecture",
              "contact", "interlocuteur", "interlocutrice",
              # Things people ask each other for: "je cherche un tuto pour…"
              "tuto", "tutoriel", "tutorial", "doc", "documentation", "guide", "lien", "link",
              "template", "modele", "outil", "tool", "way", "moyen", "solution", "alternative",
              "book", "livre", "resource", "ressource", "exemple", "example"}


def _search(words: list[str]) -> int:
    """ "On recherche une personne qui…", "Looking for someone…", "Besoin d'aide pour…"."""
    for i, w in enumerate(words[:4]):
        if w in _SEARCH_VERBS:
            break
        if w not in _SEARCH_FRAME:
            return NONE
    else:
        return NONE
    j = i + 1
    link = _SEARCH_VERBS[w]
    if link:
        if j < len(words) and words[j] == link:
            j += 1
        elif link == "for":
            return NONE                                 # "looking forward", "looking good"
    target = words[j] if j < len(words) else ""
    if target in _WHO_DIRECT:
        return STRONG
    if target in _ARTICLES and not _WHO_NOUNS.isdisjoint(words[j + 1:j + 3]):
        return STRONG                                   # "une personne", "a second pair of eyes"
    return NONE


# --- An indirect question ----------------------------------------------------

_WONDERING = Phrases([
    ("i", "was", "wondering"), ("i'm", "wondering"), ("i", "am", "wondering"), ("wondering",),
    ("just", "wondering"), ("was", "wondering"), ("i", "wonder"), ("i", "wondered"),
    ("curious",), ("i'm", "curious"), ("i", "am", "curious"), ("just", "curious"),
    ("curious", "to", "know"), ("curious", "to", "hear"), ("i'd", "like", "to", "know"),
    ("i", "would", "like", "to", "know"), ("i'd", "love", "to", "know"),
    ("i", "want", "to", "know"),
    ("i'd", "be", "curious", "to", "know"), ("i'd", "be", "curious", "to", "hear"),
    ("i'd", "love", "to", "hear"), ("i'd", "like", "to", "hear"), ("i", "need", "to", "know"),
    ("trying", "to", "figure", "out"), ("i'm", "trying", "to", "figure", "out"),
    ("trying", "to", "understand"), ("i'm", "trying", "to", "understand"),
    ("any", "idea"), ("any", "ideas"), ("anyone", "know"), ("anybody", "know"),
    ("je", "me", "demande"), ("je", "me", "demandais"), ("on", "se", "demande"),
    ("on", "se", "demandait"), ("je", "me", "posais", "la", "question"),
    ("je", "voudrais", "savoir"), ("je", "voulais", "savoir"), ("j'aimerais", "savoir"),
    ("j'aimerais", "bien", "savoir"), ("j'aurais", "aime", "savoir"),
    ("je", "cherche", "a", "savoir"), ("curieux", "de", "savoir"), ("curieuse", "de", "savoir"),
    ("je", "suis", "curieux", "de", "savoir"),
    ("je", "suis", "curieuse", "de", "savoir"), ("je", "serais", "curieux", "de", "savoir"),
    ("je", "serais", "curieuse", "de", "savoir"), ("une", "idee"), ("des", "idees"),
    ("j'essaie", "de", "comprendre"), ("j'essaye", "de", "comprendre"),
    ("je", "cherche", "a", "comprendre"),
])
# Not knowing asks only with "if" or a "wh-" word before an infinitive ("not sure who to ask",
# "je ne sais pas à qui m'adresser"); "I don't know who wrote this" is a statement.
_NOT_KNOWING = Phrases([
    ("not", "sure"), ("i'm", "not", "sure"), ("i", "am", "not", "sure"), ("unsure",),
    ("i'm", "unsure"), ("i", "don't", "know"), ("i", "dont", "know"), ("i", "do", "not", "know"),
    ("no", "idea"), ("i", "have", "no", "idea"), ("i've", "no", "idea"),
    ("je", "ne", "sais", "pas"), ("je", "sais", "pas"), ("je", "ne", "sais", "plus"),
    ("je", "ne", "sais", "pas", "trop"), ("je", "sais", "pas", "trop"), ("aucune", "idee"),
    ("je", "ne", "suis", "pas", "sur"), ("je", "suis", "pas", "sur"), ("pas", "sur"),
    ("je", "ne", "suis", "pas", "sure"), ("je", "suis", "pas", "sure"), ("pas", "sure"),
])
_IF = {"if", "whether", "si", "s'il", "s'ils"}
_WH = {"how", "why", "who", "what", "where", "when", "which", "whom", "whose", "what's", "who's",
       "where's", "how's", "comment", "pourquoi", "qui", "quel", "quelle", "quels", "quelles",
       "ou", "quand", "combien", "lequel", "laquelle", "quoi"}
_TO_WH = {"a", "aupres", "de", "avec", "pour"}     # "à qui", "auprès de qui", "avec qui"
_BUT = {"but", "mais", "though", "pourtant"}


def _wh_at(words: list[str], i: int) -> int:
    """Index just past an interrogative connector at ``i`` ("si", "how", "à qui"), or -1."""
    w = words[i] if i < len(words) else ""
    if w in _IF or w in _WH:
        return i + 1
    if w == "ce" and i + 1 < len(words) and words[i + 1].startswith(("que", "qu'", "qui")):
        return i + 2                                    # "ce que", "ce qu'il"
    if w in _TO_WH:
        return _wh_at(words, i + 1 + (words[i + 1:i + 2] == ["de"]))
    return -1


def _infinitive(word: str) -> bool:
    return word == "to" or word.startswith(("m'", "s'", "t'")) or word in ("me", "se") or (
        len(word) > 3 and word.endswith(("er", "ir", "re", "oir")))


def _indirect(words: list[str]) -> int:
    n = match_any(words, 0, _WONDERING)
    if n:
        return STRONG if _wh_at(words, n) > 0 else NONE
    n = match_any(words, 0, _NOT_KNOWING)
    if not n or not _BUT.isdisjoint(words):
        return NONE
    after = _wh_at(words, n)
    if after < 0:
        return NONE
    if words[after - 1] in _IF or (after < len(words) and _infinitive(words[after])):
        return STRONG
    return NONE


# --- A request for advice ----------------------------------------------------

_ASKING_DETERMINERS = {"any", "some", "your", "other", "des", "vos", "votre", "tes", "ton", "ta",
                       "quelques", "un", "une", "d'autres"}
_ADVICE = {"advice", "tips", "tip", "recommendations", "recommendation", "recs", "suggestions",
           "suggestion", "pointers", "thoughts", "ideas", "opinions", "opinion",
           "guidance", "hints", "experience", "experiences", "conseil", "conseils",
           "recommandation", "recommandations", "reco", "recos", "retour", "retours", "avis",
           "idee", "idees", "piste", "pistes", "astuce", "astuces", "tuyau", "tuyaux", "retex",
           "lumieres"}
# Without a determiner a line "Tips for…" is more often a headline: only these ask, and weakly.
_BARE_ADVICE = {"advice", "recommendations", "recommendation", "suggestions", "recos",
                "conseils", "recommandations"}
_ABOUT = {"on", "for", "about", "regarding", "re", "with", "around", "to", "pour", "sur",
          "concernant", "de", "a", "au", "aux", "avec", "quant", "autour"}
_WELCOME = {"welcome", "appreciated", "wanted", "needed", "bienvenus", "bienvenues", "bienvenue",
            "apprecies", "appreciees"}
_APPRECIATE = Phrases([
    ("would", "appreciate"), ("i'd", "appreciate"), ("i", "would", "appreciate"),
    ("we'd", "appreciate"), ("je", "suis", "preneur"), ("je", "suis", "preneuse"), ("preneur",),
    ("preneuse",), ("on", "est", "preneurs"), ("open", "to"), ("je", "prends"),
])
_HELP_NOUNS = _ADVICE | {"help", "aide", "hand", "coup", "d'aide", "review"}
_BEST_WAY = Phrases([
    ("best", "way"), ("the", "best", "way"), ("easiest", "way"), ("the", "easiest", "way"),
    ("recommended", "way"), ("the", "recommended", "way"), ("right", "way"),
    ("the", "right", "way"), ("simplest", "way"), ("meilleure", "facon"),
    ("la", "meilleure", "facon"), ("meilleur", "moyen"), ("le", "meilleur", "moyen"),
    ("la", "bonne", "facon"), ("bonne", "facon"), ("le", "plus", "simple"),
])


def _advice_noun_at(s: Sentence, words: list[str], i: int) -> int:
    """Strength of "conseils pour…" at words[i]: an advice word asking about something."""
    if i >= len(words) or words[i] not in _ADVICE:
        return NONE
    j = i + 1 + (words[i + 1:i + 2] in (["d'experience"], ["d'experiences"]))
    nxt = words[j] if j < len(words) else ""
    if nxt in _WELCOME:
        return STRONG
    if not (nxt in _ABOUT or nxt.startswith("d'")):
        return NONE
    _, colon, advice = s.text[s.starts[s.core + i]:].partition(":")
    if colon and len(advice.split()) >= 3:
        return NONE                                     # "Un conseil pour X : faites…" gives it
    return STRONG


def _advice(s: Sentence) -> int:
    words = s.rest
    first = words[0]
    if first in _ASKING_DETERMINERS:
        return _advice_noun_at(s, words, 1)
    if first in _BARE_ADVICE:
        return min(_advice_noun_at(s, words, 0), WEAK)
    if first in _HELP_NOUNS and len(words) > 1 and words[1] in _WELCOME:
        return STRONG                                   # "Suggestions welcome", "Help needed"
    n = match_any(words, 0, _APPRECIATE)
    if n:
        return STRONG if not _HELP_NOUNS.isdisjoint(words[n:n + 3]) else NONE
    n = match_any(words, 0, _BEST_WAY)
    if n and n < len(words) and (words[n] in ("to", "de", "pour") or words[n].startswith("d'")):
        return WEAK
    return NONE


# --- All together ------------------------------------------------------------

def opening(s: Sentence, context: Context, *, title: bool = True) -> int:
    """How strongly the sentence asks for something without a question form.

    ``title`` is False for a clause after a comma: a title only opens a line.
    """
    words = s.rest
    if not words:
        return NONE
    strength = max(_indirect(words), _advice(s))
    if strength < STRONG:
        search = _search(words)
        if search and context.hiring():
            search = NONE
        strength = max(strength, search)
    if strength < STRONG and title and ":" in s.text:
        strength = max(strength, _problem_title(s))
    if strength and context.settled():
        return NONE
    return strength
