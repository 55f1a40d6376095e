"""Text normalisation (bot.text) and BM25 expert ranking (bot.ranking)."""

import math

import pytest

from bot.questions.ranking import explain, rank
from bot.text import fold, is_stop_word, stem, strip_markup, tokens
from handlers.mrkdwn import to_plain


def strip_slack_markup(raw: str, **options) -> str:
    """What the core sees of a Slack message: the adapter's plain text, then the core's cleaning."""
    return strip_markup(to_plain(raw, name_mentions=False)[0], **options)

# --- Slack markup (adapter) and shared conventions (core) -------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("run ```kubectl get pods\n-o wide``` then retry", "run then retry"),
        ("use `pip install -e .` here", "use here"),
        ("see <https://example.com/doc?x=1|the doc> now", "see the doc now"),
        ("see <https://example.com/doc?x=1> now", "see now"),
        ("ping <@U123ABC> or <@U456|bob>", "ping or"),
        ("in <#C123|general> and <#C999>", "in #general and #C999"),
        ("<!here> <!channel> <!subteam^S1|@platform> deploy", "deploy"),
        ("done :tada: :+1::skin-tone-2: ok", "done ok"),
        ("&gt; quoted line\nreply", "quoted line reply"),
        ("meet at 10:30:45 sharp", "meet at 10:30:45 sharp"),
        ("a &amp; b &lt;tag&gt;", "a & b <tag>"),
        ("  lots \n\n of\tspace  ", "lots of space"),
    ],
)
def test_strip_slack_markup(raw, expected):
    assert strip_slack_markup(raw) == expected


def test_strip_slack_markup_can_keep_lines():
    assert strip_slack_markup("first  line\n\n<@U1> second", keep_newlines=True) == (
        "first line\nsecond")


# --- Folding, stop words ----------------------------------------------------


def test_fold_lowercases_strips_accents_and_apostrophes():
    assert fold("Déploiement ÉTÉ où Ça") == "deploiement ete ou ca"
    assert fold("l’API d‘accès") == "l'api d'acces"
    assert fold("Œuvre") == "oeuvre"


@pytest.mark.parametrize("word", ["the", "Pourquoi", "où", "comment", "how", "merci", "thanks",
                                  "bonjour", "anyone", "quelqu", "est", "does"])
def test_stop_words(word):
    assert is_stop_word(word)


@pytest.mark.parametrize("word", ["kubernetes", "vpn", "figma", "payroll", "frais", "sql"])
def test_topic_words_are_not_stop_words(word):
    assert not is_stop_word(word)


# --- Stemming ---------------------------------------------------------------


def _stems(*words):
    return {stem(fold(w)) for w in words}


def test_english_deploy_family_shares_a_stem():
    assert len(_stems("deployments", "deployment", "deploying", "deploy", "deployed")) == 1


def test_french_deploiement_family_shares_a_stem():
    assert len(_stems("déploiement", "déploiements", "déployer", "déployé")) == 1


def test_french_and_english_deploy_meet():
    assert _stems("déploiement") == _stems("deployment")


@pytest.mark.parametrize(
    "words",
    [
        ("expense", "expenses"),
        ("package", "packages", "packaging"),
        ("library", "libraries"),
        ("cache", "caches", "cached", "caching"),
        ("configure", "configured", "configuring"),
        ("security", "sécurité"),
        ("note", "notes"),
        ("dashboard", "dashboards"),
        ("donnée", "données"),
        ("réseau", "réseaux"),
        ("log", "logging"),
    ],
)
def test_inflections_share_a_stem(words):
    assert len(_stems(*words)) == 1


def test_kubernetes_stays_recognisable():
    assert stem("kubernetes") == "kubernetes"
    assert tokens("Kubernetes") == ["kubernetes"]


@pytest.mark.parametrize("word", ["bus", "api", "sql", "status", "access", "frais", "string",
                                  "server", "docker", "k8s", "ipv6"])
def test_short_and_special_words_are_not_overstemmed(word):
    assert stem(word) == word


def test_stemming_is_deterministic():
    assert [stem("deployments") for _ in range(3)] == ["deploi"] * 3


# --- tokens -----------------------------------------------------------------


def test_tokens_drop_stop_words_elisions_and_markup():
    text = "Salut <@U1> ! Quelqu’un sait comment configurer l'API ? :pray: <https://x.io|doc>"
    assert tokens(to_plain(text, name_mentions=False)[0]) == ["configur", "api", "doc"]


def test_tokens_english_question():
    assert tokens("Hi all, how do I deploy to Kubernetes? Thanks!") == ["deploi", "kubernetes"]


def test_tokens_keep_digits_and_drop_one_char_tokens():
    assert tokens("Python 3.12 on k8s, a b c") == ["python", "12", "k8s"]


def test_tokens_ignore_code_and_urls():
    assert tokens("see ```SELECT * FROM payroll``` and https://x.io/?q=vpn") == ["see"]


def test_tokens_same_for_accents_and_case():
    assert tokens("NOTES DE FRAIS") == tokens("notes de frais") == ["note", "frais"]
    assert tokens("Sécurité") == tokens("securite")


# --- BM25 -------------------------------------------------------------------

DECLARED = 3.0


def _profile(topics, learned):
    """An expert profile as the bot builds it: declared topics + learned words."""
    doc: dict[str, float] = {}
    for topic in topics:
        for term in tokens(topic):
            doc[term] = doc.get(term, 0.0) + DECLARED
    for word, weight in learned.items():
        for term in tokens(word):
            doc[term] = doc.get(term, 0.0) + weight
    return doc


@pytest.fixture
def experts():
    return {
        "U01KUBE": _profile(["Kubernetes", "déploiement", "Helm"],
                            {"cluster": 1.0, "rollback": 0.8, "staging": 0.5}),
        "U02PY": _profile(["Python", "packaging", "pip"],
                          {"wheel": 1.0, "virtualenv": 0.7, "pyproject": 0.8}),
        "U03DESIGN": _profile(["design", "Figma", "design system"],
                              {"icons": 1.0, "slides": 0.6, "charte graphique": 0.6}),
        "U04PAY": _profile(["payroll", "expenses", "notes de frais"],
                           {"remboursement": 1.0, "salary": 0.7, "paie": 1.0}),
        "U05SEC": _profile(["sécurité", "VPN"],
                           {"phishing": 1.0, "password": 0.8, "SSO": 0.8}),
        "U06DATA": _profile(["data", "SQL", "base de données"],
                            {"dashboard": 1.0, "warehouse": 0.8, "postgres": 0.6}),
    }


@pytest.mark.parametrize(
    "question, expected",
    [
        ("How do I roll back a deployment on Kubernetes?", "U01KUBE"),
        ("Comment déployer sur le cluster de staging ?", "U01KUBE"),
        ("Quelqu'un sait publier un package Python sur notre index privé ?", "U02PY"),
        ("pip install fails to build the wheel, any idea?", "U02PY"),
        ("Which Figma library should I use for the new icons?", "U03DESIGN"),
        ("Où trouver la charte graphique pour les slides ?", "U03DESIGN"),
        ("Comment je fais ma note de frais pour un déplacement ?", "U04PAY"),
        ("Where do I submit my expenses for the offsite?", "U04PAY"),
        ("Who handles payroll questions?", "U04PAY"),
        ("Le VPN ne marche plus depuis ce matin, une idée ?", "U05SEC"),
        ("Is our password policy compliant with the security guidelines?", "U05SEC"),
        ("How can I query the sales table in SQL?", "U06DATA"),
        ("Quelle base de données utiliser pour les dashboards ?", "U06DATA"),
    ],
)
def test_top_expert(experts, question, expected):
    ranking = rank(tokens(question), experts)
    assert ranking, f"no expert for {question!r}"
    assert ranking[0][0] == expected


def test_only_matching_docs_are_returned_best_first(experts):
    ranking = rank(tokens("How do I deploy to Kubernetes with Python?"), experts)
    assert [doc_id for doc_id, _ in ranking] == ["U01KUBE", "U02PY"]
    assert all(score > 0 for _, score in ranking)


def test_no_match_and_empty_inputs():
    docs = {"U1": {"vpn": 3.0}}
    assert rank(["figma"], docs) == []
    assert rank([], docs) == []
    assert rank(["vpn"], {}) == []


def test_ties_are_broken_by_id():
    docs = {"U_C": {"vpn": 3.0}, "U_A": {"vpn": 3.0}, "U_B": {"vpn": 3.0}}
    ranking = rank(["vpn"], docs)
    assert [doc_id for doc_id, _ in ranking] == ["U_A", "U_B", "U_C"]
    assert len({score for _, score in ranking}) == 1


def test_term_in_every_doc_scores_less_than_rare_term():
    docs = {
        "U1": {"common": 1.0, "rare": 1.0},
        "U2": {"common": 1.0, "other": 1.0},
        "U3": {"common": 1.0, "else": 1.0},
    }
    common = dict(rank(["common"], docs))["U1"]
    rare = dict(rank(["rare"], docs))["U1"]
    assert 0 < common < rare   # the +1 IDF keeps a ubiquitous term positive


def test_score_matches_bm25_formula():
    docs = {"U1": {"vpn": 2.0, "sso": 2.0}, "U2": {"figma": 1.0}}
    k1, b = 1.2, 0.75
    avgdl = (4.0 + 1.0) / 2
    idf = math.log(1 + (2 - 1 + 0.5) / (1 + 0.5))
    expected = idf * 2.0 * (k1 + 1) / (2.0 + k1 * (1 - b + b * 4.0 / avgdl))
    assert rank(["vpn"], docs) == [("U1", pytest.approx(expected))]


def test_longer_profile_scores_less_for_same_weight():
    docs = {"FOCUSED": {"vpn": 3.0}, "BROAD": {"vpn": 3.0, "figma": 3.0, "sql": 3.0}}
    assert [doc_id for doc_id, _ in rank(["vpn"], docs)] == ["FOCUSED", "BROAD"]


def test_repeated_query_terms_count_once():
    docs = {"U1": {"vpn": 3.0}, "U2": {"sql": 3.0}}
    assert rank(["vpn", "vpn", "vpn"], docs) == rank(["vpn"], docs)


def test_heavier_weight_wins():
    docs = {"DECLARED": {"vpn": 3.0, "x": 1.0}, "LEARNED": {"vpn": 0.5, "x": 3.5}}
    assert rank(["vpn"], docs)[0][0] == "DECLARED"


def test_explain_lists_matched_terms_by_weight(experts):
    query = tokens("roll back a Kubernetes deployment on staging, SQL maybe?")
    assert explain(query, experts["U01KUBE"]) == ["kubernetes", "deploi", "stag"]
    assert explain(query, experts["U03DESIGN"]) == []


def test_explain_ties_follow_query_order():
    doc = {"vpn": 1.0, "sso": 1.0, "figma": 2.0}
    assert explain(["sso", "vpn", "figma", "sso"], doc) == ["figma", "sso", "vpn"]
