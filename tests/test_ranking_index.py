"""The per-group ranking index: kept up to date change by change, it ranks exactly as a fresh build
from the store would, and as plain BM25 over the same profiles does (bot.questions.ranking.rank)."""
import random
from datetime import datetime, timedelta, timezone

import pytest

from bot.clock import FakeClock
from bot.questions.experts import TOPIC_WEIGHT, ExpertService
from bot.questions.fading import decayed, factor, scale
from bot.questions.index import GroupIndex, Profile
from bot.questions.ranking import rank, surface_terms, terms
from bot.questions.vocabulary import MESSAGE, REPLY
from bot.store import MemoryStore, TinyDBStore
from bot.text import tokens

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
WORDS = ("kubectl helm terraform invoice virement figma phishing grafana postgres rollout deploy staging "
         "budget police fonts vpn proxy dns backup cluster pod ingress python pip react").split()
QUESTIONS = ["Why does kubectl apply fail on staging?", "Comment faire un virement ?", "grafana alert on postgres backup",
             "proxy and dns issues behind the vpn", "pip install hangs", "Quelle police pour la charte ?", "k8s ingress 502"]


def ranking(service, text, exclude=()):
    return [(m.user_id, round(m.score, 9), m.source, tuple(m.topics), m.strong)
            for m in service.rank_for("T1", "C1", text, set(exclude))]


@pytest.mark.parametrize("backend", ["memory", "tinydb"])
def test_an_index_kept_up_to_date_ranks_like_one_built_afresh(tmp_path, backend):
    rng = random.Random(11)
    clock = FakeClock(NOW)
    store = MemoryStore() if backend == "memory" else TinyDBStore(tmp_path, flush_interval=3600)
    live = ExpertService(store, clock)
    live.rank_for("T1", "C1", "warm up", set())  # the index exists from now on: every change below updates it
    users = [f"U{n:02d}" for n in range(25)]
    for step in range(600):
        user, roll = rng.choice(users), rng.random()
        if roll < 0.55:
            text = " ".join(rng.sample(WORDS, rng.randint(1, 5)))
            live.heard("T1", "C1", user, text, rng.choice([REPLY, MESSAGE]), f"event-{step}")
        elif roll < 0.65:
            live.declare("T1", user, [rng.choice(WORDS)])
        elif roll < 0.70:
            live.assign("T1", rng.choice(["C1", "C2"]), user, [rng.choice(WORDS)])
        elif roll < 0.77:
            live.learn("T1", user, rng.choice(QUESTIONS))
        elif roll < 0.82:
            live.decline("T1", user, rng.choice(QUESTIONS), "C1")
        elif roll < 0.85:
            live.set_opted_out("T1", user, rng.random() < 0.5)
        elif roll < 0.87:
            live.forget("T1", user, ["C1"])
        elif roll < 0.89:
            live.aliases.add("T1", "C1", rng.choice(WORDS), [rng.choice(WORDS)])
        else:
            clock.advance(hours=rng.randint(1, 24 * 20))
        if step % 100 == 99:
            fresh = ExpertService(store, clock)  # what a restart would build from the store
            for question in QUESTIONS:
                assert ranking(live, question, {"U03"}) == ranking(fresh, question, {"U03"})
    store.close()


def test_the_index_scores_what_plain_bm25_scores_on_the_same_profiles():
    rng = random.Random(5)
    fade = factor(NOW + timedelta(days=40))
    index, documents = GroupIndex(), {}
    for n in range(40):
        profile = Profile(f"U{n:02d}")
        for word in rng.sample(WORDS, 3):
            profile.topics[word] = TOPIC_WEIGHT
        for word in rng.sample(WORDS, 6):
            profile.words[word] = scale(rng.uniform(0.1, 3), NOW - timedelta(days=rng.randint(0, 300)))
        index.put(profile)
        documents[profile.user_id] = {term: profile.tf(term, fade) for term in {*profile.topics, *profile.words}}
    for question in ("kubectl rollout", "virement budget figma", "dns", "nothing known here"):
        query = terms(question)
        expected = rank(query, documents)
        got = [(s.profile.user_id, s.score) for s in index.score(dict.fromkeys(query, 1.0), fade, set())]
        assert [u for u, _ in got] == [u for u, _ in expected]
        assert [s for _, s in got] == pytest.approx([s for _, s in expected])


def test_a_profile_leaving_the_index_leaves_no_trace():
    index = GroupIndex()
    index.put(Profile("U1", topics={"kubectl": 3.0}))
    before = (dict(index.postings), index.constant_total, index.fading_total, index.size())
    index.add_words("U2", {"kubectl": 1.0, "helm": 2.0}, {})
    index.put(Profile("U2", topics={"figma": 3.0}))
    index.remove("U2")
    assert (dict(index.postings), index.constant_total, index.fading_total, index.size()) == before


def test_fading_by_one_factor_is_the_same_as_fading_each_weight():
    learned_at = NOW - timedelta(days=37)
    entry = [2.5, learned_at.isoformat(), "word"]
    assert scale(2.5, learned_at) * factor(NOW) == pytest.approx(decayed(entry, NOW))
    assert scale(1.0, NOW) * factor(NOW + timedelta(days=90)) == pytest.approx(0.5)


def test_question_terms_include_inline_code_but_not_pasted_blocks():
    assert terms("`kubectl rollout undo` fails") == ["kubectl", "rollout", "undo", "fail"]
    assert "traceback" not in terms("It fails:\n```Traceback (most recent call last)```")
    assert surface_terms("Les déploiements échouent") == {"deploi": "déploiements", "echouent": "échouent"}
    sentence = "Comment déployer l'API sur Kubernetes avec des secrets chiffrés ?"
    assert terms(sentence) == list(dict.fromkeys(tokens(sentence)))  # without code, the same terms as bot.text


def test_a_term_held_by_many_is_walked_through_its_heaviest_holders_who_are_scored_exactly(monkeypatch):
    fade = factor(NOW)
    index = GroupIndex()
    for n in range(40):
        index.put(Profile(f"ULIGHT{n:02d}", words={"kubectl": scale(0.2, NOW), "lunch": scale(1.0, NOW), f"own{n}": scale(1.0, NOW)}))
    for n in range(3):
        index.put(Profile(f"UHEAVY{n}", words={"kubectl": scale(3.0 + n, NOW), "helm": scale(1.0, NOW)}))
    query = {"kubectl": 1.0, "helm": 0.3}
    exact = [(s.profile.user_id, s.score) for s in index.score(query, fade, set())]  # 43 holders: all walked

    monkeypatch.setattr("bot.questions.index.LEADERS", 6)
    found = index.score(query, fade, set())
    assert len(found) <= 2 * 6  # the heaviest holders only, not the 43
    assert [(s.profile.user_id, s.score) for s in found[:3]] == exact[:3]  # found, and scored exactly
    assert {user for user, _ in exact[:3]} == {"UHEAVY0", "UHEAVY1", "UHEAVY2"}

    index.add_words("ULIGHT07", {"kubectl": scale(9.0, NOW)}, {})  # a light holder starts talking kubectl a lot
    assert "ULIGHT07" in {s.profile.user_id for s in index.score(query, fade, set())}  # now among the walked
    index.remove("UHEAVY2")
    assert "UHEAVY2" not in {s.profile.user_id for s in index.score(query, fade, set())}
