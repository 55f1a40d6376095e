"""Meaning beyond keywords, end to end over signed HTTP and the emulator: what members write teaches
the ranking, aliases lead to a topic, owners hear when nobody matches well, and each member sees and
can clear what was learned about them.

The clock starts on Monday 2026-11-23 09:00 UTC; UALICE (Paris) and UBOB (London) are at work.
"""
from handlers.emulator import reaction_added_event

KUBECTL_QUESTION = "Why does kubectl apply fail with forbidden on staging?"


def thread_posts(ws, ts):
    return [p for p in ws.posts("C1") if p.get("thread_ts") == ts]


def bob_talks_kubernetes(ws):
    """UBOB answers in threads about kubectl and helm; he never declared a topic."""
    for text in ("try `kubectl rollout undo deploy/web`", "kubectl describe pod shows the image pull error",
                 "the helm chart pins the old tag, kubectl get events tells you more"):
        root = ws.say("UOWNER", "Deploy notes for today")
        ws.say("UBOB", text, thread_ts=root)


def test_a_kubectl_error_reaches_the_member_who_often_talks_about_kubectl_and_helm(group):
    bob_talks_kubernetes(group)
    group.say("UALICE", "lunch? the kubectl stickers arrived")  # one mention in chatter: not a reason to ask her
    ts = group.say("UDAN", KUBECTL_QUESTION)
    group.advance(minutes=30)
    [ping] = thread_posts(group, ts)
    assert ping["text"] == ("<@UBOB> — could you help <@UDAN> with this question?\n"
                            "<@UBOB>: you often talk about kubectl, helm and pod here")


def test_an_owner_alias_leads_a_question_to_the_topic_and_the_reason_says_so(group):
    assert group.run("UALICE", 'experts alias "notes de frais" ndf') == "Only this group's owners can do that. The owners are <@UOWNER>."
    assert group.run("UOWNER", 'experts alias "notes de frais" ndf, expenses, note de frais') == \
        "Questions naming ndf, expenses now also reach the people who know notes de frais."  # the topic itself is no alias
    assert group.run("UBOB", 'experts alias "notes de frais"') == "Aliases the owners gave notes de frais here: ndf, expenses"
    group.run("UALICE", "expertise add notes de frais")
    ts = group.say("UDAN", "Ma ndf a été refusée, pourquoi ?")
    group.advance(minutes=30)
    [ping] = thread_posts(group, ts)
    assert ping["text"].endswith("<@UALICE>: you know about notes de frais (alias ndf)")
    assert group.run("UOWNER", 'experts unalias "notes de frais" ndf') == "ndf no longer bring questions to notes de frais here."
    assert group.run("UOWNER", "experts alias kubernetes") .startswith("Built-in aliases of kubernetes: kubectl, helm, pod")
    audit = group.run("UOWNER", "audit")
    assert "<@UOWNER> added topic aliases" in audit and "notes de frais: ndf, expenses" in audit
    assert "<@UOWNER> removed topic aliases" in audit and "notes de frais: ndf" in audit


def test_a_virement_reaches_the_accounting_expert_through_the_built_in_list_in_french(group):
    group.run("UOWNER", "locale fr")
    group.run("UALICE", "expertise add comptabilité")
    ts = group.say("UDAN", "Comment faire un virement urgent vers un fournisseur ?")
    group.advance(minutes=30)
    [ping] = thread_posts(group, ts)
    assert ping["text"] == ("<@UALICE> — pourriez-vous aider <@UDAN> sur cette question ?\n"
                            "<@UALICE> : vous connaissez comptabilité (alias virement)")


def test_when_nobody_matches_well_the_owners_get_the_key_words_and_nobody_weak_is_pinged(group):
    group.run("UALICE", "expertise add design")
    group.say("UBOB", "the offsite in Lyon was great")  # one word in common: a weak match
    ts = group.say("UDAN", "Who books the train tickets for the offsite?")
    group.advance(minutes=30)
    [post] = thread_posts(group, ts)
    assert post["text"] == ("<@UOWNER> — this question from <@UDAN> is still waiting for an answer after 30 min. "
                            "Nobody here matches it well, so I asked no expert. Its key words: books, train, tickets, offsite.")


def test_a_member_sees_what_was_learned_about_them_and_can_clear_it_for_good(group):
    group.run("UBOB", "expertise add python")
    bob_talks_kubernetes(group)
    question = group.say("UDAN", "How do I read the grafana alert history?")
    reply = group.say("UBOB", "grafana explore, alert history panel", thread_ts=question)
    group.sender.event(reaction_added_event("UDAN", "white_check_mark", "C1", reply, item_user="UBOB"))
    group.settle()
    listing = group.run("UBOB", "expertise list")
    lines = listing.splitlines()
    assert lines[0] == "Your topics: python."
    assert lines[1].startswith("What I learned from what you write")
    assert lines[2].startswith("• in <#C1>: ") and "grafana 1.4" in lines[2] and "kubectl 1.2" in lines[2]  # 0.4 + answer 1.0; 3 replies
    assert lines[3].startswith("• from the questions your answers resolved: ") and "grafana 1.0" in lines[3]

    assert group.run("UBOB", "expertise forget").startswith("Done: I forgot the ")
    assert group.run("UBOB", "expertise list") == "Your topics: python.\nI have learned nothing from what you write yet."
    group.restart()
    assert group.run("UBOB", "expertise list") == "Your topics: python.\nI have learned nothing from what you write yet."
    ts = group.say("UDAN", KUBECTL_QUESTION)
    group.advance(minutes=30)
    assert "<@UBOB>" not in thread_posts(group, ts)[0]["text"]  # nothing left to find him by
    root = group.say("UOWNER", "Anything else?")
    group.say("UBOB", "kubectl", thread_ts=root)  # new messages teach again
    assert group.run("UBOB", "expertise list").endswith("• in <#C1>: kubectl 0.4")


def test_expertise_list_in_french_uses_a_decimal_comma(group):
    group.run("UOWNER", "locale fr")
    bob_talks_kubernetes(group)
    assert "kubectl 1,2" in group.run("UBOB", "expertise list")


def test_the_app_home_shows_what_was_learned_and_its_button_forgets_it(group):
    from tests.test_home import home_text, open_home, press
    bob_talks_kubernetes(group)
    view = open_home(group, "UBOB")
    assert "• in <#C1>: kubectl, chart, deploy" in home_text(view)  # the vocabulary duty's words, heaviest first
    after = press(group, "UBOB", view, "Forget what was learned")
    assert "kubectl" not in home_text(after)
    assert group.run("UBOB", "expertise list").endswith("\nI have learned nothing from what you write yet.")
