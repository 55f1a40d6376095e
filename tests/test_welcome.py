"""New members are welcomed once, introduced to people, and bots are left alone."""
from handlers.emulator import decode_json_args


def blocks_text(post):
    blocks = decode_json_args(post)["blocks"]
    return "\n".join(b.get("text", {}).get("text", "") or " ".join(e["text"] for e in b.get("elements", [])) for b in blocks)


def test_a_new_member_gets_the_groups_welcome_with_people_to_meet(group):
    group.run("UOWNER", "purpose Shipping the mobile app together")
    group.run("UOWNER", "rules Be kind. Docs: <https://wiki.example.com/mobile|wiki>")
    group.say("UBOB", "I pushed the new build to TestFlight.")
    group.join("UALICE")
    [welcome] = group.slack.wait_for("chat.postMessage", where=lambda c: c["channel"] == "C1")
    assert welcome["text"].startswith("Welcome to <#C1>, <@UALICE>!")
    assert "Shipping the mobile app together" in welcome["text"]
    assert "Be kind." in welcome["text"] and "Ask <@UOWNER>" in welcome["text"]
    shown = blocks_text(welcome)
    assert "People you might like to meet: <@UOWNER> (runs the group), <@UBOB> (active here lately)" in shown


def test_a_retried_event_never_welcomes_twice(group):
    group.join("UALICE", event_id="Ev0001")
    group.join("UALICE", event_id="Ev0001", retry_num=1, retry_reason="http_timeout")
    group.join("UALICE", event_id="Ev0001", retry_num=2)
    group.settle()
    assert len(group.posts("C1")) == 1


def test_a_retry_of_an_event_whose_first_delivery_never_arrived_is_handled(group):
    group.join("UALICE", event_id="Ev0002", retry_num=1)
    assert len(group.slack.wait_for("chat.postMessage")) == 1


def test_the_retry_dedupe_survives_a_restart(group):
    group.join("UALICE", event_id="Ev0003")
    group.restart()
    group.join("UALICE", event_id="Ev0003", retry_num=2)
    group.settle()
    assert len(group.posts("C1")) == 1


def test_bots_and_the_bot_itself_are_never_welcomed(group):
    group.join("UOTHERBOT")
    group.join("UBOT")
    group.settle()
    assert group.posts() == []


def test_channels_that_are_not_managed_get_no_welcome(workspace):
    workspace.join("UALICE", channel="C2")
    workspace.settle()
    assert workspace.posts() == []


def test_a_member_who_rejoins_soon_is_welcomed_back_briefly(group):
    group.join("UALICE")
    group.leave("UALICE")
    group.advance(days=2)
    group.join("UALICE")
    first, second = group.slack.wait_for("chat.postMessage", count=2)
    assert second["text"] == "Welcome back to <#C1>, <@UALICE>! 👋 Good to see you again."
    assert "People you might like to meet" not in blocks_text(second)


def test_a_member_who_rejoins_after_the_window_is_onboarded_again(group):
    group.run("UOWNER", "config rejoin_window 1d")
    group.join("UALICE")
    group.leave("UALICE")
    group.advance(days=3)
    group.join("UALICE")
    _, second = group.slack.wait_for("chat.postMessage", count=2)
    assert second["text"].startswith("Welcome to <#C1>")


def test_welcome_by_direct_message_when_the_group_says_so(group):
    group.run("UOWNER", "config welcome_in dm")
    group.join("UALICE")
    [welcome] = group.slack.wait_for("chat.postMessage")
    assert welcome["channel"] == "UALICE"


def test_owner_template_placeholders_and_french_locale(group):
    group.run("UOWNER", "locale fr")
    group.run("UOWNER", "welcome Salut {user} ! Ici {group} : {purpose}. Contact : {owners}")
    group.join("UALICE")
    [welcome] = group.slack.wait_for("chat.postMessage")
    assert welcome["text"].startswith("Salut <@UALICE> ! Ici <#C1> : (pas encore d’objectif défini). Contact : <@UOWNER>")
    assert "Des personnes à rencontrer : <@UOWNER> (anime le groupe)" in blocks_text(welcome)


def test_user_text_in_the_welcome_cannot_ping_everyone(group):
    group.run("UOWNER", "purpose <!channel> read this @here")
    group.run("UOWNER", "welcome Hey <!here> {user}")
    group.join("UALICE")
    [welcome] = group.slack.wait_for("chat.postMessage")
    for dangerous in ("<!channel>", "<!here>", "@here", "@channel"):
        assert dangerous not in welcome["text"]
        assert dangerous not in blocks_text(welcome)


def test_a_slack_rate_limit_on_the_welcome_is_retried_after_retry_after(group):
    group.slack.rate_limit("chat.postMessage", retry_after=0)
    group.join("UALICE")
    posts = group.slack.wait_for("chat.postMessage", count=2, timeout=8)
    assert posts[0]["text"] == posts[1]["text"]


def test_people_with_shared_declared_interests_are_suggested(group):
    group.run("UBOB", "expertise add figma, accessibility")
    group.join("UBOB")  # Bob is a member of the group
    group.run("UCAROL", "expertise add accessibility")  # Carol declared her interests before joining
    group.join("UCAROL")
    welcome = group.slack.wait_for("chat.postMessage", count=2)[1]
    assert "<@UBOB> (also into accessibility)" in blocks_text(welcome)
