"""Okapi BM25 over weighted term documents: which experts fit a question.

A document is an expert's profile, term -> weight. The weight plays the part
of a term frequency but is a float: declared topics weigh more than words
learned from answered questions, and learned words can decay over time.
A document's length is the sum of its weights, so an expert with a long,
diffuse profile is not favoured over a focused one.

`rank` scores a whole set of documents at once (tests, small sets); the expert
ranking keeps the same statistics per group in an index updated as profiles
change (`bot.questions.index`) and uses `idf` and `term_score` from here.
Questions and profiles are turned into terms by `terms`: the words of
`bot.text.tokens`, plus those written as inline code (`kubectl`), which in a
question name the very tool it is about.
"""

from __future__ import annotations

import math
import re

from ..text import STOP_WORDS, fold, stem, strip_markup

__all__ = ["rank", "explain", "idf", "term_score", "terms", "surface_terms", "K1", "B"]

K1 = 1.2
B = 0.75


def _distinct(terms: list[str]) -> list[str]:
    # A word repeated in a question should not count twice; keep first-seen
    # order so scores are summed in a fixed order (bit-for-bit reproducible).
    return list(dict.fromkeys(terms))


def idf(n_docs: int, df: int) -> float:
    # The "+1" form stays positive even for a term in every document, so
    # a common topic still counts a little instead of penalising.
    return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))


def term_score(idf_value: float, tf: float, norm: float) -> float:
    """One term's share of a document's score; `norm` is K1 · (1 − B + B · length / average)."""
    return idf_value * tf * (K1 + 1) / (tf + norm)


def rank(
    query_terms: list[str],
    documents: dict[str, dict[str, float]],
    *,
    k1: float = K1,
    b: float = B,
) -> list[tuple[str, float]]:
    """Score every document against the query with BM25.

    Returns (doc id, score) for documents scoring above zero, best first,
    ties broken by doc id so the order never depends on dict order.
    Non-positive weights are treated as absent terms.
    """
    terms_ = _distinct(query_terms)
    if not terms_ or not documents:
        return []

    lengths = {
        doc_id: sum(w for w in doc.values() if w > 0) for doc_id, doc in documents.items()
    }
    avgdl = sum(lengths.values()) / len(documents)
    if avgdl <= 0:
        return []

    n_docs = len(documents)
    idfs = {term: idf(n_docs, sum(1 for doc in documents.values() if doc.get(term, 0) > 0)) for term in terms_}

    scored = []
    for doc_id, doc in documents.items():
        norm = k1 * (1 - b + b * lengths[doc_id] / avgdl)
        score = 0.0
        for term in terms_:
            tf = doc.get(term, 0)
            if tf > 0:
                score += idfs[term] * tf * (k1 + 1) / (tf + norm)
        if score > 0:
            scored.append((doc_id, score))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored


def explain(query_terms: list[str], doc: dict[str, float]) -> list[str]:
    """The query terms found in ``doc``, heaviest first (ties: query order).

    Used to tell an expert why they were asked: "you answered similar
    questions about X".
    """
    matched = [t for t in _distinct(query_terms) if doc.get(t, 0) > 0]
    order = {t: i for i, t in enumerate(matched)}
    return sorted(matched, key=lambda t: (-doc[t], order[t]))


# --- terms of questions and profiles ----------------------------------------------------------
_CODE_BLOCK = re.compile(r"```.*?```", re.S)  # pasted logs and code: too long and noisy to rank on
_INLINE_CODE = re.compile(r"`([^`\n]+)`")
_WORD = re.compile(r"[^\W_]+")


def _words(text: str) -> list[str]:
    """The words of `text`, lower case but with their accents, inline code included."""
    text = _INLINE_CODE.sub(r" \1 ", _CODE_BLOCK.sub(" ", text or ""))
    return _WORD.findall(strip_markup(text).lower())


def surface_terms(text: str, limit: int | None = None) -> dict[str, str]:
    """term → the first word that gave it, as written (lower case): "déploiements" for "deploi".
    At most `limit` distinct terms, in order of appearance."""
    found: dict[str, str] = {}
    for word in _words(text):
        for folded in _WORD.findall(fold(word)):  # a ligature or an apostrophe may split a word
            if len(folded) < 2 or folded in STOP_WORDS:
                continue
            term = stem(folded)
            if len(term) >= 2 and term not in found:
                found[term] = word
                if limit is not None and len(found) >= limit:
                    return found
    return found


def terms(text: str) -> list[str]:
    """The distinct terms of a question or a topic, in order (see `surface_terms`)."""
    return list(surface_terms(text))
