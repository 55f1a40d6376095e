"""A group's ranking index: BM25 statistics kept up to date as profiles change.

Ranking a question walks the postings of its few words, not the whole group: the index holds, per
term, the members whose profile has it with their weights (its document frequency is their
number), and per member the length of their profile, as BM25 needs them. A change to one member's
profile (a declared topic, an answer, a message they wrote) updates their entries only.

So that the cost stays flat as the group grows, members are *found* through the question's own
words (weight 1; the words its aliases only suggest are not walked), and a term held by more than
`LEADERS` members is walked through its `LEADERS` heaviest holders only (chosen when first needed,
kept up to date as weights grow, chosen again as time changes the balance between topics and
fading words). Every member found is then scored exactly, on every term of the question. Up to
`LEADERS` holders per term, the ranking is exact BM25 over the members holding a word of weight 1.

A profile (one member, one group) has a constant part (declared and assigned topics) and a fading
part (words learned from their answers and from what they write here), kept scaled to an epoch
(`fading`): at a given moment every fading weight is its scaled value times one factor, so lengths
and their average are two running sums and nothing is recomputed as time passes.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from .ranking import B, K1, idf, term_score

LEADERS = 100


@dataclass
class Profile:
    user_id: str
    topics: dict[str, float] = field(default_factory=dict)  # term → constant weight (declared, assigned)
    answers: dict[str, float] = field(default_factory=dict)  # term → scaled weight (resolved answers)
    words: dict[str, float] = field(default_factory=dict)  # term → scaled weight (what they write here)
    topic_names: list[str] = field(default_factory=list)
    topic_terms: list[tuple[str, frozenset[str]]] = field(default_factory=list)  # (topic, its terms)
    surface: dict[str, str] = field(default_factory=dict)  # term → a word they wrote that gave it
    penalties: dict[str, float] = field(default_factory=dict)  # term → factor ("Not my topic")
    opted_out: bool = False

    def has(self, term: str) -> bool:
        return term in self.topics or term in self.answers or term in self.words

    def tf(self, term: str, fade: float) -> float:
        return self.topics.get(term, 0.0) + (self.answers.get(term, 0.0) + self.words.get(term, 0.0)) * fade

    def lengths(self) -> tuple[float, float]:
        return sum(self.topics.values()), sum(self.answers.values()) + sum(self.words.values())

    def penalty(self, matched) -> float:
        """Declines scale the score itself: cutting the weights would be undone by BM25's length
        normalisation (the whole profile shrinks with them). Geometric mean over the matched words."""
        factors = [self.penalties.get(term, 1.0) for term in matched]
        product = 1.0
        for value in factors:
            product *= value
        return product ** (1 / len(factors)) if factors else 1.0


@dataclass
class Scored:
    profile: Profile
    score: float
    per_term: dict[str, float]  # matched term → its share of the score (before the penalty)


@dataclass
class _Leaders:
    fade: float  # the fading factor they were chosen at
    floor: float  # the lightest one's weight then
    users: set[str]


class GroupIndex:
    def __init__(self):
        self.profiles: dict[str, Profile] = {}
        # term → member → (constant weight, scaled fading weight): the postings carry the weights,
        # so scoring reads one tuple per holder; a term's document frequency is its number of holders.
        self.postings: dict[str, dict[str, tuple[float, float]]] = {}
        self._lengths: dict[str, tuple[float, float]] = {}
        self._holding: set[str] = set()  # members whose profile has at least one term: BM25's N
        self._leaders: dict[str, _Leaders] = {}  # term → its heaviest holders, for terms held by many
        self.constant_total = 0.0
        self.fading_total = 0.0

    # --- changes --------------------------------------------------------------------------
    def put(self, profile: Profile) -> None:
        """Replace a member's profile (an empty one leaves the index)."""
        self.remove(profile.user_id)
        if not (profile.topics or profile.answers or profile.words):
            if profile.opted_out or profile.penalties:
                self.profiles[profile.user_id] = profile  # kept for its flags; counts for nothing
                self._lengths[profile.user_id] = (0.0, 0.0)
            return
        for term in {*profile.topics, *profile.answers, *profile.words}:
            self._set(term, profile.user_id, _weights(profile, term))
        self.profiles[profile.user_id] = profile
        self._holding.add(profile.user_id)
        self._add_lengths(profile.user_id, *profile.lengths())

    def remove(self, user_id: str) -> None:
        profile = self.profiles.pop(user_id, None)
        if profile is None:
            return
        self._holding.discard(user_id)
        for term in {*profile.topics, *profile.answers, *profile.words}:
            users = self.postings.get(term)
            if users is not None:
                users.pop(user_id, None)
                if term in self._leaders:
                    self._leaders[term].users.discard(user_id)
                if not users:
                    del self.postings[term]
        constant, fading = self._lengths.pop(user_id)
        self.constant_total -= constant
        self.fading_total -= fading

    def add_words(self, user_id: str, scaled: dict[str, float], surface: dict[str, str]) -> Profile:
        """What a member just wrote: O(words), whatever the size of the group."""
        profile = self.profiles.get(user_id)
        if profile is None:
            profile = self.profiles[user_id] = Profile(user_id)
            self._lengths[user_id] = (0.0, 0.0)
        added = 0.0
        for term, value in scaled.items():
            profile.words[term] = profile.words.get(term, 0.0) + value
            self._set(term, user_id, _weights(profile, term))
            profile.surface.setdefault(term, surface.get(term, term))
            added += value
        if scaled:
            self._holding.add(user_id)
        self._add_lengths(user_id, 0.0, added)
        return profile

    def _set(self, term: str, user_id: str, weights: tuple[float, float]) -> None:
        self.postings.setdefault(term, {})[user_id] = weights
        leaders = self._leaders.get(term)
        if leaders is not None and user_id not in leaders.users and weights[0] + weights[1] * leaders.fade > leaders.floor:
            leaders.users.add(user_id)  # now among the heaviest
            if len(leaders.users) > 2 * LEADERS:
                del self._leaders[term]  # chosen again when next needed

    def _walked(self, term: str, users: dict, fade: float):
        """The holders of `term` a ranking walks: all of them, or its heaviest for a common term."""
        if len(users) <= LEADERS:
            return users
        leaders = self._leaders.get(term)
        if leaders is None or len(leaders.users) < LEADERS * 3 // 4 or not 0.9 <= fade / leaders.fade <= 1.1:
            top = heapq.nlargest(LEADERS, users.items(), key=lambda item: item[1][0] + item[1][1] * fade)
            lightest = top[-1][1]
            leaders = self._leaders[term] = _Leaders(fade, lightest[0] + lightest[1] * fade, {user for user, _ in top})
        return leaders.users

    def _add_lengths(self, user_id: str, constant: float, fading: float) -> None:
        old_constant, old_fading = self._lengths.get(user_id, (0.0, 0.0))
        self._lengths[user_id] = (old_constant + constant, old_fading + fading)
        self.constant_total += constant
        self.fading_total += fading

    # --- reading --------------------------------------------------------------------------
    def df(self, term: str) -> int:
        return len(self.postings.get(term, ()))

    def size(self) -> int:
        return len(self._holding)

    def idf(self, term: str) -> float:
        return idf(self.size(), self.df(term))

    def score(self, query: dict[str, float], fade: float, exclude: set[str]) -> list[Scored]:
        """BM25 of every member holding one of the query's terms, best first (ties: user id).
        `query` is term → its weight in the question (1, less for words its aliases suggest).
        Walks the query terms' postings only: the cost is theirs, not the group's size."""
        n_docs = self.size()
        average = (self.constant_total + self.fading_total * fade) / n_docs if n_docs else 0.0
        if not query or average <= 0:
            return []
        shares: dict[str, dict[str, float]] = {}
        norms: dict[str, float] = {}
        partly: list[tuple[str, float, float, dict]] = []  # terms not walked through all their holders
        for term, weight in query.items():
            users = self.postings.get(term)
            if not users:
                continue
            term_idf = idf(n_docs, len(users))
            walked = self._walked(term, users, fade) if weight >= 1.0 else ()
            if walked is not users:
                partly.append((term, weight, term_idf, users))
            for user_id in walked:
                constant_tf, fading_tf = users.get(user_id) or (0.0, 0.0)
                if user_id in exclude:
                    continue
                norm = norms.get(user_id)
                if norm is None:
                    constant, fading = self._lengths[user_id]
                    norm = norms[user_id] = K1 * (1 - B + B * (constant + fading * fade) / average)
                tf = constant_tf + fading_tf * fade
                if tf > 0:
                    shares.setdefault(user_id, {})[term] = weight * term_score(term_idf, tf, norm)
        for term, weight, term_idf, users in partly:  # members found elsewhere, scored on these terms too
            for user_id, per_term in shares.items():
                if term not in per_term and user_id in users:
                    constant_tf, fading_tf = users[user_id]
                    if constant_tf + fading_tf * fade > 0:
                        per_term[term] = weight * term_score(term_idf, constant_tf + fading_tf * fade, norms[user_id])
        scored = []
        for user_id, per_term in shares.items():
            profile = self.profiles[user_id]
            if profile.opted_out:
                continue
            total = sum(per_term.values()) * profile.penalty(per_term)
            if total > 0:
                scored.append(Scored(profile, total, per_term))
        scored.sort(key=lambda s: (-s.score, s.profile.user_id))
        return scored


def _weights(profile: Profile, term: str) -> tuple[float, float]:
    return profile.topics.get(term, 0.0), profile.answers.get(term, 0.0) + profile.words.get(term, 0.0)
