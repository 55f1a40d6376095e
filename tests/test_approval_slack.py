"""Membership approval end to end: the real bot over HTTP, signed requests, the Web API emulator.

UOWNER owns #general (C1) and UALICE co-owns it; UCAROL, who is in neither, asks to join from
#random (C2). Slack sends `member_joined_channel` after `conversations.invite`; the emulator does
not send events, so the tests send that signed event themselves, as Slack would."""
import threading
import time

import pytest

from bot.approval import APPROVE, DENY, REMIND_AFTER
from handlers.approval import DENY_FORM, REASON_BLOCK, REASON_INPUT
from handlers.emulator import decode_json_args

JOIN = "join <#C1|general> I run the platform team"


@pytest.fixture
def owners(group):
    """#general with approval on, and a co-owner."""
    assert "now" in group.run("UOWNER", "config approval on")
    assert "is now an owner" in group.run("UOWNER", "owners add <@UALICE|ualice>")
    return group


def cards(ws, owner):
    """The join-request DMs the bot posted to `owner` (chat.postMessage to the person's id)."""
    return [decode_json_args(p) for p in ws.posts(owner) if "Join request" in p["text"]]


def button(post, action_id):
    for block in post["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return element["value"]
    raise AssertionError(f"no {action_id} button")


def wait_until(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError("timed out")


def edits(ws, dm):
    return [decode_json_args(c) for c in ws.slack.calls_to("chat.update") if c["channel"] == dm]


def ask(ws, user="UCAROL", text=JOIN):
    """`/community join …` from #random; the answer, and each owner's card once delivered."""
    reply = ws.run(user, text, channel="C2")
    return reply, {owner: wait_until(lambda o=owner: cards(ws, o))[-1] for owner in ("UOWNER", "UALICE")}


def test_request_approve_invite_welcome(owners, slack):
    reply, dms = ask(owners)
    assert reply == "Your request to join <#C1> is with its owners (<@UOWNER>, <@UALICE>). I will write to you as soon as one of them decides."
    card = dms["UALICE"]
    assert card["text"].startswith("*Join request:* <@UCAROL> asks to join <#C1>.\nName: ucarol · Title: none in their profile · "
                                   "Time zone: Asia/Tokyo\nTheir message: I run the platform team")
    value = button(card, APPROVE)
    assert button(card, DENY) == value

    # A member who is not an owner presses Approve with the real value: refused, nothing happens.
    assert owners.click(APPROVE, value, user="UBOB", channel="DUBOB") == \
        "Only this group's owners can do that. The owners are <@UOWNER>, <@UALICE>."
    assert slack.calls_to("conversations.invite") == []

    answer = owners.click(APPROVE, value, user="UOWNER", channel="DUOWNER")
    assert answer == "Approved: <@UCAROL> is now a member of <#C1>."
    [invite] = slack.calls_to("conversations.invite")
    assert (invite["channel"], invite["users"]) == ("C1", "UCAROL") and "UCAROL" in slack.channel_members("C1")

    owners.join("UCAROL")  # Slack's member_joined_channel for the invitation, signed
    welcome = wait_until(lambda: [p for p in owners.posts("C1") if "<@UCAROL>" in p["text"]])
    assert welcome[0]["text"].startswith("Welcome to <#C1>, <@UCAROL>!")

    # Both owners' cards now say who decided and when, without buttons; Carol is told.
    for owner in ("UOWNER", "UALICE"):
        [edit] = wait_until(lambda o=owner: edits(owners, f"D{o}"))
        assert edit["ts"] == next(m["ts"] for m in slack.messages(f"D{owner}") if "Join request" in m["text"])
        assert edit["text"].startswith("✅ *Approved* by <@UOWNER> on 2026-11-23 at 10:00 (Europe/Paris): "
                                       "<@UCAROL> was added to <#C1>.")
        assert not any(b["type"] == "actions" for b in edit["blocks"])
    told = wait_until(lambda: owners.posts("UCAROL"))
    assert "was approved" in told[0]["text"]
    assert "approved the join request of <@UCAROL>" in owners.run("UOWNER", "audit")
    assert owners.click(APPROVE, value, user="UALICE", channel="DUALICE") == \
        "<@UOWNER> already approved this request, on 2026-11-23 at 10:00 (Europe/Paris)."


def test_two_owners_approving_at_once_make_one_decision(owners, slack):
    _, dms = ask(owners)
    value = button(dms["UOWNER"], APPROVE)
    start, responses, before = threading.Barrier(2), [], len(slack.calls_to("response_url"))

    def press(owner):
        start.wait()
        responses.append(owners.sender.block_action(APPROVE, value, user_id=owner, channel_id=f"D{owner}", message_ts="1.0"))
    threads = [threading.Thread(target=press, args=(owner,)) for owner in ("UOWNER", "UALICE")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status for r in responses] == [200, 200]
    answers = wait_until(lambda: len(slack.calls_to("response_url")) >= before + 2
                         and sorted(c["text"] for c in slack.calls_to("response_url")[before:]))
    assert answers[1] == "Approved: <@UCAROL> is now a member of <#C1>."
    assert answers[0] in ("<@UOWNER> already approved this request, on 2026-11-23 at 10:00 (Europe/Paris).",
                          "<@UALICE> already approved this request, on 2026-11-23 at 10:00 (Europe/Paris).")
    owners.settle()
    assert len(slack.calls_to("conversations.invite")) == 1
    decisions = [line for line in owners.run("UOWNER", "audit").split("\n") if "approved the join request" in line]
    assert len(decisions) == 1


def test_deny_opens_a_form_and_the_reason_reaches_the_requester_politely(owners, slack):
    _, dms = ask(owners)
    value = button(dms["UALICE"], DENY)
    assert owners.click(DENY, value, user="UBOB", channel="DUBOB").startswith("Only this group's owners")
    assert owners.click(DENY, value, user="UALICE", channel="DUALICE") is None  # the form opens, no message
    [opened] = [decode_json_args(c) for c in slack.calls_to("views.open")]
    assert opened["trigger_id"] and opened["view"]["callback_id"] == DENY_FORM
    assert opened["view"]["private_metadata"] == value
    values = {REASON_BLOCK: {REASON_INPUT: {"type": "plain_text_input", "value": "This group is for the <!here> platform team"}}}
    # A forged submission by a member changes nothing.
    assert owners.sender.view_submission(DENY_FORM, values, user_id="UBOB", private_metadata=value).status == 200
    owners.settle()
    assert owners.posts("UCAROL") == [] and edits(owners, "DUOWNER") == []
    assert owners.sender.view_submission(DENY_FORM, values, user_id="UALICE", private_metadata=value).status == 200
    [told] = wait_until(lambda: owners.posts("UCAROL"))
    assert told["text"] == ("Thank you for your interest in <#C1>. Its owners have decided not to add you for now.\n"
                            "Their note: This group is for the &lt;!here&gt; platform team\nYou may ask again from 2026-11-30.")
    [edit] = wait_until(lambda: edits(owners, "DUOWNER"))
    assert edit["text"].startswith("❌ *Denied* by <@UALICE> on 2026-11-23 at 10:00 (Europe/Paris).\n"
                                   "Reason given: This group is for the &lt;!here&gt; platform team")
    assert slack.calls_to("conversations.invite") == []
    assert "denied the join request of <@UCAROL>" in owners.run("UOWNER", "audit")
    assert owners.run("UCAROL", JOIN, channel="C2") == \
        "The owners of <#C1> declined your last request. You may ask again from 2026-11-30."


def test_a_deny_form_sent_after_another_owner_decided_is_answered(owners, slack):
    """Alice opens the Deny form; meanwhile the owner approves; Alice's submission changes nothing
    and she is told who decided (a modal has no reply of its own: by DM), once."""
    _, dms = ask(owners)
    value = button(dms["UALICE"], DENY)
    assert owners.click(DENY, value, user="UALICE", channel="DUALICE") is None  # the form opens
    assert owners.click(APPROVE, value, user="UOWNER", channel="DUOWNER").startswith("Approved")
    values = {REASON_BLOCK: {REASON_INPUT: {"type": "plain_text_input", "value": "Not this quarter"}}}
    for _ in range(2):
        assert owners.sender.view_submission(DENY_FORM, values, user_id="UALICE", private_metadata=value).status == 200
    [told] = wait_until(lambda: [p for p in owners.posts("UALICE") if "already" in p["text"]])
    assert told["text"] == "<@UOWNER> already approved this request, on 2026-11-23 at 10:00 (Europe/Paris)."
    owners.settle()
    assert len([p for p in owners.posts("UALICE") if "already" in p["text"]]) == 1
    assert "Not this quarter" not in str(owners.posts("UCAROL")) and len(slack.calls_to("conversations.invite")) == 1
    # A member's forged form is not answered: its request id is whatever they wrote.
    forged = value[:-6] + "abcdef"
    assert owners.sender.view_submission(DENY_FORM, values, user_id="UBOB", private_metadata=forged).status == 200
    owners.settle()
    assert owners.posts("UBOB") == []


def test_a_duplicate_request_merges_with_the_pending_one(owners, slack):
    ask(owners)
    again = owners.run("UCAROL", "join <#C1> I also maintain the CI", channel="C2")
    assert again == ("You already asked to join <#C1> on 2026-11-23; I added your new message to that request, "
                     "which is still with its owners.")
    assert owners.run("UCAROL", "join <#C1>", channel="C2").startswith("You already asked to join <#C1> on 2026-11-23;")
    owners.settle()
    assert len(cards(owners, "UOWNER")) == 1  # one card each, edited in place
    [edit] = wait_until(lambda: edits(owners, "DUOWNER"))
    assert "Their message: I run the platform team\nTheir message: I also maintain the CI" in edit["text"]
    assert owners.core.approval.pending_count(owners.core.groups.get("T1", "C1")) == 1


def test_without_approval_a_request_just_invites(group, slack):
    assert group.run("UCAROL", "join <#C1|general>", channel="C2") == "Done: you are now a member of <#C1>. Welcome!"
    [invite] = slack.calls_to("conversations.invite")
    assert invite["users"] == "UCAROL"
    group.join("UCAROL")
    wait_until(lambda: [p for p in group.posts("C1") if "<@UCAROL>" in p["text"]])
    assert group.run("UCAROL", "join <#C1|general>", channel="C2") == "You are already a member of <#C1>."
    group.settle()
    assert [p for p in group.posts() if "Join request" in p["text"]] == []


def test_bad_requests_get_a_clear_answer(owners, slack):
    assert owners.run("UCAROL", "join", channel="C2").startswith("Name the group: `/community join #channel")
    assert owners.run("UCAROL", "join general please", channel="C2").startswith("Name the group:")
    assert owners.run("UCAROL", "join #nowhere", channel="C2") == \
        "I do not know a channel called `#nowhere`. `/community groups` lists the groups you can join."
    assert owners.run("UCAROL", "join <#C2|random>", channel="C2").startswith(
        "<#C2> is not a group I look after, so I cannot take a request for it.")
    assert owners.run("UCAROL", "join <#C999|gone>", channel="C2").startswith("<#C999> is not a group I look after")
    assert owners.run("UBOB", "join <#C1|general>", channel="C2") == "You are already a member of <#C1>."
    assert owners.run("UCAROL", "join <#C1|general> " + "x" * 501, channel="C2").startswith("That is 501 characters")
    assert owners.click(APPROVE, "T1:C1:UCAROL:garbage", user="UOWNER", channel="DUOWNER") == \
        "I cannot find this request any more."
    owners.settle()
    assert slack.calls_to("conversations.invite") == [] and cards(owners, "UOWNER") == []


@pytest.mark.parametrize("failure, words", [
    ("not_in_channel", "I am not a member of <#C1>, so I cannot add anyone there (add me with `/invite`)"),
    ("user_is_restricted", "they have a guest account, and only a workspace admin can add a guest to a channel"),
])
def test_an_invitation_slack_refuses_is_reported_to_the_deciding_owner(owners, slack, failure, words):
    _, dms = ask(owners)
    if failure == "not_in_channel":
        slack.leave_channel("C1", "UBOT")  # the bot was removed from the channel meanwhile
    else:
        slack.fail("conversations.invite", failure)
    answer = owners.click(APPROVE, button(dms["UALICE"], APPROVE), user="UALICE", channel="DUALICE")
    assert answer == f"Approved, but I could not add <@UCAROL> to <#C1>: {words}."
    [edit] = wait_until(lambda: edits(owners, "DUALICE"))
    assert f"but I could not add <@UCAROL>: {words}." in edit["text"] and "You can add <@UCAROL> yourself" in edit["text"]
    told = wait_until(lambda: owners.posts("UCAROL"))
    assert words in told[0]["text"]
    assert "approved, but the invitation failed, for <@UCAROL>" in owners.run("UOWNER", "audit")


def test_the_directory_lists_groups_and_its_button_asks(owners, slack):
    owners.core.groups.set_purpose(owners.core.groups.get("T1", "C1"), "Platform engineering")
    slack.add_channel("G5", "secret", creator="UDAN", members=["UDAN", "UBOT"], is_private=True)
    assert "managed group" in owners.run("UDAN", "setup", channel="G5")
    owners.run("UCAROL", "groups", channel="C2")
    listing = decode_json_args(slack.calls_to("response_url")[-1])
    assert listing["text"] == ("*Groups you can join:*\n• <#C1> — Platform engineering · 4 members · owners: <@UOWNER>, "
                               "<@UALICE> · the owners approve requests\nPress a button to ask, or use "
                               "`/community join #channel [message]` to add a note for the owners.")
    [actions] = [b for b in listing["blocks"] if b["type"] == "actions"]
    [join_button] = actions["elements"]
    assert (join_button["text"]["text"], join_button["value"]) == ("Request to join #general", "T1:C1")
    assert owners.run("UDAN", "config listed_when_private on", channel="G5") == "`listed_when_private` is now `on`."
    owners.run("UCAROL", "groups", channel="C2")
    assert "<#G5>" in slack.calls_to("response_url")[-1]["text"]
    answer = owners.click(join_button["action_id"], join_button["value"], user="UCAROL", channel="C2")
    assert answer.startswith("Your request to join <#C1> is with its owners")
    card = wait_until(lambda: cards(owners, "UOWNER"))[0]
    assert "with the group directory" in card["text"]


def test_a_private_group_is_never_joined_while_slack_cannot_say_whether_it_is_listed(group, slack):
    """A forged directory button naming an unlisted private group, pressed while conversations.info
    fails (a rate limit someone can cause): no invitation, and the answer reveals nothing."""
    slack.add_channel("G5", "secret", creator="UDAN", members=["UDAN", "UBOT"], is_private=True)
    assert "managed group" in group.run("UDAN", "setup", channel="G5")
    assert group.click("approval_request_join.G5", "T1:G5", user="UCAROL", channel="C2").startswith(
        "<#G5> is not a group I look after")
    slack.fail("conversations.info", "ratelimited")
    assert group.click("approval_request_join.G5", "T1:G5", user="UCAROL", channel="C2") == \
        "Slack refused that (ratelimited); nothing was changed. Please try again in a moment."
    slack.fail("conversations.info", "internal_error")
    assert group.run("UCAROL", "join <#G5>", channel="C2").startswith("Slack refused that (internal_error)")
    group.settle()
    assert slack.calls_to("conversations.invite") == [] and "UCAROL" not in slack.channel_members("G5")


def test_a_long_directory_is_cut_and_its_lookups_are_bounded(group, slack):
    for n in range(30):
        slack.add_channel(f"C{100 + n}", f"team-{n}", creator="UOWNER", members=["UOWNER", "UBOT"])
        group.core.groups.create("T1", f"C{100 + n}", "UOWNER")
    before = len(slack.calls_to("conversations.info"))
    group.run("UCAROL", "groups", channel="C2")
    listing = decode_json_args(slack.calls_to("response_url")[-1])
    assert len(slack.calls_to("conversations.info")) - before == 25
    [actions] = [b for b in listing["blocks"] if b["type"] == "actions"]
    assert len(actions["elements"]) == 20 and len({e["action_id"] for e in actions["elements"]}) == 20
    assert "…and more: ask for any group by name with `/community join #channel`." in listing["text"]


def test_the_directory_asks_slack_about_each_group_at_most_once_a_minute(group, slack):
    """Each `/community groups` looks up to 25 groups up: anyone running it over and over would
    spend the bot's conversations.info rate (Tier 3, 50 a minute) and hold the interactive workers
    in Slack's 429 retries. The lookups are kept a minute, whoever asks."""
    for n in range(30):
        slack.add_channel(f"C{100 + n}", f"team-{n}", creator="UOWNER", members=["UOWNER", "UBOT"])
        group.core.groups.create("T1", f"C{100 + n}", "UOWNER")
    before = len(slack.calls_to("conversations.info"))
    listings = [group.run(user, "groups", channel="C2") for user in ("UCAROL", "UDAN", "UCAROL", "UBOB")]
    assert len(set(listings)) == 1 and "<#C100>" in listings[0]
    assert len(slack.calls_to("conversations.info")) - before == 25
    group.advance(seconds=61)
    group.run("UCAROL", "groups", channel="C2")
    assert len(slack.calls_to("conversations.info")) - before == 50


def test_waiting_requests_are_in_the_checklist_and_reminded_once_after_three_days(owners, slack):
    ask(owners)
    preview = owners.run("UOWNER", "digest preview")
    assert "*Join requests waiting* (1), oldest first" in preview
    assert "• <@UCAROL>, waiting for 1 min: I run the platform team" in preview
    owners.advance(seconds=REMIND_AFTER.total_seconds() - 60)
    assert [p for p in owners.posts("UOWNER") if "Still waiting" in p["text"]] == []
    owners.advance(minutes=1)
    [reminder] = wait_until(lambda: [p for p in owners.posts("UOWNER") if "Still waiting" in p["text"]])
    assert button(decode_json_args(reminder), APPROVE) == button(cards(owners, "UOWNER")[0], APPROVE)
    owners.restart()
    owners.advance(days=3)
    owners.settle()
    assert len([p for p in owners.posts("UOWNER") if "Still waiting" in p["text"]]) == 1
    assert len([p for p in owners.posts("UALICE") if "Still waiting" in p["text"]]) == 1


def test_the_buttons_and_the_form_are_registered_and_the_manifest_enables_them():
    from tests.test_manifest import MANIFEST, registered
    found = registered()
    assert {APPROVE, DENY} <= found["action"] and DENY_FORM in found["view"]
    assert any("approval_request_join" in action for action in found["action"])  # one pattern for every group's button
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True
    # conversations.invite needs channels:manage (public) and groups:write (private) for a bot
    # token; editing a DM needs its id (conversations.open, im:write).
    assert {"channels:manage", "groups:write", "im:write"} <= set(MANIFEST["oauth_config"]["scopes"]["bot"])


def test_the_adapter_hands_the_core_the_channels_a_command_names():
    from handlers.mrkdwn import channels_in, to_plain
    text = "join <#C1|general> and <#G22> not <#C1|general> nor #random <@U1|ann>"
    assert channels_in(text) == ("C1", "G22")
    assert to_plain(text) == ("join #general and #G22 not #general nor #random @ann", ("U1",))
    assert channels_in("") == () and channels_in(None) == ()


def test_in_the_local_workspace_an_approved_request_brings_the_welcome(tmp_path):
    """Without Slack: `#general` typed in a command is the channel (as Slack escapes it), Olivia
    approves from her DM, and the workspace delivers Sam's join when the bot invites him."""
    from bot.settings import Settings
    from handlers.local.scenario import GENERAL, OWNER, RANDOM, SAM
    from handlers.local.workspace import LocalWorkspace
    from tests.harness.slack_spec import assert_calls_match_spec
    ws = LocalWorkspace(tmp_path / "local-workspace", Settings(mode="local", data_dir=tmp_path, counter_flush_seconds=0.2)).start()
    try:
        ws.command(OWNER, GENERAL, "/community config approval on")
        ws.settle()
        ws.command(SAM, RANDOM, "/community join #general I write the release notes")
        ws.settle()
        assert "is with its owners" in ws.ephemerals(SAM, RANDOM)[-1].text
        dm = f"D{OWNER}"
        card = next(m for m in ws.history(dm) if "Join request" in m.get("text", ""))
        ws.press(OWNER, dm, card["ts"], APPROVE, button(card, APPROVE))
        ws.settle()
        assert SAM in next(c for c in ws.slack.channels() if c["id"] == GENERAL)["members"]
        assert any(f"Welcome to <#{GENERAL}>, <@{SAM}>" in m.get("text", "") for m in ws.history(GENERAL))
        assert ws.slack.message(dm, card["ts"])["text"].startswith("✅ *Approved* by <@UOLIVIA>")
        assert_calls_match_spec(ws.slack.calls)
    finally:
        ws.close()
