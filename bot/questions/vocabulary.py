"""Each member's vocabulary in a group: the words they write there, with weights that fade.

Learned as messages are applied (never by reading history back), for the expert ranking: people
who talk about a tool are found for questions about it. Per message, each distinct term counts
once (a long paste does not outweigh a habit), at most `TERMS_PER_MESSAGE` terms:
- `REPLY` for a reply in a thread (answering is what we want to find people for),
- `MESSAGE` for another top-level message,
- `ANSWER` more for the reply that resolved a question (✅ or **Mark as answer**),
- nothing for a question they ask (asking about kubectl says they need help with it).
Weights fade with the same half-life as the expertise learned from answers (`fading`).

Storage: one document per member and group with a buffered counter `w.<term>` per word (its
scaled weight, see `fading`: adding is a plain sum, so learning costs a few dictionary updates and
is written with the other counters) and `s.<term>`, the word as they wrote it. A member keeps at
most `MAX_WORDS` words per group: past that, the weakest are dropped (`prune`), so a profile never
grows with history. A group's documents are spread over `SHARDS` tables
(`vocabulary.<team>.<channel>.<shard>`), so a prune, which rewrites its table's file at once,
rewrites a thirty-second of the group, not all of it.
"""
from __future__ import annotations

import zlib
from datetime import datetime

from ..store import Store
from .fading import factor, scale
from .ranking import surface_terms

REPLY = 0.4
MESSAGE = 0.15
ANSWER = 1.0
TERMS_PER_MESSAGE = 40
MAX_WORDS = 300
KEPT_ON_PRUNE = 150  # half: at least 150 new words between two prunes of a member
SHARDS = 32
WEIGHT = "w."
SURFACE = "s."


def vocabulary_table(team_id: str, channel_id: str, user_id: str) -> str:
    return f"vocabulary.{team_id}.{channel_id}.{zlib.crc32(user_id.encode()) % SHARDS:02d}"


def member_key(team_id: str, channel_id: str, user_id: str) -> str:
    return f"{team_id}:{channel_id}:{user_id}"


def words_of(doc: dict | None) -> tuple[dict[str, float], dict[str, str]]:
    """(term → scaled weight, term → word as written) of a vocabulary document."""
    weights, surface = {}, {}
    for name, value in (doc or {}).items():
        if name.startswith(WEIGHT) and isinstance(value, (int, float)) and value > 0:
            term = name[len(WEIGHT):]
            weights[term] = float(value)
            surface[term] = (doc or {}).get(SURFACE + term, term)
    return weights, surface


class Vocabulary:
    def __init__(self, store: Store):
        self.store = store

    def add(self, team_id: str, channel_id: str, user_id: str, text: str, weight: float, at: datetime,
            once: str | None) -> tuple[dict[str, float], dict[str, str]] | None:
        """Learn the words of `text`; (term → scaled weight added, term → word), or None when there
        was nothing to learn or this message was already counted (`once`, a replayed event)."""
        words = surface_terms(text, TERMS_PER_MESSAGE)
        if not words or weight <= 0:
            return None
        value = scale(weight, at)
        added = {term: value for term in words}
        latest = {"team_id": team_id, "channel_id": channel_id, "user_id": user_id}
        latest.update((SURFACE + term, word[:60]) for term, word in words.items())
        counted = self.store.accumulate(vocabulary_table(team_id, channel_id, user_id), member_key(team_id, channel_id, user_id),
                                        add={WEIGHT + term: value for term in words}, latest=latest, once=once)
        return (added, words) if counted else None

    def of(self, team_id: str, channel_id: str, user_id: str) -> dict | None:
        return self.store.get(vocabulary_table(team_id, channel_id, user_id), member_key(team_id, channel_id, user_id))

    def members(self, team_id: str, channel_id: str) -> list[dict]:
        return [doc for shard in range(SHARDS) for doc in self.store.find(f"vocabulary.{team_id}.{channel_id}.{shard:02d}")]

    def prune(self, team_id: str, channel_id: str, user_id: str) -> dict | None:
        """Keep a member's `KEPT_ON_PRUNE` heaviest words (all fade alike: the heaviest scaled are
        the heaviest now); the document as kept."""
        def apply(doc):
            if doc is None:
                return None
            weights, _ = words_of(doc)
            kept = set(sorted(weights, key=lambda term: (-weights[term], term))[:KEPT_ON_PRUNE])
            return {name: value for name, value in doc.items()
                    if not name.startswith((WEIGHT, SURFACE)) or name[2:] in kept}
        return self.store.update(vocabulary_table(team_id, channel_id, user_id), member_key(team_id, channel_id, user_id), apply)

    def forget(self, team_id: str, channel_id: str, user_id: str) -> int:
        """Delete what was learned about a member here (buffered counters too); how many words."""
        table, key = vocabulary_table(team_id, channel_id, user_id), member_key(team_id, channel_id, user_id)
        weights, _ = words_of(self.store.get(table, key))
        self.store.delete(table, key)
        return len(weights)

    @staticmethod
    def current(doc: dict | None, now: datetime, limit: int) -> list[tuple[str, float]]:
        """(word as written, weight now) of the heaviest `limit` words, for the member to see."""
        weights, surface = words_of(doc)
        worth = factor(now)
        ranked = sorted(weights, key=lambda term: (-weights[term], term))[:limit]
        return [(surface[term], weights[term] * worth) for term in ranked]
