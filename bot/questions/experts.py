"""Who knows what: declared topics, topics owners assign, expertise learned from answers, and
each member's vocabulary in the group; topic aliases; ranking and why someone was chosen.

Each member of a group is a weighted bag of terms for BM25 (`ranking`, `index`): declared and
assigned topics weigh `TOPIC_WEIGHT` per word; every resolved answer adds `LEARNED_STEP` to the
words of its question (workspace-wide); what they write in the group adds to their vocabulary
there (`vocabulary`). Learned weights halve every `LEARNED_HALF_LIFE_DAYS` (`fading`). A question's
words are completed by topic aliases (`aliases`: a `virement` brings in "accounting").
"Not my topic" halves the expert's score on that question's words, and their evidence on them.

A match is *good* (`Match.strong`) when its evidence reaches `MIN_EVIDENCE`: the sum, over the
question's words that are one of the member's topics or not common in the group (held by at most
`COMMON_FLOOR` members or `COMMON_SHARE` of them, whichever is more), of the member's weight on the
word now, times their "Not my topic" factor, times the word's weight in the question (1 for its
own words and the names its aliases bring in, `SIBLING_WEIGHT` for the other aliases of a topic it
names). So a declared topic (3) always is; a fresh resolved answer (1) is; vocabulary needs a
habit: three recent replies using the word, or seven messages, or fewer when they also use its
sibling aliases (kubectl and helm). The ladder pings good matches only; when there is none it tells
the owners, with the question's key words, rather than pinging weak matches.

The per-group indexes live in memory, built from the store the first time a group is ranked and
then updated by every change made here (this process owns the data directory).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

from ..clock import Clock, parse_iso, utc_iso
from ..store import Store
from ..text import fold, strip_markup, tokens
from .aliases import Aliases, Expansion
from .fading import HALF_LIFE_DAYS, decayed, factor, scale
from .index import GroupIndex, Profile, Scored
from .ranking import surface_terms, terms
from .vocabulary import MAX_WORDS, Vocabulary, words_of

TABLE = "experts"
TOPIC_WEIGHT = 3.0
LEARNED_STEP = 1.0
LEARNED_HALF_LIFE_DAYS = HALF_LIFE_DAYS
DECLINE_FACTOR = 0.5
MIN_EVIDENCE = 1.0
COMMON_FLOOR = 3
COMMON_SHARE = 0.25
SIBLING_WEIGHT = 0.3  # a question's weight on the other aliases of a topic it names (see `aliases`)
REASON_WORDS = 3
MAX_MATCHES = 50  # the ladder asks two people a step: the 50 best are plenty to find who is at work


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
    topics: list[str]  # what to tell them: "you know about …", or the words they use
    learned: bool  # True when the match comes from what they did (answers, messages), not topics
    source: str = "topic"  # "topic", "answers" (questions they resolved) or "vocabulary" (what they write here)
    aliases: dict[str, str] = field(default_factory=dict)  # topic → the question's word that named it
    strong: bool = True  # a good match (see the module's docstring)


class ExpertService:
    def __init__(self, store: Store, clock: Clock):
        self.store = store
        self.clock = clock
        self.vocabulary = Vocabulary(store)
        self.aliases = Aliases(store)
        self._indexes: dict[tuple[str, str], GroupIndex] = {}
        self._lock = threading.RLock()  # lanes learn while the ladder ranks

    def _update(self, team_id: str, user_id: str, apply) -> dict:
        def change(doc):
            doc = doc or {"team_id": team_id, "user_id": user_id, "topics": [], "assigned": {}, "learned": {},
                          "penalties": {}, "opted_out": False, "pings": {}}
            apply(doc)
            return doc
        return self.store.update(TABLE, expert_key(team_id, user_id), change)

    def _change(self, team_id: str, user_id: str, apply) -> dict:
        """Change a profile, and the member's entries in every index of the workspace in memory."""
        with self._lock:
            doc = self._update(team_id, user_id, apply)
            for (team, channel), index in self._indexes.items():
                if team == team_id:
                    index.put(self._profile(team, channel, user_id, doc, self.vocabulary.of(team, channel, user_id)))
        return doc

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
        words = surface_terms(question_text)

        def apply(doc):
            for term, surface in words.items():
                weight = decayed(doc["learned"].get(term), now)
                doc["learned"][term] = [weight + LEARNED_STEP, utc_iso(now), surface]
        self._change(team_id, user_id, apply)

    def heard(self, team_id: str, channel_id: str, user_id: str, text: str, weight: float, once: str | None) -> None:
        """Something they wrote in the group: its words join their vocabulary there. O(words):
        a buffered counter and, when the group's index is in memory, its postings."""
        with self._lock:
            learned = self.vocabulary.add(team_id, channel_id, user_id, text, weight, self.clock.now(), once)
            index = self._indexes.get((team_id, channel_id))
            if learned is None or index is None:
                return  # an index built later reads the store, counters included
            profile = index.add_words(user_id, *learned)
            if len(profile.words) > MAX_WORDS:
                kept = self.vocabulary.prune(team_id, channel_id, user_id)
                index.put(self._profile(team_id, channel_id, user_id, self.store.get(TABLE, expert_key(team_id, user_id)), kept))

    @staticmethod
    def topic_words(question_text: str) -> list[str]:
        """Readable words of a question, longest first: a rough "most telling first" that needs no
        statistics ("kubernetes, deployment" before "roll, back"), for "answered questions about…"."""
        words = list(dict.fromkeys(_surface_words(question_text).values()))
        return sorted(words, key=lambda word: -len(word))

    def decline(self, team_id: str, user_id: str, question_text: str, channel_id: str | None = None) -> None:
        """'Not my topic': their weight on these words drops, and on the words its aliases bring in
        (a kubectl question declined is the Kubernetes field declined)."""
        query = terms(question_text)
        if channel_id is not None:
            with self._lock:
                expansions = self.aliases.table(team_id, channel_id).expand(query)
            query = list(dict.fromkeys(query + [term for e in expansions for term in e.terms + e.siblings]))

        def apply(doc):
            for term in query:
                doc["penalties"][term] = doc["penalties"].get(term, 1.0) * DECLINE_FACTOR
        self._change(team_id, user_id, apply)

    @staticmethod
    def _decayed(entry: list | None, now: datetime) -> float:
        return decayed(entry, now)

    # --- privacy -----------------------------------------------------------------------------
    def learned_about(self, team_id: str, user_id: str, channel_ids: list[str], limit: int = 10) \
            -> tuple[list[tuple[str, list[tuple[str, float]]]], list[tuple[str, float]]]:
        """What was learned about a member: per group, their heaviest words now; and the words of
        the questions their answers resolved. Both as (word, weight now)."""
        now = self.clock.now()
        groups = [(channel, self.vocabulary.current(self.vocabulary.of(team_id, channel, user_id), now, limit))
                  for channel in channel_ids]
        learned = self.profile(team_id, user_id).get("learned", {})
        answers = sorted(((entry[2], decayed(entry, now)) for entry in learned.values()), key=lambda item: (-item[1], item[0]))
        return [(channel, words) for channel, words in groups if words], answers[:limit]

    def forget(self, team_id: str, user_id: str, channel_ids: list[str]) -> int:
        """Forget what was learned about a member (vocabulary in these groups, answers); how many
        words. Declared topics stay: they said those themselves. Only new messages teach again."""
        with self._lock:
            count = sum(self.vocabulary.forget(team_id, channel, user_id) for channel in channel_ids)
            count += len(self.profile(team_id, user_id).get("learned", {}))
            self._change(team_id, user_id, lambda doc: doc.update(learned={}))
        return count

    # --- matching ----------------------------------------------------------------------------
    def _index(self, team_id: str, channel_id: str) -> GroupIndex:
        """The group's index, built from the store the first time (then kept up to date)."""
        index = self._indexes.get((team_id, channel_id))
        if index is None:
            index = GroupIndex()
            docs = {doc["user_id"]: doc for doc in self.store.find(TABLE, team_id=team_id)}
            vocabularies = {doc.get("user_id"): doc for doc in self.vocabulary.members(team_id, channel_id)}
            for user_id in sorted(set(docs) | set(vocabularies) - {None}):
                vocabulary = vocabularies.get(user_id)
                if vocabulary is not None and len(words_of(vocabulary)[0]) > MAX_WORDS:
                    vocabulary = self.vocabulary.prune(team_id, channel_id, user_id)
                index.put(self._profile(team_id, channel_id, user_id, docs.get(user_id), vocabulary))
            self._indexes[(team_id, channel_id)] = index
        return index

    @staticmethod
    def _profile(team_id: str, channel_id: str, user_id: str, doc: dict | None, vocabulary: dict | None) -> Profile:
        doc = doc or {}
        profile = Profile(user_id, penalties=dict(doc.get("penalties", {})), opted_out=bool(doc.get("opted_out")))
        profile.topic_names = list(dict.fromkeys(doc.get("topics", []) + doc.get("assigned", {}).get(channel_id, [])))
        for topic in profile.topic_names:
            topic_terms = terms(topic)
            profile.topic_terms.append((topic, frozenset(topic_terms)))
            for term in topic_terms:
                profile.topics[term] = profile.topics.get(term, 0.0) + TOPIC_WEIGHT
        for term, entry in doc.get("learned", {}).items():
            profile.answers[term] = scale(entry[0], parse_iso(entry[1]))
            profile.surface[term] = entry[2]
        profile.words, surface = words_of(vocabulary)
        for term, word in surface.items():
            profile.surface.setdefault(term, word)
        return profile

    def rank_for(self, team_id: str, channel_id: str, question_text: str, exclude: set[str]) -> list[Match]:
        """The `MAX_MATCHES` best experts for a question, best first; `exclude` holds the asker, bots,
        those already asked."""
        query = terms(question_text)
        with self._lock:
            index = self._index(team_id, channel_id)
            expansions = self.aliases.table(team_id, channel_id).expand(query)
            weights = dict.fromkeys(query + [term for e in expansions for term in e.terms], 1.0)
            for expansion in expansions:
                weights.update((term, SIBLING_WEIGHT) for term in expansion.siblings if term not in weights)
            fade = factor(self.clock.now())
            common = max(COMMON_FLOOR, index.size() * COMMON_SHARE)
            return [self._match(index, scored, set(query), expansions, weights, fade, common)
                    for scored in index.score(weights, fade, exclude)[:MAX_MATCHES]]

    @staticmethod
    def _match(index: GroupIndex, scored: Scored, query: set[str], expansions: list[Expansion], weights: dict[str, float],
               fade: float, common: float) -> Match:
        profile, matched = scored.profile, scored.per_term
        evidence = sum(weights[term] * profile.tf(term, fade) * profile.penalties.get(term, 1.0) for term in matched
                       if term in profile.topics or index.df(term) <= common)
        topics = [name for name, name_terms in profile.topic_terms if name_terms & query]
        aliases = {}
        for expansion in expansions:
            for name, name_terms in profile.topic_terms:
                if name not in topics and name not in aliases and name_terms & set(expansion.terms):
                    aliases[name] = expansion.alias
        if topics or aliases:
            return Match(profile.user_id, scored.score, topics + list(aliases), False, "topic", aliases, evidence >= MIN_EVIDENCE)
        answers = sum(profile.answers.get(term, 0.0) for term in matched)
        words = sum(profile.words.get(term, 0.0) for term in matched)
        part = profile.answers if answers >= words else profile.words
        shown = sorted((term for term in matched if term in part),  # the question's own words first
                       key=lambda term: (-weights[term], -matched[term], term))[:REASON_WORDS]
        return Match(profile.user_id, scored.score, [profile.surface.get(term, term) for term in shown], True,
                     "answers" if part is profile.answers else "vocabulary", {}, evidence >= MIN_EVIDENCE)

    def key_words(self, team_id: str, channel_id: str, question_text: str, limit: int = 5) -> list[str]:
        """The question's most telling words for this group: the rarest in its members' profiles
        first (ties: the question's order)."""
        words = surface_terms(question_text)
        with self._lock:
            index = self._index(team_id, channel_id)
            ranked = sorted(enumerate(words), key=lambda item: (index.df(item[1]), item[0]))
        return list(dict.fromkeys(words[term] for _, term in ranked))[:limit]

    # --- daily ping cap ----------------------------------------------------------------------
    def pings_on(self, team_id: str, user_id: str, day: str) -> int:
        return self.profile(team_id, user_id).get("pings", {}).get(day, 0)

    def record_ping(self, team_id: str, user_id: str, day: str, count: int = 1) -> None:
        """Count a ping on their local `day` (count=-1 takes back one whose post failed)."""
        def apply(doc):
            pings = {d: n for d, n in doc.get("pings", {}).items() if d >= day}  # keep only today onwards
            pings[day] = max(pings.get(day, 0) + count, 0)
            doc["pings"] = pings
        self._update(team_id, user_id, apply)  # pings are not ranked on: the indexes stay as they are


def _surface_words(text: str) -> dict[str, str]:
    """term → a readable word that produced it, to say "similar questions about deployments"."""
    surface: dict[str, str] = {}
    for word in fold(strip_markup(text)).replace("'", " ").split():
        word = "".join(ch for ch in word if ch.isalnum())
        for term in tokens(word):
            surface.setdefault(term, word)
    return surface
