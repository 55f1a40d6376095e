"""manifest.yml declares exactly what the app handles, and the scopes its calls need."""
from pathlib import Path

import yaml

from handlers.app import register_listeners
from bot.i18n import CATALOGUES

MANIFEST = yaml.safe_load((Path(__file__).resolve().parents[1] / "manifest.yml").read_text())

# From Slack's method and event reference pages: the bot scope each needs.
METHOD_SCOPES = {
    "auth.test": set(), "views.publish": set(),
    "chat.postMessage": {"chat:write"}, "chat.postEphemeral": {"chat:write"}, "chat.update": {"chat:write"},
    "conversations.info": {"channels:read", "groups:read"}, "users.info": {"users:read"},
    "reactions.add": {"reactions:write"}, "chat.getPermalink": set(),
    "conversations.open": {"im:write"},  # an edit of a DM (chat.update wants the DM's id)
    # approval
    "conversations.invite": {"channels:manage", "groups:write"},  # conversations.members: listed under audience
    "views.open": set(),

    # moderation
    "views.open": set(),  # the Flag to owners modal

    # content
    "pins.list": {"pins:read"}, "pins.remove": {"pins:write"}, "bookmarks.list": {"bookmarks:read"},
    "bookmarks.remove": {"bookmarks:write"}, "views.open": set(),

    # events
    "views.open": set(),  # the event form

    # report
    "files.getUploadURLExternal": {"files:write"}, "files.completeUploadExternal": {"files:write"},

    # audience
    "conversations.members": {"channels:read", "groups:read"},
    # home dashboard
    "views.open": set(),
}
EVENT_SCOPES = {
    "member_joined_channel": {"channels:read", "groups:read"}, "member_left_channel": {"channels:read", "groups:read"},
    "message.channels": {"channels:history"}, "message.groups": {"groups:history"},
    "reaction_added": {"reactions:read"}, "reaction_removed": {"reactions:read"}, "app_home_opened": set(),
    # approval

    # moderation

    # content
    "pin_added": {"pins:read"}, "pin_removed": {"pins:read"},

    # events

    # report

    # audience

    # home dashboard

}


class RecordingApp:
    """Stands in for Bolt's App during registration and notes every listener declared."""

    def __init__(self):
        self.registered = {"event": set(), "command": set(), "shortcut": set(), "action": set(), "view": set()}

    def __getattr__(self, kind):
        if kind not in self.registered:
            raise AttributeError(kind)

        def register(name, *args, **kwargs):
            self.registered[kind].add(name if isinstance(name, str) else repr(name))
            return lambda *function, **ack_and_lazy: function
        return register


def registered():
    app = RecordingApp()
    register_listeners(app, core=None, inbox=None)  # registration only; listeners never run here
    return app.registered


def test_every_event_the_app_handles_is_subscribed_and_nothing_else():
    events = registered()["event"]
    expected = set()
    for event in events:
        expected |= {"message.channels", "message.groups"} if event == "message" else {event}
    assert set(MANIFEST["settings"]["event_subscriptions"]["bot_events"]) == expected


def test_slash_commands_and_shortcuts_match():
    found = registered()
    assert {c["command"] for c in MANIFEST["features"]["slash_commands"]} == found["command"]
    assert {s["callback_id"] for s in MANIFEST["features"].get("shortcuts", [])} == found["shortcut"]
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is bool(found["action"] or found["shortcut"] or found["view"])
    assert MANIFEST["settings"]["socket_mode_enabled"] is True
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is ("app_home_opened" in found["event"])


def test_scopes_are_exactly_those_the_code_needs(group):
    """Drive every feature once, then derive the scopes from the calls Slack saw."""
    from handlers.emulator import app_home_opened_event
    group.join("UALICE")
    group.sender.event(app_home_opened_event("UOWNER"))
    group.slack.wait_for("views.publish")
    exercise_more_features(group)
    called = {c.method for c in group.slack.calls if c.method != "response_url"}
    unknown = called - set(METHOD_SCOPES)
    assert not unknown, f"add these methods to METHOD_SCOPES with their scopes: {unknown}"
    needed = set().union(*(METHOD_SCOPES[m] for m in called))
    needed |= set().union(*(EVENT_SCOPES[e] for e in MANIFEST["settings"]["event_subscriptions"]["bot_events"]))
    if MANIFEST["features"]["slash_commands"]:
        needed.add("commands")
    assert set(MANIFEST["oauth_config"]["scopes"]["bot"]) == needed


def exercise_more_features(ws):
    """Every feature's Slack calls, so their scopes are checked too (later features add theirs)."""
    from handlers.emulator import reaction_added_event
    ws.run("UALICE", "expertise add kubernetes")
    ts = ws.say("UBOB", "How do I restart a kubernetes pod?")
    ws.advance(minutes=30)
    ws.click("question_not_my_topic", ts, user="UALICE")
    ws.run("UOWNER", "ask Where is the on-call rota?")
    reply = ws.say("UALICE", "kubectl delete pod", thread_ts=ts)
    ws.sender.event(reaction_added_event("UBOB", "white_check_mark", "C1", reply, item_user="UALICE"))
    ws.settle()
    # Each duty of the owner toolkit drives its features here, under its heading:
    # approval
    from bot.approval import APPROVE, DENY
    from handlers.emulator import decode_json_args
    ws.run("UOWNER", "config approval on")
    ws.run("UCAROL", "groups", channel="C2")  # the directory: conversations.info per group
    ws.run("UCAROL", "join <#C1|general> hello", channel="C2")  # conversations.members, the owners' DMs
    ws.run("UDAN", "join <#C1|general>", channel="C2")
    ws.settle()
    value = {user: element["value"] for post in ws.posts("UOWNER") for block in decode_json_args(post)["blocks"]
             for element in block.get("elements", []) for user in ("UCAROL", "UDAN")
             if element.get("action_id") == APPROVE and f":{user}:" in element["value"]}
    ws.click(APPROVE, value["UCAROL"], user="UOWNER", channel="DUOWNER")  # conversations.invite, the DMs edited
    ws.click(DENY, value["UDAN"], user="UOWNER", channel="DUOWNER")  # views.open: the form for a reason

    # moderation
    from handlers.emulator import decode_json_args
    flagged = ws.say("UBOB", "you idiot")  # a default rule: each owner's report by DM, with its permalink
    ws.sender.message_shortcut("flag_to_owners", user_id="UALICE", channel_id="C1",
                               message={"type": "message", "user": "UBOB", "text": "you idiot", "ts": flagged})
    view = decode_json_args(ws.slack.wait_for("views.open")[0])["view"]
    ws.sender.view_submission(view["callback_id"], {"reason": {"reason": {"type": "plain_text_input", "value": "rude"}}},
                              user_id="UALICE", private_metadata=view["private_metadata"])
    ws.settle()
    ws.click("moderation_ask", f"T1:C1:{flagged}", user="UOWNER")

    # content
    from datetime import timedelta
    ws.slack.on_event(lambda event: ws.sender.event(event))  # Slack's pin events, signed, to the bot
    pinned = ws.say("UALICE", "Team handbook")
    ws.slack.pin("C1", pinned, "UALICE", created=ws.clock.now() - timedelta(days=400))  # pin_added
    mark = ws.slack.add_bookmark("C1", "Team handbook", "https://wiki.example/handbook", "UALICE")
    ws.core.content.reconcile(ws.core.groups.get("T1", "C1"))  # the daily check: pins.list, bookmarks.list
    ws.click("content_relabel", f"T1:C1:pin:{pinned}", user="UOWNER", channel="DUOWNER")  # views.open
    ws.click("content_remove", f"T1:C1:pin:{pinned}", user="UOWNER", channel="DUOWNER")  # pins.remove, pin_removed
    ws.click("content_remove", f"T1:C1:bookmark:{mark}", user="UOWNER", channel="DUOWNER")  # bookmarks.remove

    # events
    from datetime import timedelta

    from tests.test_events_slack import create as create_event
    _, event, _ = create_event(ws, day=f"{ws.clock.now() + timedelta(days=2):%Y-%m-%d}")
    ws.click("event_going", event, user="UALICE")
    ws.click("event_edit", event, user="UOWNER")
    ws.advance(days=6)  # reminders (DMs), the follow-up thread and the card held (chat.update)

    # report
    assert "Sent to your direct messages" in ws.run("UOWNER", "export 2")

    # audience
    ws.run("UCAROL", "follow kubernetes", channel="C2")
    ws.sender.message_shortcut("highlight", user_id="UOWNER", channel_id="C1",
                               message={"type": "message", "user": "UALICE", "ts": reply, "text": "kubernetes tip"})
    ws.settle()
    # home dashboard
    from tests.test_home import open_home, press
    press(ws, "UOWNER", open_home(ws, "UOWNER"), "Settings")  # views.open: the settings form
    ws.settle()


def test_message_catalogues_have_the_same_keys_and_placeholders():
    from bot.i18n import _compile
    english, french = CATALOGUES["en"], CATALOGUES["fr"]
    assert set(english) == set(french)
    for key in english:
        fields = lambda entry: {piece[1] for piece in _compile(entry) if isinstance(piece, tuple)}
        assert fields(english[key]) == fields(french[key]), key
