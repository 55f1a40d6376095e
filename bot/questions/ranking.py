"""Okapi BM25 over weighted term documents: which experts fit a question.

A document is an expert's profile, term -> weight. The weight plays the part
of a term frequency but is a float: declared topics weigh more than words
learned from answered questions, and learned words can decay over time.
A document's length is the sum of its weights, so an expert with a long,
diffuse profile is not favoured over a focused one.
"""

from __future__ import annotations

import math

__all__ = ["rank", "explain"]


def _distinct(terms: list[str]) -> list[str]:
    # A word repeated in a question should not count twice; keep first-seen
    # order so scores are summed in a fixed order (bit-for-bit reproducible).
    return list(dict.fromkeys(terms))


def rank(
    query_terms: list[str],
    documents: dict[str, dict[str, float]],
    *,
    k1: float = 1.2,
    b: float = 0.75,
) -> list[tuple[str, float]]:
    """Score every document against the query with BM25.

    Returns (doc id, score) for documents scoring above zero, best first,
    ties broken by doc id so the order never depends on dict order.
    Non-positive weights are treated as absent terms.
    """
    terms = _distinct(query_terms)
    if not terms or not documents:
        return []

    lengths = {
        doc_id: sum(w for w in doc.values() if w > 0) for doc_id, doc in documents.items()
    }
    avgdl = sum(lengths.values()) / len(documents)
    if avgdl <= 0:
        return []

    n_docs = len(documents)
    idf = {}
    for term in terms:
        df = sum(1 for doc in documents.values() if doc.get(term, 0) > 0)
        # The "+1" form stays positive even for a term in every document, so
        # a common topic still counts a little instead of penalising.
        idf[term] = math.log(1 + (n_docs - df + 0.5) / (df + 0.5))

    scored = []
    for doc_id, doc in documents.items():
        norm = k1 * (1 - b + b * lengths[doc_id] / avgdl)
        score = 0.0
        for term in terms:
            tf = doc.get(term, 0)
            if tf > 0:
                score += idf[term] * tf * (k1 + 1) / (tf + norm)
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
