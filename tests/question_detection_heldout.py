"""The held-out part of the question detection table: sentences the rules were NOT written against.

Written and committed before the detector was changed for issue 9 (questions with no question
form, "?" that asks nothing), and never used to tune it since: the rules are fitted to
``tests/test_question_detection.py: CASES``, and this part only measures how well they carry over
to sentences nobody tuned them on. A failing sentence here is a finding to report, not a case to
patch a rule for; if a rule is ever changed because of one of these, move that sentence to CASES
and write a fresh one here, so that this part stays untouched.

Each entry is (message text as Slack delivers it, does it ask a question).
"""

HELD_OUT = [
    # --- A title line ending in a colon, then a problem ---------------------
    ("Issue: the nightly backup job has been failing since Tuesday with a permission error", True),
    ("Problem: can't push to the monorepo anymore, git says the pack is too large", True),
    ("Urgent: payroll export is missing the March bonuses", True),
    ("Stuck: terraform plan wants to recreate the whole VPC after the provider upgrade", True),
    ("Problème : impossible d'ouvrir les PDF signés depuis la mise à jour d'Acrobat", True),
    ("Galère du jour : le certificat du site interne a expiré et Chrome bloque tout", True),
    ("Bug : les notifications Teams arrivent en double depuis lundi", True),
    ("Besoin d'aide : mon export Excel coupe les accents dans les noms", True),
    ("Problème résolu : le certificat a été renouvelé, tout remarche.", False),
    ("Issue fixed: the nightly backup runs again, thanks <@U0OPS>", False),
    ("Post-mortem: why staging went down on Tuesday", False),
    ("Incident clos : la base de prod est de nouveau accessible.", False),
    ("Update: the migration to the new mail server is done", False),
    ("Bonne nouvelle : le build passe maintenant en 4 minutes", False),
    # --- A need stated as a search for someone ------------------------------
    ("We're looking for someone who knows Salesforce well to help migrate our CRM fields.", True),
    ("Searching for a person who has set up SAML with Okta before", True),
    ("Looking for anyone with experience in GDPR data retention policies", True),
    ("Need someone who can read COBOL for an hour this week", True),
    ("Je cherche quelqu'un qui s'y connaît en comptabilité analytique pour un coup de main", True),
    ("On cherche une personne à l'aise avec Power BI pour revoir nos tableaux de bord.", True),
    ("Recherche personne ayant déjà configuré un NAS Synology", True),
    ("We're hiring! Looking for a senior data engineer to join the team, details in the link.",
     False),
    ("On recrute : nous recherchons un(e) développeur(se) backend, candidatures sur le site "
     "carrière.", False),
    ("Looking forward to seeing everyone at the offsite.", False),
    ("Trouvé quelqu'un qui s'y connaît en SAML, merci à tous !", False),
    # --- Indirect questions ending in a full stop ---------------------------
    ("I was wondering if there's a way to mute the build bot in this channel.", True),
    ("Curious whether anyone has tried running our stack on ARM Macs.", True),
    ("I'd love to know how other teams handle on-call handovers.", True),
    ("Not sure if the new expense policy applies to contractors too.", True),
    ("Je me demandais si quelqu'un avait déjà utilisé Metabase avec BigQuery.", True),
    ("Je voudrais savoir qui gère les badges d'accès au parking.", True),
    ("Je ne sais pas trop à qui m'adresser pour changer mon RIB.", True),
    ("Curieux de savoir si d'autres équipes utilisent encore Jira Server.", True),
    ("I was wondering if we'd ever ship it, and here we are: v1.0 is live!", False),
    ("Je me demandais pourquoi le build était lent : c'était le cache, c'est corrigé.", False),
    # --- Requests for advice ------------------------------------------------
    ("Any advice on negotiating a training budget with my manager", True),
    ("Looking for tips on structuring a design review.", True),
    ("Recommendations for a good standing desk under 500 euros.", True),
    ("Would appreciate any pointers on profiling a slow Django view.", True),
    ("Des conseils pour préparer un entretien annuel", True),
    ("Un conseil pour choisir entre Notion et Confluence pour la doc d'équipe.", True),
    ("Vos recommandations pour un bon casque anti-bruit en open space", True),
    ("Des retours d'expérience sur Scaleway pour héberger du Postgres", True),
    ("Conseil du jour : toujours lancer les tests avant de pousser.", False),
    ("Pro tip: run `make fmt` before pushing, it saves a CI round.", False),
    ("Thanks for all the advice yesterday, I went with the Fully Jarvis.", False),
    ("Merci pour vos conseils, j'ai pris le Jabra.", False),
    # --- A "?" inside a quoted title ----------------------------------------
    ("Great talk yesterday: \"Do we still need microservices?\" — slides are in the drive.", False),
    ("Je viens de finir « Qui a piqué mon fromage ? », je le prête à qui veut.", False),
    ("Poll closed: “Should we move standup to 9:45?” won 12 to 4.", False),
    ("I got an email titled 'Is your account secure?' from IT, reporting it to security.", False),
    ("Le sondage « On garde le vendredi en télétravail ? » est ouvert jusqu'à jeudi.", False),
    ("Reçu un mail avec pour objet \"Avez-vous validé votre facture ?\", je l'ai signalé.", False),
    ("Has anyone else received an email titled \"Update your password?\" Is it legit", True),
    ("Quelqu'un a vu le talk « Pourquoi Rust ? » à la conf, ça vaut le coup", True),
    # --- A "?" inside code or a pattern -------------------------------------
    ("Updated the route matcher to `/users/:id?` so the id is optional.", False),
    ("The regex ^feat(\\(\\w+\\))?: .+$ now enforces conventional commits on PR titles.", False),
    ("Le glob src/**/*.ts? ne matche plus les fichiers .tsx, corrigé dans la v1.3.", False),
    ("Nouvelle règle de lint : l'opérateur ?. est maintenant autorisé dans le front.", False),
    ("Fixed the query string builder: it was adding ?? when params were empty.", False),
    ("Why does `grep -E 'colou?r'` miss uppercase matches", True),
    ("Pourquoi le pattern [0-9]+? ne matche pas en mode lazy chez moi ?", True),
    # --- Rhetorical questions that ask nothing ------------------------------
    ("Who doesn't love a green pipeline on a Monday morning?", False),
    ("Isn't it great when the tests pass on the first try?", False),
    ("What could possibly go wrong? 😅 Deploying on Friday at 5.", False),
    ("Qui n'aime pas les croissants du vendredi ?", False),
    ("N'est-ce pas magnifique, un build qui passe du premier coup ?", False),
    ("Comment ne pas être fier de cette équipe ?", False),
    ("Can you believe it's already December?", False),
    ("Quoi de plus satisfaisant qu'une boîte mail vide ?", False),
    ("How awesome was the offsite?!", False),
    ("Who doesn't have access to the new VPN yet?", True),
    ("Qui n'a pas encore rempli le sondage sur l'offsite ?", True),
    # --- Plain controls -----------------------------------------------------
    ("How do I renew my parking badge?", True),
    ("Le nouveau badge fonctionne, merci !", False),
]
