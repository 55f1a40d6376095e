"""Does a top-level chat message ask a question? (French and English)

A message asks when one of its sentences does. Before judging, what is not the author's own
question is set aside: quoted lines ("> ..."), code, links and emoji are removed, and quoted spans
(a talk, a book, a poll, an e-mail subject in quotes) and tokens where "?" belongs to a pattern or
an operator (``^v\\d+(-rc)?$``, ``/users/:id?``, ``a?.b``) are masked, so their words and their
"?" count for nothing (`detection_rules.sentences`).

A sentence asks when either

* it ends with "?" (after code, emoji and closing punctuation such as
  ")" or "!" are set aside) and has at least two words: a lone "Really?" or
  "Quoi ?" is a reaction, not something to route to an expert; and it is not
  rhetorical (below); or
* it starts, once greetings ("hi all", "bonjour à tous") are skipped, with a
  question form: an auxiliary before its subject ("can we", "does anyone"),
  French inversion ("peut-on", "savez-vous", "y a-t-il"), "est-ce que", an
  interrogative word ("how", "pourquoi") or a help-seeking phrase ("any idea",
  "quelqu'un sait", "petite question") (`detection_rules.forms`); or
* it asks with no question form (`detection_rules.requests`): a short title naming a problem
  then a colon ("Souci : le proxy refuse…", "Blocker: staging won't start"), a search for
  someone ("On recherche une personne qui maîtrise…", "Looking for someone familiar with…"), an
  indirect question ("Je me demandais si… .", "Curious whether anyone has… ."), a request for
  advice ("Des conseils pour…", "Any advice on…") — unless the message says the matter is
  settled ("c'est réglé", "turns out") or the search is a job advert.

Forms are graded because people drop the "?" in chat but also start plenty of
statements with the same words:

* strong forms (inversion, "est-ce que", "how do I", the forms with no question form above) ask
  even when the sentence ends with "." or ":" ("Anyone know why I get this error:" + code);
* weak forms (a bare interrogative word, "on peut", "une idée", "best way to") ask only when
  the sentence has no final "." or ":", and not when they read as a
  subordinate clause ("When the build finishes, I'll deploy."), a headline
  ("How we shipped v2", "Comment nous avons migré") or an exclamation
  ("What a launch", "Quelle galère");
* nothing that ends with "!" is taken for a question by its first words.

Rhetorical questions ask nothing (`detection_rules.rhetoric`): a sentence that opens with a
figure already holding its answer — an exclamative degree ("How cool is that?"), a set phrase of
wonder or of "nothing better" ("Quoi de mieux qu'un vendredi sans incident ?", "Guess what?"),
a negated liking ("Who doesn't love…", "Qui n'aime pas…") or a negative question over praise
("Isn't that amazing?", "C'est pas beau, ça ?") — does not ask, unless a clause after a comma is
itself a question form and so gives it an addressee ("How cool is the new office, has anyone
been there yet?").

A short "?" sentence followed by an instruction is an announcement's hook
("Need help? Ask in #support."), not a question.
"""

from __future__ import annotations

import re

from .detection_rules import requests, rhetoric
from .detection_rules.forms import INSTRUCTIONS, NONE, STRONG, WEAK, is_headline, opening
from .detection_rules.sentences import Sentence, split

__all__ = ["looks_like_question", "question_summary"]

_THREAD_MARK = re.compile("\U0001F9F5")  # 🧵: "thread below", a headline


def _is_hook(s: Sentence, nxt: Sentence | None, thread: bool) -> bool:
    """ "Need help? Ask in #support." — a rhetorical lead-in, not a question."""
    if nxt is None or len(s.words) > 5 or not nxt.rest:
        return False
    if thread:
        return True
    first = nxt.rest[0].split("-")[0]
    return first in INSTRUCTIONS and opening(s) == NONE


def _asks(s: Sentence, nxt: Sentence | None, thread: bool, context: requests.Context) -> bool:
    ending = s.ending()
    if ending == "?":
        return (len(s.words) >= 2 and not _is_hook(s, nxt, thread)
                and not rhetoric.is_rhetorical(s))
    if ending == "!" or not s.rest:
        return False
    strength = max(opening(s), requests.opening(s, context))
    clause = s.last_clause()
    if clause is not None:
        # Capped at weak: after a comma, "does the job" is more often an
        # elliptic statement than a question. A request after a comma is not
        # ambiguous that way ("Nouveau ici, je cherche quelqu'un qui…").
        strength = max(strength, min(opening(clause), WEAK),
                       requests.opening(clause, context, title=False))
    if strength == NONE or rhetoric.is_rhetorical(s):
        return False
    if strength == STRONG:
        return True
    return ending == "" and not is_headline(s, thread)


def _asking_sentences(text: str) -> tuple[list[Sentence], list[bool]]:
    sentences = split(text)
    thread = bool(_THREAD_MARK.search(text or ""))
    context = requests.Context(sentences)
    flags = [
        _asks(s, sentences[i + 1] if i + 1 < len(sentences) else None, thread, context)
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
    summary = chosen.after_core(shown=True).lstrip(" ,;:-\u2014\u2013!.") or chosen.shown
    summary = " ".join(summary.split())  # blanked emoji leave runs of spaces
    summary = summary[:1].upper() + summary[1:]
    if len(summary) <= max_len:
        return summary
    cut = summary[: max(max_len - 1, 0)]
    space = cut.rfind(" ")
    if space > max_len // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-\u2014\u2013") + "\u2026"
