"""Fresh content end to end: the real bot over HTTP with signed requests, the emulator's real pins
and bookmarks (and the pin events it emits), the real scheduler and a fake clock."""
import json
from datetime import datetime, timedelta, timezone

from handlers.emulator import decode_json_args
from handlers.local.workspace import wait_until

DAY = timedelta(days=1)


def utc(day, hour, minute=0, month=11, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=timezone.utc)


def follow_events(ws):
    """Slack tells the app of pins: the emulator's pin events, signed and sent to the bot."""
    ws.slack.on_event(lambda event: ws.sender.event(event))


def checked_today(ws, channel="C1"):
    """Wait for the daily check of the fake clock's day to be done (the sweep runs on the
    scheduler's thread, which `settle` does not wait for)."""
    group, now = ws.core.groups.get("T1", channel), ws.clock.now().replace(microsecond=0)
    assert wait_until(lambda: (ws.core.content.last_check(group)[0] or now - DAY) >= now, timeout=5)


def calls_reach(ws, method, count, timeout=5.0):
    """Wait until the emulator saw `count` calls of `method`, then a few more ticks: no more came."""
    wait_until(lambda: len(ws.slack.calls_to(method)) >= count, timeout=timeout)
    ws.settle(ticks=6)
    return len(ws.slack.calls_to(method))


def link(ts, channel="C1"):
    return f"https://community.slack.com/archives/{channel}/p{ts.replace('.', '')}"


def checklist(ws, user="UOWNER"):
    """The last weekly checklist `user` got, as blocks."""
    sent = [p for p in ws.posts(user) if any(e.get("action_id") == "digest_done" for b in decode_json_args(p)["blocks"]
                                             for e in b.get("elements", []))]
    return decode_json_args(sent[-1])


def rows(blocks):
    """Each content item of the checklist: (its line, [(button label, action id, value)])."""
    found = []
    for before, block in zip(blocks, blocks[1:]):
        if block["type"] == "actions" and block["elements"][0]["action_id"] == "content_keep":
            found.append((before["text"]["text"].splitlines()[-1],
                          [(e["text"]["text"], e["action_id"], e["value"]) for e in block["elements"]]))
    return found


def stale_setup(ws):
    """A pin from 200 days ago and a bookmark from last week, made before the bot looked; then the
    next day's check finds them."""
    rota = ws.say("UALICE", "Holiday rota 2025\nEveryone please fill it in")
    ws.slack.pin("C1", rota, "UALICE", created=ws.clock.now() - 200 * DAY, notify=False)
    bookmark = ws.slack.add_bookmark("C1", "Handbook", "https://wiki.example/handbook", "UBOB", created=ws.clock.now() - 7 * DAY)
    ws.advance(days=1)
    checked_today(ws)
    return rota, bookmark


def test_a_pin_is_tracked_from_its_event_and_an_unpin_drops_it(group):
    follow_events(group)
    guide = group.say("UALICE", "Onboarding guide: start here\nThen say hello")
    group.slack.pin("C1", guide, "UALICE", created=group.clock.now())
    group.steward.wait_idle()
    assert group.run("UBOB", "content").splitlines()[:3] == [
        "*Key content* of <#C1> (1), by label. Ages count from pinning, bookmarking or an owner's Keep.",
        "*Unlabelled*",
        f"• 📌 <{link(guide)}|Onboarding guide: start here> — pinned 1 min ago by <@UALICE>",
    ]
    group.slack.unpin("C1", guide, "UALICE")
    group.steward.wait_idle()
    assert group.run("UBOB", "content").startswith("No pinned messages or bookmarks known in <#C1> yet.")


def test_the_daily_check_finds_a_pin_made_while_the_bot_was_down_and_drops_a_removed_one(group):
    follow_events(group)
    checked_today(group)
    kept, dropped = group.say("UALICE", "Code of conduct"), group.say("UALICE", "Old meeting notes")
    for ts in (kept, dropped):
        group.slack.pin("C1", ts, "UALICE", created=group.clock.now())
    group.steward.wait_idle()
    lists = len(group.slack.calls_to("pins.list"))
    group.stop()
    new = group.slack.add_message("C1", "UBOB", "Office hours: Tuesdays 14:00")  # the bot, down, hears nothing
    group.slack.pin("C1", new, "UBOB", created=group.clock.now(), notify=False)
    group.slack.unpin("C1", dropped, "UALICE", notify=False)
    group.slack.add_bookmark("C1", "Team wiki", "https://wiki.example/team", "UBOB", created=group.clock.now())
    group.start()
    group.settle()
    assert "Old meeting notes" in group.run("UOWNER", "content")  # today's check was done before the restart
    group.advance(days=1)
    checked_today(group)
    reply = group.run("UOWNER", "content")
    assert "Code of conduct" in reply and "Office hours: Tuesdays 14:00" in reply and "Team wiki" in reply
    assert "Old meeting notes" not in reply
    assert "Office hours: Tuesdays 14:00> — pinned 24 h ago by <@UBOB>" in reply  # when and by whom, as pins.list says
    assert len(group.slack.calls_to("pins.list")) == lists + 1
    assert group.slack.calls_to("bookmarks.list")[-1]["channel_id"] == "C1"


def test_a_stale_pin_comes_up_in_the_checklist_and_unpin_removes_it(group):
    rota, _ = stale_setup(group)
    group.clock.set(utc(30, 8, 30))  # Monday 30 November, 09:30 in Paris: the weekly checklist
    group.settle()
    message = checklist(group)
    section = [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]
    assert ("*Pinned messages and bookmarks to review* (1): older than `180d`, or replaced by a newer one with the same "
            "title. Nothing is removed unless you press a button.") in [line for text in section for line in text.splitlines()]
    [(line, buttons)] = rows(message["blocks"])
    assert line == (f"• 📌 <{link(rota)}|Holiday rota 2025> — pinned 206 days ago by <@UALICE>: older than `180d`")
    value = f"T1:C1:pin:{rota}"
    assert buttons == [("Keep", "content_keep", value), ("Unpin", "content_remove", value),
                       ("Relabel", "content_relabel", value)]

    assert group.click("content_remove", value, user="UOWNER", channel="DUOWNER") == \
        f"Unpinned <{link(rota)}|Holiday rota 2025>. It is in `/community audit`."
    [call] = group.slack.calls_to("pins.remove")
    assert (call["channel"], call["timestamp"]) == ("C1", rota)
    assert group.slack.pinned("C1") == []
    assert "Holiday rota" not in group.run("UOWNER", "content")
    assert "<@UOWNER> unpinned  “Holiday rota 2025”" in group.run("UOWNER", "audit")
    assert group.click("content_remove", value, user="UOWNER", channel="DUOWNER") == \
        "That is no longer pinned or bookmarked in <#C1>: nothing to do."
    assert len(group.slack.calls_to("pins.remove")) == 1


def test_keep_starts_the_age_again_and_remove_bookmark_calls_bookmarks_remove(group):
    rota, bookmark = stale_setup(group)
    assert group.click("content_keep", f"T1:C1:pin:{rota}", user="UOWNER", channel="DUOWNER") == \
        f"Kept <{link(rota)}|Holiday rota 2025>: its age starts again today, so it will not be up for review before `180d`."
    assert group.run("UOWNER", "content stale").startswith("Nothing is up for review")
    assert "kept 1 min ago by <@UOWNER>" in group.run("UOWNER", "content")
    group.advance(minutes=1)
    assert group.click("content_remove", f"T1:C1:bookmark:{bookmark}", user="UOWNER", channel="DUOWNER") == \
        "Removed the bookmark <https://wiki.example/handbook|Handbook>. It is in `/community audit`."
    [call] = group.slack.calls_to("bookmarks.remove")
    assert (call["channel_id"], call["bookmark_id"]) == ("C1", bookmark) and group.slack.bookmarks("C1") == []
    audit = group.run("UOWNER", "audit").splitlines()
    assert [line.split(" — ", 1)[1] for line in audit[1:]] == ["<@UOWNER> removed the bookmark  “Handbook”",
                                                               "<@UOWNER> kept  “Holiday rota 2025”"]


def test_relabel_opens_a_modal_and_its_submission_files_the_item(group):
    rota, _ = stale_setup(group)
    value = f"T1:C1:pin:{rota}"
    assert group.click("content_relabel", value, user="UOWNER", channel="DUOWNER") is None  # the modal, no message
    [opened] = group.slack.calls_to("views.open")
    view = decode_json_args(opened)["view"]
    assert (view["type"], view["callback_id"], view["private_metadata"]) == ("modal", "content_relabel", value)
    assert view["title"]["text"] == "Relabel" and opened["trigger_id"] == group.sender.last_payload["trigger_id"]
    [about, field] = view["blocks"]
    assert about["text"]["text"] == f"The label <{link(rota)}|Holiday rota 2025> is filed under in <#C1>:"
    assert (field["type"], field["block_id"], field["element"]["action_id"], field["element"]["max_length"]) == \
        ("input", "label", "label", 40)

    too_long = group.sender.view_submission("content_relabel", {"label": {"label": {"type": "plain_text_input",
                                                                                     "value": "x" * 41}}},
                                            user_id="UOWNER", private_metadata=value)
    assert json.loads(too_long.body) == {"response_action": "errors", "errors": {"label": "At most 40 characters."}}
    answer = group.sender.view_submission("content_relabel", {"label": {"label": {"type": "plain_text_input",
                                                                                  "value": "  Team  rotas "}}},
                                          user_id="UOWNER", private_metadata=value, view_id="V1")
    assert answer.status == 200 and answer.body == ""
    group.steward.wait_idle()
    [dm] = [p for p in group.posts("UOWNER") if "labelled" in p["text"]]
    assert dm["text"] == f"<{link(rota)}|Holiday rota 2025> is now labelled *Team rotas*."
    listing = group.run("UBOB", "content").splitlines()
    assert listing[1:3] == ["*Team rotas*", f"• 📌 <{link(rota)}|Holiday rota 2025> — pinned 201 days ago by <@UALICE>"]
    assert listing[3] == "*Unlabelled*" and "Handbook" in listing[4]
    assert "labelled  “Holiday rota 2025”: — → Team rotas" in group.run("UOWNER", "audit")


def test_a_members_click_and_forged_modal_are_refused(group):
    rota, bookmark = stale_setup(group)
    value = f"T1:C1:pin:{rota}"
    for action in ("content_remove", "content_keep", "content_relabel"):
        assert group.click(action, value, user="UBOB", channel="DUBOB") == \
            "Only this group's owners can do that. The owners are <@UOWNER>."
    assert group.click("content_remove", f"T1:C1:bookmark:{bookmark}", user="UBOB", channel="DUBOB").startswith("Only")
    forged = group.sender.view_submission("content_relabel", {"label": {"label": {"type": "plain_text_input", "value": "Mine"}}},
                                          user_id="UBOB", private_metadata=value, view_id="V2")
    assert forged.status == 200
    group.steward.wait_idle()
    assert [p["text"] for p in group.posts("UBOB")] == ["Only this group's owners can do that. The owners are <@UOWNER>."]
    assert not group.slack.calls_to("pins.remove") and not group.slack.calls_to("bookmarks.remove")
    assert not group.slack.calls_to("views.open")
    assert group.slack.pinned("C1") == [rota] and len(group.slack.bookmarks("C1")) == 1
    assert "Mine" not in group.run("UOWNER", "content") and "kept" not in group.run("UOWNER", "content")
    assert group.run("UOWNER", "audit") == "No owner decisions recorded yet."
    # A button for another workspace or an unknown item changes nothing either.
    assert group.click("content_remove", f"T9:C1:pin:{rota}", user="UOWNER", channel="DUOWNER").startswith(
        "This channel is not a managed group yet")
    assert group.click("content_keep", "T1:C1:pin:1.5", user="UOWNER", channel="DUOWNER") == \
        "That is no longer pinned or bookmarked in <#C1>: nothing to do."


def test_content_stale_shows_what_would_come_up_and_why_and_changes_nothing(group):
    follow_events(group)
    rota, _ = stale_setup(group)
    newer = group.say("UALICE", "Handbook")  # the same title as the bookmark, pinned later
    group.slack.pin("C1", newer, "UALICE", created=group.clock.now())
    group.steward.wait_idle()
    calls = len(group.slack.calls)
    assert group.run("UOWNER", "content stale").splitlines() == [
        "*Up for review now* (2), as the owners' weekly checklist would show them. A dry run: nothing was changed, and "
        "nothing is removed unless an owner presses a button.",
        f"• 📌 <{link(rota)}|Holiday rota 2025> — pinned 201 days ago by <@UALICE>: older than `180d`",
        "• 🔖 <https://wiki.example/handbook|Handbook> — bookmarked 8 days ago by <@UBOB>: replaced by "
        f"<{link(newer)}|Handbook> (pinned 1 min ago by <@UALICE>)",
    ]
    assert [c.method for c in group.slack.calls[calls:]] == ["response_url"]  # nothing was asked of Slack
    assert len(group.slack.pinned("C1")) == 2 and len(group.slack.bookmarks("C1")) == 1
    assert group.run("UBOB", "content stale") == "Only this group's owners can do that. The owners are <@UOWNER>."
    assert group.run("UOWNER", "content").splitlines()[-1] == "Up for review: 2. `/community content stale` says why."
    assert group.core.content.stale_count(group.core.groups.get("T1", "C1")) == 2


def test_label_reads_links_robustly_and_answers_bad_input(group):
    rota, _ = stale_setup(group)
    run = lambda text, user="UOWNER": group.run(user, text)  # noqa: E731
    how = ("Usage: `/community label &lt;link&gt; &lt;label&gt;`. The link is a pinned message's (*Copy link* on the message) or a "
           "bookmark's address; `-` as the label removes it.")
    assert run("label") == how and run(f"label {link(rota)}") == how
    assert run("label the-handbook Policies") == ("`the-handbook` is not a link. Give a pinned message's link (*Copy link* "
                                                  "on the message) or a bookmark's address.")
    assert run("label https://community.slack.com/archives/C2/p1700000000000100 Policies") == \
        "That message is in <#C2>, not in <#C1>: run the command there."
    assert run("label https://wiki.example/other Policies").startswith("`https://wiki.example/other` is not pinned or "
                                                                        "bookmarked in <#C1>")
    assert run("label wiki.example/handbook/ " + "x" * 41) == \
        "That is 41 characters; the most this can hold is 40. Please shorten it."
    assert run("label <https://WIKI.example/handbook> Policies") == \
        "<https://wiki.example/handbook|Handbook> is now labelled *Policies*."
    assert run(f"label <{link(rota)}> Rotas &amp; leave") == \
        f"<{link(rota)}|Holiday rota 2025> is now labelled *Rotas &amp; leave*."
    assert run(f"label {link(rota)}?thread_ts=1.0&amp;cid=C1 -") == f"<{link(rota)}|Holiday rota 2025> has no label now."
    assert run("label https://wiki.example/handbook Policies", user="UBOB").startswith("Only this group's owners")
    listing = group.run("UBOB", "content").splitlines()
    assert listing[1] == "*Policies*" and "Handbook" in listing[2] and listing[3] == "*Unlabelled*"


def test_a_bookmark_whose_address_holds_a_bar_keeps_its_own_title(group):
    """Slack reads `<address|label>` up to the first `|`: an address holding one (a fonts URL, or
    a bookmark made to mislead) must not cut the link and put its own words in the label."""
    group.slack.add_bookmark("C1", "Handbook", "https://wiki.example/fonts?family=Roboto|Free+gift+card", "UBOB",
                             created=group.clock.now() - 7 * DAY)
    group.advance(days=1)
    checked_today(group)
    line = group.run("UBOB", "content").splitlines()[2]
    assert line == ("• 🔖 <https://wiki.example/fonts?family=Roboto%7CFree+gift+card|Handbook> — bookmarked 8 days ago "
                    "by <@UBOB>")


def test_the_daily_check_is_paced_under_the_rate_tier_across_many_groups(group):
    """31 groups in one workspace: 20 pins.list in the first minute (C1's, at set-up, included), the
    rest the next minute; never more than 20 in any minute of the fake clock."""
    for n in range(2, 32):
        group.slack.add_channel(f"C{n}", f"team-{n}", creator="UOWNER", members=["UOWNER", "UBOT"])
        group.core.groups.create("T1", f"C{n}", "UOWNER", timezone="Europe/Paris")
    assert calls_reach(group, "pins.list", 20) == 20 and calls_reach(group, "bookmarks.list", 20) == 20
    group.advance(seconds=59)
    assert calls_reach(group, "pins.list", 21, timeout=0.5) == 20
    group.advance(seconds=1)
    assert calls_reach(group, "pins.list", 31) == 31 and calls_reach(group, "bookmarks.list", 31) == 31
    assert sorted(call["channel"] for call in group.slack.calls_to("pins.list")) == sorted(f"C{n}" for n in range(1, 32))
    group.advance(hours=1)
    assert calls_reach(group, "pins.list", 32, timeout=0.5) == 31  # once per group and local day
