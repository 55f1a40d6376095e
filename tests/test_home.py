"""The App Home dashboard: the core's Home for owners and members, its registries and pages, and
end to end over the emulator: app_home_opened → views.publish, its buttons and the owner's forms."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from bot.clock import FakeClock
from bot.groups import GroupService
from bot.home import HOME_ACTION, SETTINGS, UNANSWERED, HomeService
from bot.home.view import Buttons, Fields, Paragraph
from bot.messages import plain
from bot.questions.experts import ExpertService
from bot.store import MemoryStore
from handlers.blocks import home_view
from handlers.emulator import app_home_opened_event, member_joined_event, new_ts

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)  # a Monday


# --- reading a published Home -------------------------------------------------------------------
def texts(view: dict) -> list[str]:
    """Every text a person reads on a Home, block by block (headers, sections, fields, notes, buttons)."""
    found = []
    for block in view["blocks"]:
        if block.get("text"):
            found.append(block["text"]["text"])
        found += [field["text"] for field in block.get("fields", [])]
        found += [element["text"] for element in block.get("elements", []) if block["type"] == "context"]
        buttons = [block["accessory"]] if block.get("accessory") else block.get("elements", []) if block["type"] == "actions" else []
        found += [f"[{button['text']['text']}]" for button in buttons]
    return found


def home_text(view: dict) -> str:
    return "\n".join(texts(view))


def find_button(view: dict, label: str) -> dict:
    for block in view["blocks"]:
        buttons = [block["accessory"]] if block.get("accessory") else block.get("elements", []) if block["type"] == "actions" else []
        for button in buttons:
            if button.get("type") == "button" and button["text"]["text"] == label:
                return {**button, "block_id": block.get("block_id", "b")}
    raise AssertionError(f"no button {label!r} on the Home:\n{home_text(view)}")


def as_dict(view) -> dict:
    return json.loads(view) if isinstance(view, str) else view


# --- the core, without Slack --------------------------------------------------------------------
@dataclass
class Core:  # what the Home reads from the assembled core
    reminders: object = None
    recognition: object = None
    digest: object = None
    audit: object = None


@pytest.fixture
def home():
    store, clock = MemoryStore(), FakeClock(NOW)
    groups = GroupService(store, clock)
    core = Core()
    service = HomeService(store, clock, groups, ExpertService(store, clock), lambda: core)
    service.core = core
    return service


def own(home, count: int, owner: str = "UOWNER") -> None:
    for n in range(count):
        home.groups.create("T1", f"C{n:03d}", owner, timezone="Europe/Paris")


def test_an_owner_card_shows_each_count_with_its_change_against_a_week_before(home):
    own(home, 1)
    waiting = {"n": 2}
    home.add_count("join_requests", lambda group: waiting["n"])
    assert home.record_counts() == 1 and home.record_counts() == 0  # once a local day
    home.clock.advance(timedelta(days=7))
    waiting["n"] = 5
    home.record_counts()
    view = home.view_for("T1", "UOWNER")
    fields = [plain(item) for piece in view.pieces if isinstance(piece, Fields) for item in piece.items]
    assert fields == ["Join requests waiting\n5 (+3)"]
    home.clock.advance(timedelta(days=20))  # nothing recorded 7 to 14 days before: no change shown
    fields = [plain(item) for piece in home.view_for("T1", "UOWNER").pieces if isinstance(piece, Fields) for item in piece.items]
    assert fields == ["Join requests waiting\n5"]


def test_registered_figures_come_in_order_and_a_name_is_added_once(home):
    from bot.home import Figure
    own(home, 1)
    home.add_figures("second", lambda group: [Figure(("B",), ("2",))], order=20)
    home.add_figures("first", lambda group: [Figure(("A",), ("1",), (" (+1)",))], order=10)
    with pytest.raises(ValueError):
        home.add_figures("first", lambda group: [])
    fields = [plain(item) for piece in home.view_for("T1", "UOWNER").pieces if isinstance(piece, Fields) for item in piece.items]
    assert fields == ["A\n1 (+1)", "B\n2"]


def test_the_metrics_overview_becomes_figures_with_their_changes(home):
    @dataclass
    class Numbers:
        members: int
        joins: int
        active: int
        asked: int
        answered: int
        resolved: int
        median_answer_seconds: float | None
        kudos: int
        thanked: int

        @property
        def response_rate(self):
            return self.answered / self.asked if self.asked else None

    @dataclass
    class Oldest:
        asked_at: datetime

    @dataclass
    class Overview:
        current: Numbers
        previous: Numbers | None
        active_month: int
        active_month_before: int | None
        open_now: int
        open_before: int | None
        oldest_open: Oldest | None

    own(home, 1)
    overview = Overview(Numbers(120, 4, 30, 10, 8, 6, 2700, 12, 5), Numbers(117, 2, 33, 8, 8, 5, 3600, 12, 4), 61, 58, 2, 3,
                        Oldest(NOW - timedelta(days=3)))
    home.add_overview(lambda group: overview)
    fields = [plain(item) for piece in home.view_for("T1", "UOWNER").pieces if isinstance(piece, Fields) for item in piece.items]
    assert fields == ["Members\n120 (+3)", "New members\n4 (+2)", "Active members, 7 days\n30 (−3)",
                      "Active members, 30 days\n61 (+3)", "Questions asked\n10 (+2)", "Answered\n8 (=)", "Resolved\n6 (+1)",
                      "Response rate\n80 % (−20 pts)", "Median time to a first answer\n45 min (−15 min)",
                      "Still open (last 30 days)\n2, the oldest 3 days old (−1)", "Kudos given\n12 (=)",
                      "Thanked in the weekly recognition\n5 (+1)"]


def test_a_member_never_sees_a_groups_figures(home):
    own(home, 2)
    home.add_count("flags", lambda group: 7)
    home.store.put("members", "T1:C000:UALICE", {"team_id": "T1", "channel_id": "C000", "user_id": "UALICE", "status": "member"})
    view = home.view_for("T1", "UALICE")
    shown = "\n".join(plain(getattr(piece, "text", "")) if not isinstance(piece, (Fields, Buttons)) else "" for piece in view.pieces)
    assert not any(isinstance(piece, Fields) for piece in view.pieces)
    assert "Dashboard" not in shown and "flags" not in shown
    assert "Your groups (1)" in shown and "#C000" in shown and "#C001" not in shown  # only the group she is in
    assert all(b.action_id == HOME_ACTION for piece in view.pieces if isinstance(piece, Buttons) for b in piece.buttons)


def test_forty_groups_are_paged_within_slacks_limits_and_each_shown_once(home):
    from bot.home import Figure
    own(home, 40)
    home.add_figures("many", lambda group: [Figure((f"**Figure {n}**",), (str(n),), (" (+1)",)) for n in range(14)])
    for name in ("join_requests", "flags", "stale_content"):
        home.add_count(name, lambda group: 1)
    home.experts.declare("T1", "UOWNER", [f"topic number {n}" for n in range(30)])
    seen, page = [], 0
    while True:
        view = home.view_for("T1", "UOWNER", owned_page=page)
        blocks = home_view(view).to_dict()
        assert len(blocks["blocks"]) <= 100 and len(json.dumps(blocks).encode()) < 250_000
        seen += [p.text[-1].channel_id for p in view.pieces if isinstance(p, Paragraph) and "Dashboard" in plain(p.text)]
        if not any(b.label == "Next groups" for p in view.pieces if isinstance(p, Buttons) for b in p.buttons):
            break
        page += 1
    assert page == 7 and seen == [f"C{n:03d}" for n in range(40)]
    assert home.view_for("T1", "UOWNER", owned_page=99).state == {"owned": 7, "member": 0}  # a stale page: the last


def test_learned_expertise_is_shown_and_its_button_forgets_it(home):
    own(home, 1, owner="UBOSS")
    learned = {"groups": [("C000", [("kubernetes", 2.0), ("helm", 1.0)])], "answers": [("postgres", 1.5)]}
    forgotten = []

    def learned_about(team_id, user_id, channel_ids, limit=10):
        return learned["groups"], learned["answers"]

    def forget(team_id, user_id, channel_ids):
        forgotten.append((team_id, user_id, channel_ids))
        learned.update(groups=[], answers=[])
        return 3
    home.add_learned(learned_about, forget)
    view = home.view_for("T1", "UALICE")
    shown = [plain(p.text) for p in view.pieces if isinstance(p, Paragraph)]
    assert "Learned from what you wrote and answered:\n• in #C000: kubernetes, helm\n• from the questions your answers solved: postgres" in shown
    [forget_button] = [b for p in view.pieces if isinstance(p, Buttons) for b in p.buttons if b.label == "Forget what was learned"]
    assert plain(home.act("T1", "UALICE", forget_button.value)) == "Forgotten: 3 words learned about you. Your declared topics stay."
    assert forgotten == [("T1", "UALICE", ["C000"])]
    assert "Learned from what you wrote and answered: nothing yet." in [plain(p.text) for p in home.view_for("T1", "UALICE").pieces
                                                                         if isinstance(p, Paragraph)]


def test_upcoming_events_show_in_the_members_time_zone_with_their_answer(home):
    from bot.events import Upcoming  # what the events duty hands the Home

    class Directory:
        def person(self, team_id, user_id):
            from bot.ports import Person
            return Person(user_id, timezone="Europe/Paris")
    asked = []

    def upcoming(team_id, user_id=None, group=None):
        asked.append((team_id, user_id))
        return [Upcoming("T1:C1:ev1", "T1", "C1", "Meetup", NOW + timedelta(days=2), "Room 4", 12, 3, "going")]
    home.add_upcoming(upcoming, Directory())
    shown = [plain(p.text) for p in home.view_for("T1", "UALICE").pieces if isinstance(p, Paragraph)]
    assert "• Meetup, 2026-11-25 11:00 (Europe/Paris), Room 4, in #C1: 12 going, 3 maybe; you are going" in shown
    assert asked == [("T1", "UALICE")]


def test_an_unknown_or_forged_button_changes_nothing(home):
    home.experts.declare("T1", "UALICE", ["kubernetes"])
    assert plain(home.act("T1", "UALICE", "drop_database:all")) == "That button is out of date: here is the Home as it is now."
    assert plain(home.act("T1", "UALICE", "reminders:maybe:C1")) == "That button is out of date: here is the Home as it is now."
    assert plain(home.act("T1", "UALICE", "remove_topic:helm")) == "helm was not among your topics."
    assert home.experts.profile("T1", "UALICE")["topics"] == ["kubernetes"]
    assert HomeService.page_of("page:owned:2:1") == (2, 1) and HomeService.page_of("page:member:3:0") == (0, 3)
    assert HomeService.page_of("page:owned:x:1") is None and HomeService.page_of("remove_topic:x") is None


# --- end to end over the emulator ---------------------------------------------------------------
def open_home(ws, user: str) -> dict:
    before = len(ws.slack.calls_to("views.publish"))
    ws.sender.event(app_home_opened_event(user))
    ws.steward.wait_idle()
    call = ws.slack.wait_for("views.publish", count=before + 1)[before]
    assert call["user_id"] == user
    return as_dict(call["view"])


def press(ws, user: str, view: dict, label: str) -> dict | None:
    """Press a button on a published Home (or a forged one), as Slack sends it; the Home published
    again after it, if any."""
    button = find_button(view, label)
    return press_value(ws, user, view, button["action_id"], button["value"], button["block_id"])


def press_value(ws, user: str, view: dict, action_id: str, value: str, block_id: str = "b") -> dict | None:
    before = len(ws.slack.calls_to("views.publish"))
    sender = ws.sender
    payload = {
        "type": "block_actions", "user": sender._user(user), "team": sender._team(), "api_app_id": sender.api_app_id,
        "token": sender.verification_token, "container": {"type": "view", "view_id": "VHOME"},
        "trigger_id": sender.trigger_id(),
        "view": {"id": "VHOME", "team_id": "T1", "type": "home", "blocks": view["blocks"],
                 "private_metadata": view.get("private_metadata", ""), "state": {"values": {}}, "hash": "1.hash"},
        "actions": [{"action_id": action_id, "block_id": block_id, "value": value, "type": "button", "action_ts": new_ts()}],
        "is_enterprise_install": False, "enterprise": None,
    }
    response = sender.action(payload)
    assert response.status == 200, response.body
    ws.steward.wait_idle()
    calls = ws.slack.calls_to("views.publish")
    return as_dict(calls[-1]["view"]) if len(calls) > before else None


def test_an_owner_opening_the_home_gets_the_dashboard_of_their_group(group):
    from bot.moderation import OPEN
    group.core.store.put(OPEN, "T1:C1:1700000000.000100", {"team_id": "T1", "channel_id": "C1", "ts": "1700000000.000100",
                                                          "opened_at": "2026-11-23T09:00:00+00:00"})  # a case the moderation keeps open
    text = home_text(open_home(group, "UOWNER"))
    assert "*Dashboard* of <#C1>" in text
    assert "*Members*\n" in text and "*Open flags*\n1" in text and "*Content to review*\n0" in text  # metrics, duties' counts
    assert "[Settings]" in text and "[Unanswered questions]" in text
    assert "Your expertise" in text and "Your preferences" in text


def test_a_pending_join_request_shows_on_the_owners_card(group):
    group.run("UOWNER", "config approval on")
    assert group.run("UCAROL", "join <#C1|general> I run the CI", channel="C2").startswith("Your request to join <#C1> is with its owners")
    assert "*Join requests waiting*\n1" in home_text(open_home(group, "UOWNER"))


def test_a_member_opening_the_home_sees_their_groups_expertise_and_preferences_never_figures(group):
    group.join("UALICE")
    group.run("UALICE", "expertise add kubernetes, helm")
    view = open_home(group, "UALICE")
    text = home_text(view)
    assert "Your groups (1)" in text and "<#C1>: visit reminders on" in text and "[No more reminders]" in text
    assert "Topics you declared: kubernetes, helm" in text and "[Remove kubernetes]" in text
    assert "The weekly thanks may name you." in text and "[Don't name me]" in text
    assert "Dashboard" not in text and "Members" not in text and "Content to review" not in text and "[Settings]" not in text
    assert all(block["type"] != "section" or not block.get("fields") for block in view["blocks"])


def test_the_remove_button_removes_a_declared_topic_and_publishes_again(group):
    group.join("UALICE")
    group.run("UALICE", "expertise add kubernetes, helm")
    after = press(group, "UALICE", open_home(group, "UALICE"), "Remove kubernetes")
    assert group.core.experts.profile("T1", "UALICE")["topics"] == ["helm"]
    text = home_text(after)
    assert text.splitlines()[1] == "Removed kubernetes from your topics."
    assert "Topics you declared: helm" in text and "[Remove kubernetes]" not in text


def test_preference_buttons_switch_reminders_recognition_and_being_asked(group):
    group.join("UALICE")
    view = open_home(group, "UALICE")
    view = press(group, "UALICE", view, "No more reminders")
    assert group.core.reminders.state(group.core.groups.get("T1", "C1"), "UALICE")["opted_out"] is True
    assert "<#C1>: visit reminders off" in home_text(view)
    view = press(group, "UALICE", view, "Don't name me")
    assert group.core.recognition.is_opted_out("T1", "UALICE")
    assert "The weekly thanks do not name you." in home_text(view)
    view = press(group, "UALICE", view, "Pause")
    assert group.core.experts.profile("T1", "UALICE")["opted_out"] is True
    view = press(group, "UALICE", view, "Remind me again")
    view = press(group, "UALICE", view, "Name me again")
    view = press(group, "UALICE", view, "Resume")
    assert not group.core.recognition.is_opted_out("T1", "UALICE")
    assert group.core.reminders.state(group.core.groups.get("T1", "C1"), "UALICE")["opted_out"] is False
    assert group.core.experts.profile("T1", "UALICE")["opted_out"] is False
    assert "<#C1>: visit reminders on" in home_text(view)


def test_an_owner_of_forty_groups_pages_through_them_within_slacks_limits(group):
    core = group.core
    for n in range(2, 41):
        core.groups.create("T1", f"C{n:03d}", "UOWNER", timezone="Europe/Paris")
    view, pages = open_home(group, "UOWNER"), []
    while True:
        assert len(view["blocks"]) <= 100 and len(json.dumps(view).encode()) < 250_000
        pages.append([line for line in texts(view) if line.startswith("*Dashboard* of")])
        if "[Next groups]" not in texts(view):
            break
        view = press(group, "UOWNER", view, "Next groups")
    assert len(pages) == 8 and sum(len(p) for p in pages) == 40
    assert texts(view)[1] == "Groups you own (40), page 8 of 8"
    back = press(group, "UOWNER", view, "Previous")
    assert "Groups you own (40), page 7 of 8" in texts(back)
    assert home_text(open_home(group, "UOWNER")).count("*Dashboard* of") == 5  # a fresh open starts at the first page


def test_settings_button_opens_the_form_and_saving_changes_the_group_in_the_audit_trail(group):
    view = open_home(group, "UOWNER")
    assert press(group, "UOWNER", view, "Settings") is None
    [opened] = group.slack.calls_to("views.open")
    modal = as_dict(opened["view"])
    fields = {block["block_id"]: block["element"]["initial_value"] for block in modal["blocks"] if block["type"] == "input"}
    assert fields["first_wait"] == "30m" and fields["timezone"] == "Europe/Paris"
    values = {key: {"value": {"type": "plain_text_input", "value": value}} for key, value in fields.items()}
    values["first_wait"]["value"]["value"] = "99d"
    refused = group.sender.view_submission("home_settings_form", values, user_id="UOWNER", private_metadata=modal["private_metadata"])
    assert refused.json()["response_action"] == "errors" and "first_wait" in refused.json()["errors"]
    assert group.core.groups.get("T1", "C1").config["first_wait"] == 1800
    group.steward.wait_idle()
    publishes = len(group.slack.calls_to("views.publish"))
    assert publishes == 1  # the refused form is still open: the Home is not redrawn behind it
    values["first_wait"]["value"]["value"] = "1h"
    values["welcome_in"]["value"]["value"] = "dm"
    accepted = group.sender.view_submission("home_settings_form", values, user_id="UOWNER", private_metadata=modal["private_metadata"])
    assert accepted.status == 200 and not accepted.body
    group.steward.wait_idle()
    config = group.core.groups.get("T1", "C1").config
    assert config["first_wait"] == 3600 and config["welcome_in"] == "dm"
    assert home_text(as_dict(group.slack.calls_to("views.publish")[-1]["view"])).splitlines()[1] == \
        "Saved in <#C1>: welcome_in = dm, first_wait = 1h."
    audit = group.run("UOWNER", "audit").splitlines()
    assert any("<@UOWNER> changed a setting from the Home:" in line and line.endswith("first_wait = 1h") for line in audit)


def test_unanswered_button_lists_the_open_questions_in_a_modal(group):
    group.join("UALICE")
    group.say("UALICE", "How do I rotate the staging certificates?")
    press(group, "UOWNER", open_home(group, "UOWNER"), "Unanswered questions")
    [opened] = group.slack.calls_to("views.open")
    shown = home_text(as_dict(opened["view"]))
    assert "How do I rotate the staging certificates?" in shown and "<@UALICE>" in shown


def test_owner_buttons_pressed_by_someone_else_are_refused(group):
    group.join("UALICE")
    view = open_home(group, "UALICE")
    for action_id in (SETTINGS, UNANSWERED):
        after = press_value(group, "UALICE", view, action_id, "T1:C1")
        assert texts(after)[1] == "Only this group's owners can do that. The owners are <@UOWNER>."
    after = press_value(group, "UALICE", view, SETTINGS, "T1:C404")
    assert texts(after)[1].startswith("This channel is not a managed group yet.")
    assert group.slack.calls_to("views.open") == []
    forged = group.sender.view_submission("home_settings_form", {"first_wait": {"value": {"type": "plain_text_input", "value": "1m"}}},
                                          user_id="UALICE", private_metadata=json.dumps({"team": "T1", "channel": "C1"}))
    assert forged.json()["response_action"] == "errors"
    assert group.core.groups.get("T1", "C1").config["first_wait"] == 1800


def test_a_member_who_joined_is_in_their_groups_and_one_who_left_is_not(group):
    group.sender.event(member_joined_event("C1", "UBOB"))
    group.steward.wait_idle()
    assert "<#C1>" in home_text(open_home(group, "UBOB"))
    group.leave("UBOB")
    assert "The bot knows of no managed group you are in yet" in home_text(open_home(group, "UBOB"))


def test_the_dashboard_of_a_seeded_group_over_slack(group):
    """The report's metrics on the owner's card, with their changes, over two weeks of real events."""
    from handlers.emulator import reaction_added_event
    from tests.test_report import seed_a_week, utc
    seed_a_week(group)  # from Monday 23 November: a newcomer, two questions answered, one resolved, kudos, Friday's thanks
    group.join("UCAROL")  # Monday 30 November, 11:00 in Paris
    group.say("UDAN", "Is there a staging VPN profile?")  # nobody answers
    group.clock.set(utc(1, 9, month=12))  # Tuesday 10:00
    question = group.say("UBOB", "How do I reset my 2FA token?")
    group.advance(minutes=20)
    answer = group.say("UALICE", "Settings, then Security, then Reset", thread_ts=question)
    group.sender.event(reaction_added_event("UBOB", "white_check_mark", "C1", answer, item_user="UALICE"))
    group.sender.event(reaction_added_event("UBOB", "raised_hands", "C1", answer, item_user="UALICE"))
    group.clock.set(utc(2, 11, month=12))  # Wednesday 2 December, 12:00 in Paris
    group.settle()
    view = open_home(group, "UOWNER")
    fields = [field for block in view["blocks"] for field in (x["text"] for x in block.get("fields", []))]
    assert "*Content to review*\n0 (=)" in fields  # a duty's count, against the one kept a week before
    assert fields[:12] == [
        "*Members*\n4 (+1)",  # UCAROL joined; UDAN joined the week before; UBOB and UALICE known from what they did
        "*New members*\n1 (=)",
        "*Active members, 7 days*\n3 (=)",
        "*Active members, 30 days*\n3",  # the bot did not follow the group 30 days before: no change
        "*Questions asked*\n2 (=)",
        "*Answered*\n1 (−1)",
        "*Resolved*\n1 (=)",
        "*Response rate*\n50 % (−50 pts)",
        "*Median time to a first answer*\n20 min (−55 min)",  # against 1 h 15 min, the median of 2 h and 30 min
        "*Still open (last 30 days)*\n1, the oldest 2 days old (+1)",
        "*Kudos given*\n1 (=)",
        "*Thanked in the weekly recognition*\n3 (+3)",  # Friday's post named three people
    ]
    assert "[Report by DM]" in texts(view)
    press(group, "UOWNER", view, "Report by DM")
    group.settle()
    assert any(post.get("text", "").startswith("*Report* for <#C1>") for post in group.posts())


def test_a_home_whose_pages_were_tampered_with_is_still_published(group):
    """The pages travel in the view's private_metadata; an odd value there (a number JSON cannot
    make an int of) is read as the first page, never a press left without an answer."""
    from handlers.home import pages_of
    assert pages_of({"private_metadata": '{"owned": Infinity, "member": -Infinity}'}) == (0, 0)
    assert pages_of({"private_metadata": '{"owned": 1e400, "member": NaN}'}) == (0, 0)
    group.join("UALICE")
    group.run("UALICE", "expertise add kubernetes")
    view = open_home(group, "UALICE")
    after = press(group, "UALICE", dict(view, private_metadata='{"owned": Infinity}'), "Remove kubernetes")
    assert after is not None and texts(after)[1] == "Removed kubernetes from your topics."


def test_saving_the_settings_form_keeps_what_another_owner_changed_meanwhile(group):
    """The form sends every field back. A field the owner did not touch, changed by a co-owner
    (or `/community config`) since the form was opened, must not be set back to what it showed."""
    press(group, "UOWNER", open_home(group, "UOWNER"), "Settings")
    modal = as_dict(group.slack.calls_to("views.open")[-1]["view"])
    shown = {block["block_id"]: block["element"]["initial_value"] for block in modal["blocks"] if block["type"] == "input"}
    assert group.run("UOWNER", "config first_wait 1h") == "`first_wait` is now `1h`."  # meanwhile, from a channel
    values = {key: {"value": {"type": "plain_text_input", "value": value}} for key, value in shown.items()}
    values["welcome_in"]["value"]["value"] = "dm"
    accepted = group.sender.view_submission("home_settings_form", values, user_id="UOWNER", blocks=modal["blocks"],
                                            private_metadata=modal["private_metadata"])
    assert accepted.status == 200 and not accepted.body
    group.steward.wait_idle()
    config = group.core.groups.get("T1", "C1").config
    assert config["welcome_in"] == "dm" and config["first_wait"] == 3600
    assert home_text(as_dict(group.slack.calls_to("views.publish")[-1]["view"])).splitlines()[1] == \
        "Saved in <#C1>: welcome_in = dm."
