"""Events in the core: answers and the card's coalesced edits, the owners' form, and the timeline
(reminders in each attendee's time zone, the follow-up, the nudge) with a fake clock across the
daylight-saving changes of Paris and New York, on a real TinyDB store with the real outbox (no
delivery worker: a test delivers what it wants, when it wants, as the worker's follow-up would)."""
from datetime import datetime, timedelta, timezone

import pytest

from bot.activity import ActivityService
from bot.clock import FakeClock
from bot.events import CARDS, MAX_TITLE, TABLE, Draft, EventService, TRACK_CARD
from bot.events.timeline import (BadWallTime, day_before_at, follow_up_at, hour_before_at, nudge_at, start_from_wall)
from bot.groups import GroupService
from bot.messages import Message
from bot.outbox import QUEUE, Outbox
from bot.ports import Person
from bot.store import TinyDBStore

UTC = timezone.utc
TZ = {"UOWNER": "Europe/Paris", "UALICE": "Europe/Paris", "UBOB": "Europe/Paris", "UNY": "America/New_York"}


def utc(*args):
    return datetime(*args, tzinfo=UTC)


# --- the timeline as pure functions ------------------------------------------------------------
def test_spring_forward_paris_with_an_attendee_in_new_york():
    """Sunday 29 March 2026, 10:00 in Paris: the clocks went forward there that night (CET→CEST),
    New York's three weeks before (EST→EDT on 8 March)."""
    start = start_from_wall("2026-03-29", "10:00", "Europe/Paris")
    assert start == utc(2026, 3, 29, 8, 0)  # UTC+2 already
    assert day_before_at(start, "Europe/Paris") == utc(2026, 3, 28, 17, 0)  # 18:00 CET, the day before: 15 h, not 24
    assert day_before_at(start, "America/New_York") == utc(2026, 3, 28, 22, 0)  # 18:00 EDT
    assert hour_before_at(start) == utc(2026, 3, 29, 7, 0)
    follow_up = follow_up_at(start, "Europe/Paris")
    assert follow_up == utc(2026, 3, 30, 7, 0)  # Monday 09:00 CEST
    assert nudge_at(follow_up, "Europe/Paris") == utc(2026, 4, 6, 8, 0)  # 10:00 CEST
    assert nudge_at(follow_up, "America/New_York") == utc(2026, 4, 6, 14, 0)  # 10:00 EDT


def test_fall_back_paris_then_new_york_a_week_later():
    """Sunday 25 October 2026 10:00 in Paris (CEST→CET that night); New York changes on 1 November,
    between the follow-up and the nudge."""
    start = start_from_wall("2026-10-25", "10:00", "Europe/Paris")
    assert start == utc(2026, 10, 25, 9, 0)
    assert day_before_at(start, "Europe/Paris") == utc(2026, 10, 24, 16, 0)  # 18:00 CEST: 17 h before
    assert day_before_at(start, "America/New_York") == utc(2026, 10, 24, 22, 0)
    follow_up = follow_up_at(start, "Europe/Paris")
    assert follow_up == utc(2026, 10, 26, 8, 0)  # 09:00 CET
    assert nudge_at(follow_up, "Europe/Paris") == utc(2026, 11, 2, 9, 0)  # 10:00 CET
    assert nudge_at(follow_up, "America/New_York") == utc(2026, 11, 2, 15, 0)  # 10:00 EST, no longer EDT


def test_wall_times_that_do_not_exist_or_exist_twice():
    with pytest.raises(BadWallTime) as gap:
        start_from_wall("2026-03-29", "02:30", "Europe/Paris")
    assert gap.value.reason == "gap"
    assert start_from_wall("2026-10-25", "02:30", "Europe/Paris") == utc(2026, 10, 25, 0, 30)  # the first 02:30 (CEST)
    for day, at, reason in (("2026-02-30", "10:00", "date"), ("28/03/2026", "10:00", "date"), ("2026-03-28", "24:00", "time"),
                            ("2026-03-28", "", "time"), ("", "10:00", "date")):
        with pytest.raises(BadWallTime) as bad:
            start_from_wall(day, at, "Europe/Paris")
        assert bad.value.reason == reason


def test_a_date_beyond_the_calendar_is_a_bad_date_not_a_crash():
    """Year 1 just after midnight in Tokyo is still year 0 in UTC, year 9999's last evening in New
    York is year 10000 there: Python cannot hold either; the form says the date is wrong."""
    for day, at, tz in (("0001-01-01", "00:30", "Asia/Tokyo"), ("9999-12-31", "23:30", "America/New_York")):
        with pytest.raises(BadWallTime) as bad:
            start_from_wall(day, at, tz)
        assert bad.value.reason == "date"


# --- the service on a real store ---------------------------------------------------------------
class Directory:
    def person(self, team_id, user_id):
        return Person(user_id, timezone=TZ.get(user_id, "UTC"))

    def permalink(self, team_id, channel_id, message_id):
        return f"https://example.slack.com/archives/{channel_id}/p{message_id.replace('.', '')}"


class Forms:
    """The Workspace port's form: what would have been shown, to whom."""

    def __init__(self):
        self.shown = []

    def open_event_form(self, team_id, trigger_id, form):
        self.shown.append((trigger_id, form))


class World:
    def __init__(self, data_dir, clock):
        self.data_dir, self.clock, self.refs = data_dir, clock, 0
        self.forms = Forms()
        self.delivered = []  # (fake time, key, destination, plain text, thread, replaces)
        self.open()

    def open(self):
        self.store = TinyDBStore(self.data_dir, flush_interval=60)
        self.groups = GroupService(self.store, self.clock)
        self.group = self.groups.get("T1", "C1") or self.groups.create("T1", "C1", "UOWNER", timezone="Europe/Paris")[0]
        self.activity = ActivityService(self.store, self.clock, Directory())
        self.outbox = Outbox(self.store, self.clock)
        self.events = EventService(self.store, self.clock, self.groups, self.activity, Directory(), self.outbox, self.forms)
        self.outbox.on_delivered(TRACK_CARD, self.events.track_card)
        self.activity.on_reply(self.events.replied)

    def restart(self):
        self.store.close()
        self.open()

    def queued(self):
        return sorted(self.outbox.waiting(), key=lambda doc: doc["queued_at"])

    def deliver_all(self):
        """The delivery worker, in queue order, until nothing waits (follow-ups may queue more)."""
        while True:
            waiting = self.queued()
            if not waiting:
                return
            for doc in waiting:
                ref = self.outbox.was_sent(doc["replaces"])["ref"] if doc.get("replaces") else f"1700000000.{self.refs:06d}"
                self.refs += 1
                self.delivered.append((self.clock.now(), doc["key"], doc["user_id"] or doc["channel_id"],
                                       Message.from_dict(doc["message"]).plain(), doc.get("thread"), doc.get("replaces")))
                self.outbox.record_sent(doc, ref)

    def create(self, title="Meetup", day="2026-03-29", at="10:00", place="Café Oberkampf", user="UOWNER", form="V1", **more):
        assert self.events.check(self.group, user, Draft(title, day, at, place, **more)) == {}
        assert self.events.save(self.group, user, Draft(title, day, at, place, **more), form_id=form) == "created"
        return f"T1:{form}"

    def run_until(self, end, step=timedelta(minutes=5)):
        """Sweep and deliver every `step` until `end`, as the scheduler would."""
        while self.clock.now() < end:
            self.clock.advance(step)
            self.events.sweep()
            self.deliver_all()

    def dms(self, kind=""):
        return [(at, dest, text) for at, key, dest, text, _, _ in self.delivered if key.startswith("event-dm:") and kind in key]


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path / "data", FakeClock(utc(2026, 3, 23, 9, 0)))  # Monday before the spring change
    yield w
    w.store.close()


def card_versions(world):
    return [(key, text) for _, key, _, text, _, replaces in world.delivered if key.startswith("event-card:")]


def test_answers_change_state_and_the_card_shows_names_in_order(world):
    key = world.create()
    world.deliver_all()
    assert world.events.rsvp(world.group, key, "UALICE", "going") == "saved"
    assert world.events.rsvp(world.group, key, "UALICE", "going") == "unchanged"
    world.clock.advance(seconds=1)
    assert world.events.rsvp(world.group, key, "UBOB", "maybe") == "saved"
    world.clock.advance(seconds=1)
    assert world.events.rsvp(world.group, key, "UNY", "going") == "saved"
    world.clock.advance(seconds=1)
    assert world.events.rsvp(world.group, key, "UBOB", "cant") == "saved"  # a change of mind
    assert world.events.rsvp(world.group, key, "UALICE", "nonsense") == "unknown"
    assert world.events.rsvp(world.group, "T1:nope", "UALICE", "going") == "unknown"
    other = world.groups.create("T1", "C9", "UOWNER")[0]
    assert world.events.rsvp(other, key, "UALICE", "going") == "unknown"  # a card's value pasted elsewhere
    world.deliver_all()
    doc = world.store.get(TABLE, key)
    assert {u: r["answer"] for u, r in doc["rsvps"].items()} == {"UALICE": "going", "UBOB": "cant", "UNY": "going"}
    assert doc["rsvps"]["UNY"]["tz"] == "America/New_York"
    last = card_versions(world)[-1][1]
    assert "Going (2): @UALICE, @UNY" in last and "Maybe (0): nobody yet" in last and "Can't go (1): @UBOB" in last
    up = world.events.upcoming("T1", user_id="UNY")
    assert [(u.title, u.going, u.maybe, u.mine) for u in up] == [("Meetup", 2, 0, "going")]
    assert world.events.upcoming("T1", group="T1:C9") == []


def test_a_burst_of_answers_makes_one_edit_at_a_time_and_the_last_shows_them_all(world):
    key = world.create()
    for n in range(30):  # before the card itself is delivered: nothing but the card waits
        world.events.rsvp(world.group, key, f"U{n:02d}", "going")
    assert [doc["key"] for doc in world.queued()] == [f"event-card:{key}"]
    world.deliver_all()  # the card, then one edit with all 30
    assert [k for k, _ in card_versions(world)] == [f"event-card:{key}", f"event-card:{key}:v1"]
    assert "Going (30)" in card_versions(world)[-1][1] and "+0" not in card_versions(world)[-1][1]
    for n in range(30, 40):  # while v2 waits, eight more answers only bump the revision
        world.events.rsvp(world.group, key, f"U{n:02d}", "maybe")
    assert [doc["key"] for doc in world.queued()] == [f"event-card:{key}:v2"]
    world.deliver_all()
    versions = card_versions(world)
    assert [k for k, _ in versions][-2:] == [f"event-card:{key}:v2", f"event-card:{key}:v3"]
    assert "Maybe (10)" in versions[-1][1]
    assert "+0" not in versions[-1][1] and "Going (30): @U00," in versions[-1][1]  # 30 shown, none cut
    replaces = [r for _, k, _, _, _, r in world.delivered if k.startswith("event-card:")]
    assert replaces == [None, f"event-card:{key}", f"event-card:{key}:v1", f"event-card:{key}:v2"]  # each edits the last shown


def test_the_form_is_checked_field_by_field(world):
    check = lambda draft, user="UOWNER", event="": {k: "".join(map(str, v)) for k, v in world.events.check(world.group, user, draft, event).items()}
    good = Draft("Meetup", "2026-03-29", "10:00", "Café")
    assert check(good) == {}
    assert "owners" in check(good, user="UALICE")["title"]
    errors = check(Draft("", "2026-03-20", "10:00", "x" * 201, link="ftp://x", description="d" * 1501))
    assert set(errors) == {"title", "date", "place", "link", "description"}
    assert "has passed" in errors["date"] and "At most 200 characters (this has 201)" in errors["place"]
    assert "https://" in errors["link"]
    assert "does not exist" in check(Draft("Meetup", "2026-03-29", "02:30", "Café"))["time"]
    assert "365 days" in check(Draft("Meetup", "2027-12-01", "10:00", "Café"))["date"]
    assert "Choose a date" in check(Draft("Meetup", "", "10:00", "Café"))["date"]
    assert check(Draft("t" * MAX_TITLE, "2026-03-29", "10:00", "Café", link="https://example.org/a?b=c")) == {}
    assert "At most" in check(Draft("t" * (MAX_TITLE + 1), "2026-03-29", "10:00", "Café"))["title"]
    assert check(Draft("Meetup", "2026-03-29", "10:00", "Café", link="javascript:alert(1)"))["link"]
    key = world.create()
    assert "owners" in check(good, user="UALICE", event=key.split(":")[1])["title"]  # a forged edit
    assert "no longer exists" in check(good, event="V404")["title"]


def test_a_title_or_place_of_invisible_characters_only_is_empty(world):
    """Zero-width spaces and joiners, a byte-order mark, a direction override: nothing to read on
    the card, so the field is required like an empty one."""
    errors = world.events.check(world.group, "UOWNER", Draft("\u200b\u2060\ufeff", "2026-03-29", "10:00", " \u202e\u200d "))
    assert set(errors) == {"title", "place"} and "Please fill this in." in "".join(map(str, errors["title"]))
    assert world.events.check(world.group, "UOWNER", Draft("\u200bMeetup", "2026-03-29", "10:00", "Café")) == {}


def test_a_resubmitted_form_creates_one_event(world):
    world.create(form="V7")
    assert world.events.save(world.group, "UOWNER", Draft("Meetup", "2026-03-29", "10:00", "Café"), form_id="V7") == "unchanged"
    assert len(world.store.find(TABLE)) == 1


def test_the_edit_form_is_prefilled_in_the_groups_time_zone_and_refused_to_members(world):
    key = world.create(link="https://meetup.example/1", description="Bring a laptop")
    assert world.events.open_form(world.group, "UALICE", "trig-1", "V1") == "not_owner"
    assert world.events.open_form(world.group, "UOWNER", "trig-2", "V1") == "opened"
    trigger, form = world.forms.shown[-1]
    assert trigger == "trig-2" and form.event_id == "V1" and form.timezone == "Europe/Paris"
    assert form.draft == Draft("Meetup", "2026-03-29", "10:00", "Café Oberkampf", "https://meetup.example/1", "Bring a laptop")
    assert world.events.open_form(world.group, "UOWNER", "trig-3", "V404") == "unknown"
    world.events.cancel(world.group, "UOWNER", "V1")
    assert world.events.open_form(world.group, "UOWNER", "trig-4", "V1") == "closed"
    assert world.store.get(TABLE, key)["status"] == "cancelled"


def life(world):
    """An event on Sunday 29 March 2026 at 10:00 in Paris (the night the clocks go forward), with
    Alice (Paris) going, Bob (Paris) maybe and Nia (New York) going; run to two weeks later."""
    key = world.create()
    world.deliver_all()
    world.events.rsvp(world.group, key, "UALICE", "going")
    world.events.rsvp(world.group, key, "UBOB", "maybe")
    world.events.rsvp(world.group, key, "UNY", "going")
    world.deliver_all()
    return key


def test_the_timeline_across_the_spring_change(world):
    key = life(world)
    world.run_until(utc(2026, 3, 30, 12, 0))
    # Replies in the follow-up thread: Alice posts her to-dos; Nia says nothing.
    ref = world.store.get(TABLE, key)["card"]["ref"]
    world.activity.message(world.group, "UALICE", "1700000100.000001", ref, "replies", "Ev1")
    world.run_until(utc(2026, 4, 9, 12, 0))
    got = [(at, dest, kind) for at, dest, kind in
           [(at, dest, "day" if ":day:" in k else "hour" if ":hour:" in k else "nudge" if ":nudge:" in k else "?")
            for at, k, dest, _, _, _ in world.delivered if k.startswith("event-dm:")]]
    assert got == [
        (utc(2026, 3, 28, 17, 0), "UALICE", "day"), (utc(2026, 3, 28, 17, 0), "UBOB", "day"),  # 18:00 CET
        (utc(2026, 3, 28, 22, 0), "UNY", "day"),  # 18:00 EDT
        (utc(2026, 3, 29, 7, 0), "UALICE", "hour"), (utc(2026, 3, 29, 7, 0), "UBOB", "hour"), (utc(2026, 3, 29, 7, 0), "UNY", "hour"),
        (utc(2026, 4, 6, 14, 0), "UNY", "nudge"),  # 10:00 EDT; Alice replied, Bob only said maybe
    ]
    follow = [(at, thread) for at, k, _, _, thread, _ in world.delivered if k.startswith("event-followup:")]
    assert follow == [(utc(2026, 3, 30, 7, 0), ref)]  # Monday 09:00 CEST, under the card
    texts = {dest: text for _, k, dest, text, _, _ in world.delivered if ":day:" in k}
    assert "Tomorrow: Meetup, Sunday 2026-03-29 at 10:00, Café Oberkampf" in texts["UALICE"]
    assert "Sunday 2026-03-29 at 04:00 your time (10:00 in Europe/Paris)" in texts["UNY"]
    last_card = card_versions(world)[-1][1]
    assert "took place (2 said they were going)" in last_card
    assert world.store.get(TABLE, key) is None and world.store.get("events_past.2026", key)["status"] == "held"  # retired
    [held] = world.events.held(world.group, utc(2026, 3, 23), utc(2026, 3, 30))
    assert (held.title, held.went, held.follow_up_replies, held.repliers) == ("Meetup", ("UALICE", "UNY"), 1, ("UALICE",))
    assert (held.starts_at, held.going, held.followups) == (utc(2026, 3, 29, 8, 0), 2, 1)  # as the owner's report reads it
    assert world.events.upcoming("T1") == []


def test_the_timeline_across_the_autumn_change(tmp_path):
    world = World(tmp_path / "data", FakeClock(utc(2026, 10, 19, 9, 0)))
    key = world.create(day="2026-10-25", at="10:00")
    world.deliver_all()
    world.events.rsvp(world.group, key, "UNY", "going")
    world.events.rsvp(world.group, key, "UALICE", "going")
    world.deliver_all()
    world.run_until(utc(2026, 11, 4, 0, 0), step=timedelta(minutes=10))
    got = sorted((at, dest, k.split(":")[3]) for at, k, dest, _, _, _ in world.delivered if k.startswith("event-dm:"))
    assert got == [
        (utc(2026, 10, 24, 16, 0), "UALICE", "day"), (utc(2026, 10, 24, 22, 0), "UNY", "day"),
        (utc(2026, 10, 25, 8, 0), "UALICE", "hour"), (utc(2026, 10, 25, 8, 0), "UNY", "hour"),
        (utc(2026, 11, 2, 9, 0), "UALICE", "nudge"), (utc(2026, 11, 2, 15, 0), "UNY", "nudge"),  # 10:00 CET, 10:00 EST
    ]
    world.store.close()


def test_follow_up_replies_count_once_per_person_for_recognition_and_only_after_the_follow_up(world):
    key = life(world)
    ref = world.store.get(TABLE, key)["card"]["ref"]
    world.activity.message(world.group, "UBOB", "1700000000.500000", ref, "replies", "Ev0")  # before: a question about parking
    world.run_until(utc(2026, 3, 30, 7, 5))
    for n, user in enumerate(["UALICE", "UALICE", "UNY"]):
        world.activity.message(world.group, user, f"1700000200.{n:06d}", ref, "replies", f"Ev{n + 1}")
    world.activity.message(world.group, "UNY", "1700000200.000002", ref, "replies", "Ev3")  # a redelivered event
    [held] = world.events.held(world.group, utc(2026, 3, 29), utc(2026, 3, 30))
    assert (held.follow_up_replies, held.repliers) == (3, ("UALICE", "UNY"))
    week = {c.user_id: c.followups for c in world.activity.contributions(world.group, "2026-W14")}
    assert week == {"UALICE": 1, "UNY": 1}
    from bot.recognition import RecognitionService
    draft = RecognitionService(world.store, world.activity, Directory(), world.outbox).draft(world.group, "2026-W14")
    assert {(r.user_id, r.score) for r in draft} == {("UALICE", 1), ("UNY", 1)}
    assert "posted an update after an event" in "".join(map(str, draft[0].reasons))
    world.run_until(utc(2026, 4, 8, 0, 0))
    assert world.dms("nudge") == []  # both who said going replied


def test_an_edited_time_reschedules_what_is_not_done_and_tells_attendees_once(world):
    key = life(world)
    world.run_until(utc(2026, 3, 28, 17, 30))  # the day-before reminders for Sunday went to Paris
    assert len(world.dms(":day:")) == 2
    edit = Draft("Meetup", "2026-04-02", "19:00", "Café Oberkampf")  # moved to Thursday evening
    assert world.events.save(world.group, "UOWNER", edit, form_id="V9", event_id="V1") == "edited"
    assert world.events.save(world.group, "UOWNER", edit, form_id="V9", event_id="V1") == "unchanged"
    world.deliver_all()
    notices = [(dest, text) for _, k, dest, text, _, _ in world.delivered if ":change1:" in k]
    assert sorted(d for d, _ in notices) == ["UALICE", "UBOB", "UNY"]
    assert "now Thursday 2026-04-02 at 19:00, Café Oberkampf" in dict(notices)["UALICE"]
    assert "Thursday 2026-04-02 at 13:00 your time (19:00 in Europe/Paris)" in dict(notices)["UNY"]
    assert "Thursday 2026-04-02 at 19:00" in card_versions(world)[-1][1]
    retitled = Draft("Spring meetup", "2026-04-02", "19:00", "Café Oberkampf")
    assert world.events.save(world.group, "UOWNER", retitled, form_id="V10", event_id="V1") == "edited"
    world.deliver_all()
    assert not [k for _, k, *_ in world.delivered if ":change2:" in k]  # a new title alone tells nobody
    world.run_until(utc(2026, 4, 3, 12, 0))
    sunday = [(at, d) for at, d, _ in world.dms(":hour:") if at < utc(2026, 3, 30)]
    assert sunday == []  # nothing more for the old time
    assert sorted((at, d) for at, d, _ in world.dms(":day:") if at > utc(2026, 3, 29)) == [
        (utc(2026, 4, 1, 16, 0), "UALICE"), (utc(2026, 4, 1, 16, 0), "UBOB"), (utc(2026, 4, 1, 22, 0), "UNY")]
    assert sorted(d for at, d, _ in world.dms(":hour:")) == ["UALICE", "UBOB", "UNY"]
    assert all(at == utc(2026, 4, 2, 16, 0) for at, _, _ in world.dms(":hour:"))


def test_a_cancelled_event_tells_attendees_once_and_sends_nothing_more(world):
    key = life(world)
    world.events.rsvp(world.group, key, "UOWNER", "going")
    assert world.events.save(world.group, "UALICE", Draft(cancel=True), form_id="V2", event_id="V1") == "refused"
    assert world.events.save(world.group, "UOWNER", Draft(cancel=True), form_id="V2", event_id="V1") == "cancelled"
    assert world.events.cancel(world.group, "UOWNER", "V1") == "unchanged"
    world.deliver_all()
    told = sorted(dest for _, k, dest, _, _, _ in world.delivered if ":cancel:" in k)
    assert told == ["UALICE", "UBOB", "UNY"]  # not the owner who cancelled
    assert "Cancelled by @UOWNER" in card_versions(world)[-1][1] and "Going (" not in card_versions(world)[-1][1]
    assert world.events.rsvp(world.group, key, "UBOB", "going") in ("cancelled", "unknown")
    before = len(world.delivered)
    world.run_until(utc(2026, 4, 10), step=timedelta(minutes=30))
    assert len(world.delivered) == before
    assert world.store.get("events_past.2026", key)["status"] == "cancelled"
    assert world.events.held(world.group, utc(2026, 3, 1), utc(2026, 5, 1)) == []


def test_answers_close_at_the_start(world):
    key = life(world)
    world.clock.set(utc(2026, 3, 29, 8, 0))
    assert world.events.rsvp(world.group, key, "UBOB", "going") == "started"
    assert world.events.check(world.group, "UOWNER", Draft("x", "2026-04-01", "10:00", "y"), "V1")["title"]


def test_a_late_answer_gets_no_stale_reminder(world):
    key = life(world)
    world.run_until(utc(2026, 3, 28, 18, 0))
    world.events.rsvp(world.group, key, "UOWNER", "going")  # after the day-before time in Paris
    world.run_until(utc(2026, 3, 29, 7, 30))
    assert [d for _, d, _ in world.dms(":day:")] == ["UALICE", "UBOB", "UNY"]
    assert sorted(d for _, d, _ in world.dms(":hour:")) == ["UALICE", "UBOB", "UNY", "UOWNER"]


def test_sweeps_repeated_or_interrupted_by_restarts_post_each_step_once(world):
    key = life(world)
    moments = [utc(2026, 3, 28, 17, 1), utc(2026, 3, 28, 22, 1), utc(2026, 3, 29, 7, 1), utc(2026, 3, 30, 7, 1),
               utc(2026, 4, 6, 8, 1), utc(2026, 4, 6, 14, 1), utc(2026, 4, 9, 0, 0)]
    for moment in moments:
        world.clock.set(moment)
        world.events.sweep()
        world.events.sweep()  # an overlapping tick
        world.restart()  # the bot dies before delivering: the outbox keeps what was queued
        world.events.sweep()
        world.deliver_all()
    keys = [k for _, k, *_ in world.delivered]
    assert len(keys) == len(set(keys))
    assert len([k for k in keys if k.startswith("event-dm:")]) == 3 + 3 + 2  # day, hour, nudges (nobody replied)


def test_an_edit_while_the_sweep_runs_sends_no_reminder_of_the_old_place(world):
    """The sweep goes through the live events one by one; an owner moves the second event while the
    sweep works on the first. The second's day-before reminder must not say the old place after
    the change notice said the new one (each event is read as it is when its turn comes)."""
    first = world.create(title="Breakfast", at="09:00", form="V1")
    second = world.create(title="Meetup", at="18:00", form="V2")
    world.deliver_all()
    for key in (first, second):
        world.events.rsvp(world.group, key, "UALICE", "going")
    world.deliver_all()
    first_card = world.store.get(TABLE, first)["card"]["ref"]
    directory, moved = world.events.directory, []

    class EditingMeanwhile:  # the first event's link is looked up: the owner saves the second's form then
        def permalink(self, team_id, channel_id, message_id):
            if message_id == first_card and not moved:
                moved.append(world.events.save(world.group, "UOWNER", Draft("Meetup", "2026-03-29", "18:00", "Le Perchoir"),
                                               form_id="V3", event_id="V2"))
            return directory.permalink(team_id, channel_id, message_id)

        def person(self, team_id, user_id):
            return directory.person(team_id, user_id)
    world.events.directory = EditingMeanwhile()
    world.clock.set(utc(2026, 3, 28, 17, 0, 30))  # 18:00 in Paris, the day before
    world.events.sweep()
    world.deliver_all()
    assert moved == ["edited"]
    told = [text for _, key, dest, text, _, _ in world.delivered if dest == "UALICE" and "Meetup" in text]
    assert len(told) == 1 and "Le Perchoir" in told[0] and "Café Oberkampf" not in told[0]  # the change notice only
    assert [text for _, key, _, text, _, _ in world.delivered if ":day:UALICE" in key and "Breakfast" in text]


def test_a_card_version_lost_in_a_crash_is_repaired_by_the_sweep(world):
    key = life(world)
    # A crash between deciding the next version and queueing it: the event names a version the
    # outbox never got.
    world.store.update(TABLE, key, lambda doc: {**doc, "rev": doc["rev"] + 1,
                                                "card": {**doc["card"], "pending": f"event-card:{key}:v9", "pending_rev": doc["rev"] + 1,
                                                         "pending_at": world.clock.now().isoformat()}})
    world.events.sweep()
    assert world.queued() == []  # decided just now: it may still be on its way into the outbox
    world.clock.advance(minutes=2)
    world.events.sweep()
    world.deliver_all()
    doc = world.store.get(TABLE, key)
    assert doc["card"]["pending"] is None and doc["card"]["shown_rev"] == doc["rev"]
    # A card untouched for three weeks is shown again, so its next edit has a version to replace.
    before = len(card_versions(world))
    world.clock.advance(days=21)
    world.store.update(TABLE, key, lambda doc: {**doc, "start": "2026-05-01T08:00:00+00:00"})
    world.events.sweep()
    world.deliver_all()
    assert len(card_versions(world)) == before + 1


def test_a_crash_after_an_answer_or_a_cancellation_is_saved_still_updates_the_card(world):
    """The answer (or the cancellation) is saved, then the bot dies before the card's next version
    is queued. Nothing else would ever show it (the card waits for the next change, which for a
    cancelled event never comes): the sweep queues it."""
    key = world.create()
    world.deliver_all()
    world.events._refresh_card = lambda key: None  # the bot dies right after saving
    world.events.rsvp(world.group, key, "UALICE", "going")
    world.restart()
    world.clock.advance(minutes=1)
    world.events.sweep()
    world.deliver_all()
    assert "Going (1): @UALICE" in card_versions(world)[-1][1]
    world.events._refresh_card = lambda key: None
    world.events._send_notices = lambda group, doc: 0
    assert world.events.cancel(world.group, "UOWNER", "V1") == "cancelled"
    world.restart()
    world.clock.advance(minutes=1)
    world.events.sweep()
    world.deliver_all()
    assert "Cancelled by @UOWNER" in card_versions(world)[-1][1]
    assert [dest for _, k, dest, *_ in world.delivered if ":cancel:" in k] == ["UALICE"]  # told, once


def test_the_card_is_mapped_to_its_event_once_delivered(world):
    key = world.create()
    assert world.store.find(CARDS) == []
    world.deliver_all()
    [mapping] = world.store.find(CARDS)
    assert mapping["event"] == key and mapping["follow_up_at"] is None
    assert [doc for doc in world.store.find(QUEUE)] == []


def test_a_french_group_gets_french_times_in_each_readers_zone(world):
    world.store.update("groups", world.group.key, lambda doc: {**doc, "locale": "fr"})
    world.group = world.groups.get("T1", "C1")
    key = world.create(title="Apéro", day="2026-04-02", at="19:00")
    world.deliver_all()
    world.events.rsvp(world.group, key, "UNY", "going")
    world.deliver_all()
    card = card_versions(world)[-1][1]
    assert "jeudi 2026-04-02 à 19:00 (Europe/Paris)" in card and "Présents (1) : @UNY" in card
    world.run_until(utc(2026, 4, 1, 22, 5))
    [(_, _, reminder)] = world.dms(":day:")
    assert reminder.startswith("⏰ Demain : Apéro, jeudi 2026-04-02 à 13:00 chez vous (19:00 à Europe/Paris)")


def test_a_crash_between_saving_the_event_and_queueing_its_card_still_posts_it_once(world):
    world.events.messenger = type("Dead", (), {"send": lambda self, post: False})()  # the process dies at send
    world.events.save(world.group, "UOWNER", Draft("Meetup", "2026-03-29", "10:00", "Café"), form_id="V1")
    world.events.messenger = world.outbox  # restarted
    assert world.queued() == []
    world.clock.advance(minutes=2)
    world.events.sweep()
    world.events.sweep()
    world.deliver_all()
    assert [k for k, _ in card_versions(world)] == ["event-card:T1:V1"]


def test_the_owners_checklist_shows_last_weeks_event_and_whats_coming(world):
    from bot.events.checklist import section
    key = life(world)
    world.create(title="Hack night", day="2026-04-02", at="19:00", form="V2")
    world.deliver_all()
    world.run_until(utc(2026, 3, 30, 8, 0))
    ref = world.store.get(TABLE, key)["card"]["ref"]
    world.activity.message(world.group, "UNY", "1700000300.000001", ref, "replies", "Ev9")
    lines = ["".join(str(p) if isinstance(p, str) else f"@{p.user_id}" if hasattr(p, "user_id") else p.text for p in line)
             for line in section(world.events, world.group, "2026-W13")]
    assert lines == ["Events:",
                     "• Meetup, Sunday 2026-03-29: 2 said they were going; follow-up replies: 1, from @UNY",
                     "• Coming: Hack night, Thursday 2026-04-02 at 19:00: 0 going, 0 maybe"]
    assert section(world.events, world.group, "2026-W10") is None or "Meetup" not in str(section(world.events, world.group, "2026-W10"))
