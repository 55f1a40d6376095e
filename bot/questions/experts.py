"""Who knows what: declared topics, topics owners assign, and expertise learned from answers.

Each expert becomes a weighted bag of words for BM25 (`bot.ranking`): declared and assigned topics
weigh `TOPIC_WEIGHT` per word; every resolved answer adds `LEARNED_STEP` to the words of its
question, halving every `LEARNED_HALF_LIFE_DAYS` so old answers fade; "Not my topic" halves the
expert's score on that question's words.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..clock import Clock, parse_iso, utc_iso
from .ranking import rank
from ..store import Store
from ..text import fold, strip_markup, tokens

TABLE = "experts"
TOPIC_WEIGHT = 3.0
LEARNED_STEP = 1.0
LEARNED_HALF_LIFE_DAYS = 90.0
DECLINE_FACTOR = 0.5


def expert_key(team_id: str, user_id: str) -> str:
    return f"{team_id}:{user_id}"


def split_topics(text: str) -> list[str]:
    """'kubernetes, CI/CD; notes de frais' → ['kubernetes', 'ci/cd', 'notes de frais']."""
    parts = [part.strip().lower() for part in text.replace(";", ",").split(",")]
    return [part[:60] for part in parts if part and tokens(part)]


@dataclass
class Match:
    user_id: str
    score: float
    topics: list[str]  # what to tell them: "you know about …"
    learned: bool  # True when the match comes from answers they gave, not declared topics


class ExpertService:
    def __init__(self, store: Store, clock: Clock):
        self.store = store
        self.clock = clock

    def _change(self, team_id: str, user_id: str, apply) -> dict:
        def change(doc):
            doc = doc or {"team_id": team_id, "user_id": user_id, "topics": [], "assigned": {}, "learned": {},
                          "penalties": {}, "opted_out": False, "pings": {}}
            apply(doc)
            return doc
        return self.store.update(TABLE, expert_key(team_id, user_id), change)

    def profile(self, team_id: str, user_id: str) -> dict:
        return self.store.get(TABLE, expert_key(team_id, user_id)) or {"topics": [], "assigned": {}, "learned": {}, "opted_out": False}

    # --- declared and assigned topics -------------------------------------------------------
    def declare(self, team_id: str, user_id: str, topics: list[str]) -> list[str]:
        added = []

        def apply(doc):
            for topic in topics:
                if topic not in doc["topics"]:
                    doc["topics"].append(topic)
                    added.append(topic)
        self._change(team_id, user_id, apply)
        return added

    def withdraw(self, team_id: str, user_id: str, topics: list[str]) -> list[str]:
        removed = []

        def apply(doc):
            for topic in topics:
                if topic in doc["topics"]:
                    doc["topics"].remove(topic)
                    removed.append(topic)
        self._change(team_id, user_id, apply)
        return removed

    def assign(self, team_id: str, channel_id: str, user_id: str, topics: list[str]) -> None:
        def apply(doc):
            assigned = doc["assigned"].setdefault(channel_id, [])
            assigned += [topic for topic in topics if topic not in assigned]
        self._change(team_id, user_id, apply)

    def unassign(self, team_id: str, channel_id: str, user_id: str, topics: list[str]) -> None:
        def apply(doc):
            kept = [topic for topic in doc["assigned"].get(channel_id, []) if topic not in topics]
            doc["assigned"][channel_id] = kept
        self._change(team_id, user_id, apply)

    def declared_topics(self, team_id: str) -> list[tuple[str, list[str]]]:
        """(user, topics they declared) for everyone in the workspace who declared some."""
        return [(doc["user_id"], doc["topics"]) for doc in self.store.find(TABLE, team_id=team_id) if doc.get("topics")]

    def set_opted_out(self, team_id: str, user_id: str, opted_out: bool) -> None:
        self._change(team_id, user_id, lambda doc: doc.update(opted_out=opted_out))

    def directory(self, team_id: str, channel_id: str, topic: str | None = None) -> list[tuple[str, list[str]]]:
        """(user, topics) for `/community experts [topic]`, declared and assigned for this channel."""
        wanted = set(tokens(topic)) if topic else None
        listing = []
        for doc in self.store.find(TABLE, team_id=team_id):
            topics = list(dict.fromkeys(doc.get("topics", []) + doc.get("assigned", {}).get(channel_id, [])))
            if wanted is not None:
                topics = [t for t in topics if wanted & set(tokens(t))]
            if topics and not doc.get("opted_out"):
                listing.append((doc["user_id"], topics))
        return sorted(listing)

    # --- learning ----------------------------------------------------------------------------
    def learn(self, team_id: str, user_id: str, question_text: str) -> None:
        """Their reply resolved a question: they gain weight on its words."""
        now = self.clock.now()
        words = _surface_words(question_text)

        def apply(doc):
            for term, surface in words.items():
                weight = self._decayed(doc["learned"].get(term), now)
                doc["learned"][term] = [weight + LEARNED_STEP, utc_iso(now), surface]
        self._change(team_id, user_id, apply)

    @staticmethod
    def topic_words(question_text: str) -> list[str]:
        """Readable words of a question, longest first: a rough "most telling first" that needs no
        statistics ("kubernetes, deployment" before "roll, back"), for "answered questions about…"."""
        words = list(dict.fromkeys(_surface_words(question_text).values()))
        return sorted(words, key=lambda word: -len(word))

    def decline(self, team_id: str, user_id: str, question_text: str) -> None:
        """'Not my topic': their weight on these words drops."""
        def apply(doc):
            for term in set(tokens(question_text)):
                doc["penalties"][term] = doc["penalties"].get(term, 1.0) * DECLINE_FACTOR
        self._change(team_id, user_id, apply)

    @staticmethod
    def _decayed(entry: list | None, now: datetime) -> float:
        if not entry:
            return 0.0
        age_days = (now - parse_iso(entry[1])).total_seconds() / 86400
        return entry[0] * 0.5 ** (max(age_days, 0) / LEARNED_HALF_LIFE_DAYS)

    # --- matching ----------------------------------------------------------------------------
    def rank_for(self, team_id: str, channel_id: str, question_text: str, exclude: set[str]) -> list[Match]:
        """Experts for a question, best first; `exclude` holds the asker, bots, those already asked."""
        now = self.clock.now()
        documents: dict[str, dict[str, float]] = {}
        profiles: dict[str, dict] = {}
        for doc in self.store.find(TABLE, team_id=team_id):
            if doc["user_id"] in exclude or doc.get("opted_out"):
                continue
            weights: dict[str, float] = {}
            for topic in doc.get("topics", []) + doc.get("assigned", {}).get(channel_id, []):
                for term in tokens(topic):
                    weights[term] = weights.get(term, 0.0) + TOPIC_WEIGHT
            for term, entry in doc.get("learned", {}).items():
                weights[term] = weights.get(term, 0.0) + self._decayed(entry, now)
            if weights:
                documents[doc["user_id"]] = weights
                profiles[doc["user_id"]] = doc
        query = tokens(question_text)
        matches = []
        for user_id, score in rank(query, documents):
            matches.append(self._why(profiles[user_id], channel_id, set(query), score * _penalty(profiles[user_id], documents[user_id], query)))
        return sorted(matches, key=lambda m: (-m.score, m.user_id))

    @staticmethod
    def _why(doc: dict, channel_id: str, query: set[str], score: float) -> Match:
        topics = [t for t in doc.get("topics", []) + doc.get("assigned", {}).get(channel_id, []) if query & set(tokens(t))]
        if topics:
            return Match(doc["user_id"], score, list(dict.fromkeys(topics)), learned=False)
        learned = sorted((e for term, e in doc.get("learned", {}).items() if term in query), key=lambda e: -e[0])
        return Match(doc["user_id"], score, [e[2] for e in learned[:3]], learned=True)

    # --- daily ping cap ----------------------------------------------------------------------
    def pings_on(self, team_id: str, user_id: str, day: str) -> int:
        return self.profile(team_id, user_id).get("pings", {}).get(day, 0)

    def record_ping(self, team_id: str, user_id: str, day: str, count: int = 1) -> None:
        """Count a ping on their local `day` (count=-1 takes back one whose post failed)."""
        def apply(doc):
            pings = {d: n for d, n in doc.get("pings", {}).items() if d >= day}  # keep only today onwards
            pings[day] = max(pings.get(day, 0) + count, 0)
            doc["pings"] = pings
        self._change(team_id, user_id, apply)


def _penalty(doc: dict, weights: dict[str, float], query: list[str]) -> float:
    """Declines scale the score itself: cutting the weights would be undone by BM25's length
    normalisation (the whole profile shrinks with them). Geometric mean over the matched words."""
    factors = [doc.get("penalties", {}).get(term, 1.0) for term in set(query) if term in weights]
    product = 1.0
    for factor in factors:
        product *= factor
    return product ** (1 / len(factors)) if factors else 1.0


def _surface_words(text: str) -> dict[str, str]:
    """term → a readable word that produced it, to say "similar questions about deployments"."""
    surface: dict[str, str] = {}
    for word in fold(strip_markup(text)).replace("'", " ").split():
        word = "".join(ch for ch in word if ch.isalnum())
        for term in tokens(word):
            surface.setdefault(term, word)
    return surface
