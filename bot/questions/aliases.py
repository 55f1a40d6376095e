"""Topic aliases: the tools, symptoms and objects of a field, so that a question about a `kubectl`
error or a `virement` reaches the people who know Kubernetes or accounting.

An entry is a topic's names ("accounting", "comptabilité") and its aliases ("virement", "facture").
A question naming one of them (all the words of a phrase such as "mot de passe") brings in the
entry's names: the ranking then finds those who declared any of them, or often talk about them.
It also brings in the entry's other one-word aliases, weighing less (`SIBLING_WEIGHT` in the
ranking): someone who talks about kubectl *and* helm is more likely the one for a kubectl error
than someone who once said kubectl. Those words add to a score but never make a match good alone.

The built-in list (`aliases.json`) is data, loaded once. Owners add aliases to a topic in their
group (`/community experts alias kubernetes k8s, kubectl`), and switch a built-in one off
(`/community experts unalias kubernetes pod`); those live in the `topic_aliases` table, one document
per group and topic.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from ..store import Store
from .ranking import terms

TABLE = "topic_aliases"
BUILT_IN = Path(__file__).with_name("aliases.json")
MAX_PER_TOPIC = 40
MAX_TOPICS = 200  # per group


@dataclass(frozen=True)
class Expansion:
    alias: str  # what the question said: "virement"
    names: tuple[str, ...]  # the topic's names: ("accounting", "comptabilité", …)
    terms: tuple[str, ...]  # the terms the names add to the question
    siblings: tuple[str, ...] = ()  # the terms of its other one-word aliases


@dataclass
class Entry:
    names: list[str]
    aliases: list[str]


@functools.lru_cache(maxsize=1)
def built_in() -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    data = json.loads(BUILT_IN.read_text(encoding="utf-8"))
    return tuple((tuple(e["names"]), tuple(e["aliases"])) for e in data["topics"])


def alias_key(team_id: str, channel_id: str, topic: str) -> str:
    return f"{team_id}:{channel_id}:{topic}"


def entry_of(entries: list[Entry], topic: str) -> Entry | None:
    """The entry one of whose names is `topic` (compared as terms: "Comptabilite" is "comptabilité")."""
    wanted = terms(topic)
    for entry in entries:
        if any(terms(name) == wanted for name in entry.names):
            return entry
    return None


def _built_in_entries() -> list[Entry]:
    return [Entry(list(names), list(aliases)) for names, aliases in built_in()]


class AliasTable:
    """One group's entries, ready to match a question's terms."""

    def __init__(self, entries: list[Entry]):
        self.entries = entries
        self._phrases: dict[str, list[tuple[frozenset[str], str, int]]] = {}  # first term → (terms, phrase, entry)
        self._names: list[tuple[str, ...]] = []
        self._siblings: list[tuple[str, ...]] = []
        for number, entry in enumerate(entries):
            name_terms = tuple(dict.fromkeys(term for name in entry.names for term in terms(name)))
            self._names.append(name_terms)
            single = (terms(alias) for alias in entry.aliases)
            self._siblings.append(tuple(dict.fromkeys(t[0] for t in single if len(t) == 1 and t[0] not in name_terms)))
            for phrase in entry.names + entry.aliases:
                phrase_terms = terms(phrase)
                if phrase_terms:
                    self._phrases.setdefault(phrase_terms[0], []).append((frozenset(phrase_terms), phrase, number))

    def expand(self, query: list[str]) -> list[Expansion]:
        """The entries the question names, each once, with the phrase that named it."""
        present = set(query)
        found: dict[int, Expansion] = {}
        for term in query:
            for phrase_terms, phrase, number in self._phrases.get(term, ()):
                if number not in found and phrase_terms <= present:
                    found[number] = Expansion(phrase, tuple(self.entries[number].names), self._names[number],
                                              self._siblings[number])
        return list(found.values())


class Aliases:
    def __init__(self, store: Store):
        self.store = store
        self._tables: dict[tuple[str, str], AliasTable] = {}

    def table(self, team_id: str, channel_id: str) -> AliasTable:
        cached = self._tables.get((team_id, channel_id))
        if cached is None:
            cached = self._tables[(team_id, channel_id)] = AliasTable(self._entries(team_id, channel_id))
        return cached

    def _entries(self, team_id: str, channel_id: str) -> list[Entry]:
        entries = _built_in_entries()
        for doc in sorted(self.store.find(TABLE, team_id=team_id, channel_id=channel_id), key=lambda d: d["topic"]):
            entry = entry_of(entries, doc["topic"])
            if entry is None:
                entry = Entry([doc["topic"]], [])
                entries.append(entry)
            off = {tuple(terms(a)) for a in doc.get("off", [])}
            entry.aliases = [a for a in entry.aliases if tuple(terms(a)) not in off]
            entry.aliases += [a for a in doc.get("aliases", []) if a not in entry.aliases]
        return entries

    def of(self, team_id: str, channel_id: str, topic: str) -> tuple[list[str], list[str]]:
        """(the owners' aliases, the built-in ones still on) for a topic in a group."""
        doc = self.store.get(TABLE, alias_key(team_id, channel_id, topic)) or {}
        own = doc.get("aliases", [])
        entry = entry_of(_built_in_entries(), topic)
        off = {tuple(terms(a)) for a in doc.get("off", [])}
        builtin = [a for a in (entry.aliases if entry else []) if tuple(terms(a)) not in off and a not in own]
        return own, builtin

    def listing(self, team_id: str, channel_id: str) -> list[tuple[str, list[str]]]:
        """(topic, the owners' aliases) in this group, by topic."""
        docs = self.store.find(TABLE, team_id=team_id, channel_id=channel_id)
        return sorted((d["topic"], d.get("aliases", [])) for d in docs if d.get("aliases"))

    def add(self, team_id: str, channel_id: str, topic: str, aliases: list[str]) -> list[str] | None:
        """The aliases added (already known ones skipped); None when the group has too many topics."""
        if self.store.get(TABLE, alias_key(team_id, channel_id, topic)) is None and \
                len(self.store.find(TABLE, team_id=team_id, channel_id=channel_id)) >= MAX_TOPICS:
            return None
        added: list[str] = []
        topic_terms = terms(topic)

        def apply(doc):
            doc = doc or {"team_id": team_id, "channel_id": channel_id, "topic": topic, "aliases": [], "off": []}
            for alias in aliases:
                alias_terms = terms(alias)
                doc["off"] = [a for a in doc["off"] if terms(a) != alias_terms]  # saying it again turns it back on
                if alias_terms != topic_terms and alias not in doc["aliases"] and len(doc["aliases"]) < MAX_PER_TOPIC:
                    doc["aliases"].append(alias)
                    added.append(alias)
            return doc
        self.store.update(TABLE, alias_key(team_id, channel_id, topic), apply)
        self._tables.pop((team_id, channel_id), None)
        return added

    def remove(self, team_id: str, channel_id: str, topic: str, aliases: list[str]) -> list[str]:
        """The aliases removed: the owners' own are deleted, built-in ones switched off here."""
        _, builtin = self.of(team_id, channel_id, topic)
        builtin_terms = {tuple(terms(a)) for a in builtin}
        removed: list[str] = []

        def apply(doc):
            doc = doc or {"team_id": team_id, "channel_id": channel_id, "topic": topic, "aliases": [], "off": []}
            for alias in aliases:
                if alias in doc["aliases"]:
                    doc["aliases"].remove(alias)
                    removed.append(alias)
                elif tuple(terms(alias)) in builtin_terms and alias not in doc["off"]:
                    doc["off"].append(alias)
                    removed.append(alias)
            return doc if doc["aliases"] or doc["off"] else None
        self.store.update(TABLE, alias_key(team_id, channel_id, topic), apply)
        self._tables.pop((team_id, channel_id), None)
        return removed
