"""Question detection on realistic Slack messages, French and English.

CASES is module-level so other code (benchmarks, tuning scripts) can import
it. Each entry is (message text as Slack delivers it, does it ask a question).
CASES is the part the rules are tuned on; HELD_OUT (tests/question_detection_heldout.py) is the
part they were not written against, reported separately.
"""

import hashlib

import pytest

from bot.questions import detection
from handlers.mrkdwn import to_plain
from tests.question_detection_heldout import HELD_OUT


# The core reads plain text; the Slack adapter turns what Slack delivers into it. These cases are
# Slack messages, so they go through both, as in the running bot.
def looks_like_question(slack_text: str) -> bool:
    return detection.looks_like_question(to_plain(slack_text, name_mentions=False)[0])


def question_summary(slack_text: str, **options) -> str:
    return detection.question_summary(to_plain(slack_text, name_mentions=False)[0], **options)

CASES = [
    # --- English, questions -------------------------------------------------
    ("How do I get access to the staging cluster?", True),
    ("Hi all, does anyone know how to rotate the AWS keys for the CI user", True),
    ("<@U024BE7LH> can you review my PR when you get a chance", True),
    ("Is there a way to run the test suite for just one package", True),
    ("hey team, what's the wifi password for the 3rd floor? :pray:", True),
    ("Who's in for lunch", True),
    ("Anyone know a good SQL formatter for VS Code", True),
    ("Any idea why `pip install -e .` fails with a setuptools error?", True),
    ("Where can I find the expense policy? The <https://intranet.example.com/hr|HR page> "
     "only has the old one", True),
    ("Quick question: the VPN keeps dropping every 10 minutes on macOS, is that a known issue",
     True),
    ("Has anyone tried the new Figma dev mode for handoffs?!", True),
    ("Should we pin the Python version in pyproject or in the Dockerfile", True),
    ("I'm wondering whether we should move the nightly job to Airflow", True),
    ("Could someone with admin rights add me to the payroll channel? (I'm new)", True),
    (":wave: Hello everyone! I'm new here. Which channel should I use to report a phishing email?",
     True),
    ("why does the deploy job hang at 'waiting for approval'", True),
    ("how to configure SSO for the data warehouse", True),
    ("What time is the all-hands tomorrow (Paris time)?", True),
    ("<@U01> <@U02> is the VPN down for you too", True),
    ("Is it possible to export a Figma board as PDF with the comments.", True),
    ("Anyone around? I need a second pair of eyes on a failing migration.", True),
    ("Can I expense a monitor for my home office ? 🙏", True),
    ("Does anyone know why I get this error when building the wheel:\n"
     "```error: invalid command 'bdist_wheel'```", True),
    ("I have a question about the payroll export for contractors", True),
    ("Does anyone have a spare HDMI adapter? Thanks in advance!", True),
    ("Which Postgres version are we running in prod", True),
    ("I can't log into Jenkins since this morning, anyone else", True),
    ("Deploying at 10:30, who wants to pair", True),
    # --- English, not questions ---------------------------------------------
    ("When the build finishes I'll deploy.", False),
    ("How we shipped v2 in six weeks: a thread 🧵", False),
    ("What I learned from migrating 40 services to Kubernetes", False),
    ("Thanks!", False),
    ("thanks <@U0G9QF9C6>, that fixed it :tada:", False),
    ("Deployed v2.3 to production. Release notes: "
     "<https://wiki.example.com/release?id=23|here>", False),
    ("Fixed the regex in the parser, it was ```^(a|b)?c$``` instead of ```^(a|b)c$```", False),
    ("See https://docs.example.com/search?q=vpn&lang=en for the VPN setup steps.", False),
    ("<!channel> The office will be closed on Friday for maintenance.", False),
    ("Need help with expenses? Ask in <#C0FIN|finance-help>, they answer within a day.", False),
    ("Why we moved our CI from Jenkins to GitHub Actions", False),
    ("Do not merge to main until the freeze is over.", False),
    ("Can confirm, the fix works on staging.", False),
    ("Should be fixed now, the DNS change has propagated", False),
    ("What a launch! Congrats to the whole team :rocket:", False),
    ("?", False),
    (":+1::skin-tone-2:", False),
    ("", False),
    ("Reminder: the security training is due Friday. Anyone who hasn't done it yet will get "
     "a nudge from HR.", False),
    ("When you get a chance, please fill in the offsite survey.", False),
    ("&gt; How do I reset my password?\nAnswered in the FAQ, pinned in this channel.", False),
    ("Have a great weekend everyone", False),
    ("Where possible, use the shared Terraform modules instead of copying them.", False),
    ("Really?", False),
    ("Why Rust? Here's what we learned after a year in production 🧵", False),
    ("Heads up: `main` is now protected, PRs only. Ask <@U0ADMIN> if you need an exception.",
     False),
    ("FYI the payroll export will run at 6pm instead of 5pm today", False),
    ("Would love some feedback on my RFC: <https://docs.google.com/document/d/1|RFC-42>", False),
    ("Let me know if you have questions!", False),
    ("What's new in v3: faster builds, dark mode and a new CLI", False),
    # --- French, questions --------------------------------------------------
    ("Salut ! Quelqu'un sait comment faire un rollback sur le cluster de prod ? Merci", True),
    ("Bonjour à tous, est-ce que quelqu'un a les droits admin sur Jenkins", True),
    ("Comment je fais pour me connecter au VPN depuis Linux", True),
    ("Le déploiement sur staging marche ?", True),
    ("Savez-vous si la note de frais pour le train doit passer par Concur.", True),
    ("Où est la doc pour publier un package Python en interne", True),
    ("Pourquoi le job de build échoue depuis ce matin ?!", True),
    ("Quelle version de Postgres on utilise en prod", True),
    ("Y a-t-il un template Figma pour les slides de l’offsite", True),
    ("Peut-on déployer un vendredi après 16h", True),
    ("Hello la team, une idée pour accélérer la CI ? :thinking_face:", True),
    ("<@U02ABCD> tu sais si le VPN est coupé ce soir", True),
    ("Petite question : les notes de frais de repas sont plafonnées à combien", True),
    ("Des idées de sujets pour le prochain meetup data", True),
    ("Il y a moyen de récupérer une table supprimée sur le data warehouse", True),
    ("On se retrouve où pour la rétro", True),
    ("Qui est dispo pour relire ma PR sur le module de paie", True),
    ("Combien de temps faut-il pour obtenir un accès à la base de prod", True),
    ("Coucou, vous avez un lien vers la charte graphique ?", True),
    ("Auriez-vous un retour sur Figma vs Sketch pour le design system", True),
    ("Bonjour, je me demandais si on pouvait avoir un second écran pour le télétravail", True),
    ("Quand est-ce que la nouvelle politique de sécurité entre en vigueur", True),
    ("J'ai une question sur le remboursement des frais kilométriques.", True),
    ("bonjour <!here> qqn sait pourquoi grafana affiche plus rien depuis la mise à jour", True),
    ("Est-ce qu’on a une licence Figma en trop pour une stagiaire", True),
    ("je n'arrive pas à me connecter au VPN, vous savez pourquoi", True),
    ("C'est quoi le mot de passe du wifi invité", True),
    # --- French, not questions ----------------------------------------------
    ("Quand tu auras fini, préviens-moi.", False),
    ("Comment nous avons réduit de moitié le temps de build 🧵", False),
    ("Merci beaucoup !", False),
    ("Le déploiement est terminé, tout est vert :white_check_mark:", False),
    ("<!here> Rappel : les notes de frais de mars sont à saisir avant vendredi.", False),
    ("Inscrivez-vous à la formation sécurité ici : <https://forms.example.com/?id=42|formulaire>",
     False),
    ("Quelle journée ! Merci à tous pour la mise en prod", False),
    ("Pourquoi nous sommes passés à Kubernetes : retour d'expérience", False),
    ("Quand la CI passe au vert, je merge.", False),
    ("Rendez-vous à 14h en salle Everest pour la démo.", False),
    ("J'ai mis à jour la doc du VPN, le lien est dans le canal.", False),
    ("Des questions ? Écrivez-nous dans <#C0SECU|securite>.", False),
    ("Une idée : on pourrait tester Renovate pour les dépendances", False),
    ("Quelqu'un a cassé le build sur main, je regarde.", False),
    ("Je ne sais pas pourquoi mais le VPN refonctionne", False),
    ("Voici le lien vers le dashboard : https://grafana.example.com/d/abc?orgId=1&refresh=30s",
     False),
    ("Bonne semaine à tous ☀️", False),
    ("👍", False),
    ("Comment on a divisé par deux la facture AWS", False),
    ("&gt; Quelqu'un sait où est la doc ?\nC'est dans Confluence, section Plateforme.", False),
    ("Super, merci pour ton aide sur la config SQL 🙏", False),
    ("Vraiment ?", False),
    ("Connectez-vous au nouveau VPN avant lundi.", False),
    ("Je merge quand la CI est verte", False),
    ("On peut en parler demain.", False),
    ("Envie de tester la v2 ? Inscrivez-vous ici : <https://x.io/beta|formulaire>", False),
    ("Nouvelle version du template de slides dispo, ```?``` n'est plus un caractère interdit",
     False),
    # --- Issue 9: asking with no question form, and "?" that asks nothing ----
    # A title line ending in a colon, then a problem.
    ("Souci : le proxy refuse les connexions vers le registre npm depuis ce matin", True),
    ("Blocker: staging won't start after the last merge", True),
    ("Petit souci avec Outlook : les invitations n'arrivent plus dans le calendrier", True),
    ("Help: my laptop fan runs at full speed as soon as Docker starts", True),
    ("Weird one: the CSV export drops every row after 10,000", True),
    ("Problème de VPN : déconnexion toutes les 5 minutes sur le wifi de l'étage", True),
    ("J'ai un souci avec la paie :\nmon virement de mars n'est pas arrivé", True),
    ("Bloqué : impossible de merger ma PR, le check SonarQube reste en attente.", True),
    ("Issue with SSO: Okta loops back to the login page on Firefox.", True),
    ("Galère avec la VM de dev : plus de place sur le disque et je ne sais pas quoi supprimer", True),
    ("Souci réglé : le proxy accepte de nouveau les connexions.", False),
    ("Known issue: exports are slow on Monday mornings, a fix ships next week.", False),
    ("Pas de souci : je prends la relève sur l'astreinte ce week-end.", False),
    ("Incident : le VPN est coupé, l'équipe réseau est dessus, retour prévu vers 15h.", False),
    ("Bug fixed: the payroll export includes bonuses again.", False),
    ("Urgent: please update Chrome before the end of the day, the security patch is critical.",
     False),
    ("Blocker removed: staging is back up.", False),
    # A need stated as a search for someone.
    ("On recherche une personne qui maîtrise Terraform pour relire notre module réseau", True),
    ("Looking for someone familiar with Airflow to pair on a flaky DAG", True),
    ("Je cherche quelqu'un qui a déjà fait une demande de congé parental ici.", True),
    ("We need somebody who speaks German for a customer call on Thursday.", True),
    ("Besoin d'un coup de main sur un tableau croisé dynamique Excel", True),
    ("Looking for a volunteer to help me carry the demo kit to room 4 at noon", True),
    ("Nous cherchons quelqu'un de l'équipe juridique pour valider une clause de contrat.", True),
    ("Seeking help with a flaky Cypress test on the checkout page", True),
    ("Looking for advice on moving our Postgres from RDS to Aurora.", True),
    ("On recrute ! Nous cherchons quelqu'un pour renforcer l'équipe data, CDI à Lyon.", False),
    ("Looking forward to the demo on Friday.", False),
    ("We're hiring: looking for someone to lead the platform team, apply on the careers page.",
     False),
    ("Je cherchais quelqu'un pour la relecture mais c'est bon, Paul s'en occupe.", False),
    # Indirect questions ending in a full stop.
    ("Je me demandais si on pouvait passer la rétro à 15h cette semaine.", True),
    ("Curious whether anyone has migrated from Jenkins to Buildkite.", True),
    ("I wonder who owns the staging AWS account now.", True),
    ("Je voudrais savoir comment on déclare des heures sup.", True),
    ("I'd like to know whether the office is open on the 26th.", True),
    ("Wondering if there's a shared calendar for the meeting rooms.", True),
    ("Je ne sais pas à qui demander pour avoir une licence Adobe.", True),
    ("Not sure who to ask about the new travel policy.", True),
    ("Je suis curieux de savoir comment les autres équipes gèrent les revues de code.", True),
    ("Trying to figure out why the nightly export is empty since Sunday.", True),
    ("J'aimerais savoir si les tickets resto sont crédités avant ou après la paie.", True),
    ("I wonder why we didn't do this sooner, the new pipeline is twice as fast!", False),
    ("Je me demandais où était passée la doc : elle a été déplacée dans Confluence, c'est réglé.",
     False),
    ("I was wondering about that too, but it works now.", False),
    # Requests for advice.
    ("Des conseils pour un premier entretien annuel côté manager", True),
    ("Any advice on structuring a one-on-one with a new report.", True),
    ("Any tips for keeping Slack notifications under control", True),
    ("Vos recommandations pour un bon clavier ergonomique.", True),
    ("Des retours sur Linear vs Jira pour une équipe de 10", True),
    ("Suggestions welcome for the team lunch venue next week", True),
    ("Would appreciate any advice on setting up a home office budget.", True),
    ("Best way to share a 20 GB video with a client", True),
    ("Un avis sur les écrans 4K pour du dev ?", True),
    ("Je suis preneur de conseils pour négocier un temps partiel.", True),
    ("Tips for writing good commit messages: keep the subject short, say why in the body.",
     False),
    ("Astuce du jour : Ctrl+Shift+T rouvre l'onglet fermé.", False),
    ("Merci pour les conseils, le nouveau clavier change la vie", False),
    ("Any advice given here is personal, not legal advice.", False),
    ("Un conseil : sauvegardez vos fichiers avant la migration de vendredi.", False),
    # A "?" inside a quoted title (talk, book, poll, e-mail subject).
    ("Super talk de Julie hier, « Faut-il encore écrire des tests unitaires ? », les slides sont "
     "sur le drive.", False),
    ("Finished reading \"Who Moved My Cheese?\" on the train, highly recommend it.", False),
    ("Le sondage “On passe à la semaine de 4 jours ?” a recueilli 80 réponses.", False),
    ("Got an email with subject 'Invoice overdue?' from an unknown sender, forwarded it to "
     "security.", False),
    ("Next book club pick: “What If?” by Randall Munroe.", False),
    ("Has anyone read “Why We Sleep”? Worth it", True),
    ("Est-ce que quelqu'un a reçu un mail « Votre compte est-il à jour ? » ce matin", True),
    ("What does “DRI” mean in the on-call doc?", True),
    ("Reçu ce matin un mail avec pour objet « Votre colis est-il bien arrivé ? »", False),
    ("New poll in #random: \"Pineapple on pizza?\"", False),
    ("Our talk for DevFest got accepted: “Do you really need Kubernetes?”", False),
    # A "?" inside code or a pattern.
    ("Made the trailing slash optional in the route: /api/v1/users/? now matches both.", False),
    ("Le pattern ^(https?://)?example\\.com$ accepte maintenant les URL sans schéma.", False),
    ("We now use the ?. operator everywhere in the front end, see the lint rule.", False),
    ("J'ai remplacé `a ? b : c` par un if, plus lisible.", False),
    ("The config key retry_on_error? was renamed to retry_on_error in v2.", False),
    ("Pourquoi le pattern \\d+? ne matche rien dans Grafana ?", True),
    ("Is `foo?` valid syntax in Ruby method names?", True),
    # Rhetorical questions that ask nothing, and questions that look like them.
    ("Quoi de mieux qu'un vendredi sans incident ?", False),
    ("How cool is that?", False),
    ("Who doesn't love a clean inbox?", False),
    ("Qui ne rêve pas d'une semaine sans réunion ?", False),
    ("Isn't that amazing?", False),
    ("C'est pas beau, ça ?", False),
    ("What's better than a long weekend?", False),
    ("Guess what? We hit 1,000 customers today 🎉", False),
    ("Who knew spreadsheets could be this fun?", False),
    ("Vous vous rendez compte ? Zéro incident ce trimestre.", False),
    ("Que demander de plus ?", False),
    ("How lucky are we to have such a great on-call team?", False),
    ("Qui l'eût cru ?", False),
    ("What could be better than pizza on a Friday?", False),
    ("How big is the prod database now?", True),
    ("Who hasn't received their new laptop yet?", True),
    ("Quoi de neuf sur le ticket de la paie ?", True),
    ("How cool is the new office, has anyone been there yet?", True),
    ("Can you believe the invoice portal is still down? Anyone know who to call", True),
    # Found while writing the rules above, kept so that they stay fixed.
    ("Help needed with the VPN config on Ubuntu", True),
    ("SOS Excel : ma formule RECHERCHEV renvoie #N/A", True),
    ("Je cherche un tuto pour configurer Docker sur Windows", True),
    ("SSO issue: can't log into Grafana", True),
    ("Problème d'impression : l'imprimante du 2e affiche 'offline'", True),
    ("Your feedback on the RFC is welcome until Friday.", False),
    ("We're looking for a new office in Lyon, more news soon.", False),
    ("Bug triage: every Tuesday at 10, in the Everest room.", False),
    ("Issue 42: add dark mode to the dashboard", False),
    ("Build broken: fix incoming", False),
    ("Help: type /community help for the list of commands", False),
    ("Not sure if you saw it, but the all-hands moved to 3pm.", False),
    ("Des retours sur la démo : très positifs, merci à tous.", False),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_case(text, expected):
    assert looks_like_question(text) is expected


def scores(table) -> dict:
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    for text, expected in table:
        got = looks_like_question(text)
        counts[("t" if got == expected else "f") + ("p" if got else "n")] += 1
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "n": len(table), **counts}


def report(name: str, s: dict) -> str:
    return (f"{name}: precision={s['precision']:.3f} recall={s['recall']:.3f} f1={s['f1']:.3f} "
            f"on {s['n']} sentences (tp={s['tp']} fp={s['fp']} fn={s['fn']} tn={s['tn']})")


def test_precision_and_recall_on_the_tuned_part():
    # The rules were written against CASES: anything short of every sentence right is a regression.
    s = scores(CASES)
    print("\nquestion detection, " + report("tuned part", s))
    assert (s["precision"], s["recall"]) == (1.0, 1.0)


# The held-out part measured F1 0.295 (P 0.391, R 0.237) with the detector of before issue 9, and
# F1 0.946 (P 0.972, R 0.921; 3 questions missed, 1 false alarm) the first time it was run after
# the rules were written. The floor leaves room for a sentence or two, not for a regression.
HELD_OUT_F1_FLOOR = 0.90
HELD_OUT_DIGEST = "819ce61c7ef595f741f0b57aec19638af431983111cf18eda87cffff625b435f"


def test_precision_and_recall_on_the_held_out_part():
    # Sentences the rules were not written against (see tests/question_detection_heldout.py): a
    # wrong one there is a finding, not a failing case; only the overall figure has a floor.
    s = scores(HELD_OUT)
    print("\nquestion detection, " + report("held-out part", s))
    assert s["f1"] >= HELD_OUT_F1_FLOOR


def test_the_held_out_part_is_the_one_committed_before_the_rules():
    # Editing it silently would make its figure meaningless: change this digest only together with
    # a note of why, and never to fit the rules (move such a sentence to CASES instead).
    digest = hashlib.sha256(repr(HELD_OUT).encode("utf-8")).hexdigest()
    assert digest == HELD_OUT_DIGEST


@pytest.mark.parametrize("table", [CASES, HELD_OUT], ids=["tuned", "held-out"])
def test_table_is_balanced(table):
    # Keeps the table honest: both classes well represented.
    positives = sum(1 for _, expected in table if expected)
    assert len(table) >= 70
    assert 0.4 <= positives / len(table) <= 0.6


def test_the_tuned_part_has_the_issue_9_sentences():
    # At least 60 sentences written for issue 9 (asking with no question form, "?" asking nothing),
    # at least half of them questions.
    first = next(i for i, (text, _) in enumerate(CASES) if text.startswith("Souci : le proxy"))
    new = CASES[first:]
    assert len(new) >= 60 and sum(1 for _, expected in new if expected) >= len(new) / 2


def test_quoted_spans_and_patterns_are_kept_in_the_summary():
    assert question_summary("Has anyone read “Why We Sleep”? Worth it") == (
        "Has anyone read “Why We Sleep”?")
    assert question_summary("Pourquoi le pattern \\d+? ne matche rien dans Grafana ?") == (
        "Pourquoi le pattern \\d+? ne matche rien dans Grafana ?")


def test_summary_skips_greeting_and_markup():
    text = "Salut <!here> ! Quelqu'un sait comment faire un rollback :pray: ? Merci"
    assert question_summary(text) == "Quelqu'un sait comment faire un rollback ?"


def test_summary_drops_greeting_prefix_in_same_sentence():
    assert question_summary("hi all, how do I reset my VPN token?") == (
        "How do I reset my VPN token?")


def test_summary_is_ellipsised_at_word_boundary():
    text = ("Does anyone know how to configure the corporate VPN client on a Linux laptop "
            "running Fedora with Wayland and a YubiKey?")
    summary = question_summary(text, max_len=60)
    assert len(summary) <= 60
    assert summary.endswith("…")
    assert summary.startswith("Does anyone know how to configure")
    assert not summary[:-1].endswith(" ")


def test_summary_of_statement_is_first_sentence():
    assert question_summary("Deployed v2.3. Release notes in the wiki.") == "Deployed v2.3."


def test_summary_of_empty_message():
    assert question_summary("") == ""
    assert question_summary(":tada:") == ""


# --- Through the running bot: Slack event in, expert asked (or nobody) -----------------------------

def test_a_problem_title_with_no_question_mark_reaches_the_expert(group):
    group.run("UALICE", "expertise add kubernetes, deployment")
    ts = group.say("UDAN", "Blocker: the kubernetes deployment on staging won't start since the "
                           "last merge")
    assert group.core.questions.get("T1", "C1", ts)["summary"] == (
        "Blocker: the kubernetes deployment on staging won't start since the last merge")
    group.advance(minutes=30)
    [ping] = group.slack.wait_for("chat.postMessage", where=lambda p: p.get("thread_ts") == ts)
    assert ping["text"].startswith("<@UALICE> — could you help <@UDAN> with this question?")


@pytest.mark.parametrize("text", [
    "Our talk for DevFest got accepted: “Do you really need Kubernetes?”",
    "Made the trailing slash optional in the route: /api/v1/users/? now matches both.",
    "Quoi de mieux qu'un vendredi sans incident ?",
])
def test_a_question_mark_that_asks_nothing_is_not_tracked(group, text):
    ts = group.say("UDAN", text)
    group.advance(minutes=30)
    assert group.core.questions.get("T1", "C1", ts) is None
    assert [p for p in group.posts("C1") if p.get("thread_ts") == ts] == []
