"""The report and the export, and the metrics under them (and under the dashboard and the checklist).

Unit: a group's first four weeks, played through the real services on a real TinyDB store with a
fake clock; every number is counted by hand in the comments. End to end: signed slash commands
over real HTTP, the emulator's recorded response_url answer and the CSV it received through the
three steps of files.uploadV2.
"""
import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timezone

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.activity import ActivityService
from bot.activity.daily import GAP_CAP, distinct_active
from bot.audit import AuditLog
from bot.clock import FakeClock
from bot.groups import GroupService
from bot.messages import plain
from bot.ports import PlatformError, Person
from bot.questions import QuestionService
from bot.questions.experts import ExpertService
from bot.recognition import RecognitionService
from bot.report import COLUMNS, EXPORTED, MAX_WEEKS, NoWorkspace, ReportService, parse_weeks, safe_cell
from bot.report.metrics import MetricsService, Numbers, Trend, change_text, trend
from bot.store import TinyDBStore
from bot.welcome import WelcomeService
from handlers.emulator import SlackEmulator, reaction_added_event


def utc(day, hour, minute=0, month=11):
    return datetime(2026, month, day, hour, minute, tzinfo=timezone.utc)


class Directory:
    def person(self, team_id, user_id):
        return Person(user_id, is_bot=user_id.startswith("UBOT"), timezone="Europe/Paris")

    def bot_user_id(self, team_id):
        return "UBOT"

    def permalink(self, team_id, channel_id, message_id):
        return f"https://chat.example/{channel_id}/{message_id}"


class Messenger:
    def __init__(self):
        self.posts = {}

    def send(self, post):
        if post.key in self.posts:
            return False
        self.posts[post.key] = post
        return True


class Uploads:
    """The `Workspace` port's upload, recorded (or refused with `refuse`)."""

    def __init__(self):
        self.files, self.refuse = [], None

    def upload_file(self, team_id, user_id, filename, content, *, title, comment):
        if self.refuse:
            raise PlatformError(self.refuse)
        self.files.append({"user": user_id, "filename": filename, "content": content, "title": title, "comment": comment})
        return f"F{len(self.files)}"


@dataclass
class Event:
    title: str
    starts_at: datetime
    going: list
    followups: int
    link: str | None = None


class World:
    """The core's services on a real store; people act at given (UTC) times."""

    def __init__(self, data_dir):
        self.clock = FakeClock(utc(2, 9))  # Monday 2 November 2026, 10:00 in Paris
        self.store = TinyDBStore(data_dir, flush_interval=60)
        self.messenger, directory = Messenger(), Directory()
        self.groups = GroupService(self.store, self.clock)
        self.group, _ = self.groups.create("T1", "C1", "UOWNER", timezone="Europe/Paris")
        experts = ExpertService(self.store, self.clock)
        self.activity = ActivityService(self.store, self.clock, directory)
        self.questions = QuestionService(self.store, self.clock, self.groups, experts, directory, self.messenger, self.activity)
        self.welcome = WelcomeService(self.store, self.clock, directory, self.messenger, experts, self.activity)
        self.recognition = RecognitionService(self.store, self.activity, directory, self.messenger)
        self.metrics = MetricsService(self.store, self.clock)
        self.uploads, self.audit, self.held = Uploads(), AuditLog(self.store, self.clock), None
        self.audit.describe(EXPORTED, "audit.report.exported")
        self.report = ReportService(self.store, self.clock, self.metrics, self.recognition, directory, self.messenger,
                                    self.uploads, self.audit, events=lambda: self.held)
        self.events = iter(f"Ev{n}" for n in range(100_000))

    def at(self, moment):
        self.clock.set(moment)
        return self

    def joins(self, user):
        self.welcome.member_joined(self.group, user, f"join-{user}-{self.clock.now().timestamp()}")

    def leaves(self, user):
        self.welcome.member_left(self.group, user)

    def says(self, user, ts, words, thread=None):
        """What the Slack adapter does with a message: the question service, then the activity record."""
        kind = self.questions.on_message(self.group, user, ts, thread, words)
        self.activity.message(self.group, user, ts, thread, kind, next(self.events))

    def reacts(self, user, ts, author, emoji, added=True):
        self.activity.reaction(self.group, user, ts, author, emoji, added, next(self.events))
        if added:
            self.questions.reacted(self.group, ts, user, "check" if emoji == "white_check_mark" else emoji)

    def thanks(self, week):
        """The weekly recognition post (the sweep's work) for `week`."""
        return self.recognition.post_week(self.group, week)


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    # Week 45 (Monday 2 to Sunday 8 November in Paris): the group is set up on the Monday.
    w.at(utc(2, 10)).joins("UA")
    w.joins("UB")
    w.at(utc(3, 9)).says("UA", "1.0", "How do I deploy the app?")
    w.at(utc(3, 10)).says("UB", "1.1", "make deploy", thread="1.0")  # first answer after 1 h
    w.at(utc(3, 11)).reacts("UA", "1.1", "UB", "white_check_mark")  # resolved after 2 h, UB answered
    w.at(utc(4, 12)).says("UC", "2.0", "morning all")  # UC was here before the set-up (no join)
    w.at(utc(5, 12)).reacts("UA", "1.1", "UB", "raised_hands")  # kudos to UB…
    w.at(utc(6, 9)).reacts("UA", "1.1", "UB", "raised_hands", added=False)  # …taken back the next day
    w.at(utc(6, 15)).thanks("2026-W45")  # names UB (an answer) and UA (a thread UB joined): 2
    # Week 46 (9 to 15 November).
    w.at(utc(10, 9)).says("UB", "3.0", "Where is the staging database?")  # nobody ever answers
    w.at(utc(13, 15)).thanks("2026-W46")  # nobody helped: nobody named
    # Week 47 (16 to 22 November).
    w.at(utc(16, 10)).joins("UD")
    w.at(utc(17, 9)).says("UC", "4.0", "Can someone review my pull request?")
    w.at(utc(17, 9, 30)).says("UD", "4.1", "Looking now", thread="4.0")  # 30 min
    w.at(utc(17, 10)).says("UA", "4.2", "me too", thread="4.0")
    w.at(utc(17, 11)).reacts("UC", "4.1", "UD", "white_check_mark")  # resolved, UD answered
    w.at(utc(18, 9)).says("UA", "5.0", "Does anyone have the VPN config?")
    w.at(utc(18, 13)).says("UB", "5.1", "in the wiki", thread="5.0")  # 4 h
    w.at(utc(19, 9)).reacts("UB", "4.1", "UD", "raised_hands")
    w.reacts("UC", "4.1", "UD", "raised_hands")
    w.at(utc(20, 15)).thanks("2026-W47")  # UD (answer, 2 kudos), UC and UA (threads others joined): 3
    # Week 48 (23 to 29 November).
    w.at(utc(23, 8)).leaves("UB")
    w.at(utc(24, 9)).joins("UE")
    w.at(utc(24, 10)).says("UD", "6.0", "Why is the build so slow on Mondays?")  # UD is still a newcomer
    w.at(utc(25, 9)).says("UE", "6.1", "the cache is cold", thread="6.0")  # 23 h
    w.at(utc(26, 9)).reacts("UD", "6.1", "UE", "white_check_mark")  # resolved, UE answered
    w.at(utc(27, 9)).says("UA", "7.0", "Who owns the release calendar?")  # nobody answers
    w.at(utc(27, 15)).thanks("2026-W48")  # UE (answer, welcomed UD) and UD (a thread UE joined): 2
    w.at(utc(29, 22, 30)).says("UA", "8.0", "Is the office open on Friday?")  # Sunday 23:30 in Paris
    w.at(utc(29, 23, 30)).says("UC", "8.1", "yes", thread="8.0")  # Monday 00:30 in Paris: week 49
    w.at(utc(30, 10))  # Monday 30 November, 11:00 in Paris
    yield w
    w.store.close()


def numbers(start, end, **values):
    return Numbers(start=start, end=end, **values)


# --- unit: the numbers -----------------------------------------------------------------------------
def test_the_weekly_numbers_of_a_seeded_month(world):
    weeks = world.metrics.weeks(world.group, 4)
    assert weeks == [
        # UA, UB joined; UC is known from activity. Question 1.0 answered in 1 h, resolved.
        numbers(date(2026, 11, 2), date(2026, 11, 9), members=3, joins=2, leaves=0, active=3, asked=1, answered=1,
                resolved=1, median_answer_seconds=3600, unanswered=0, kudos=0, thanked=2),  # the kudos went back
        # Only UB did something: asked 3.0, never answered.
        numbers(date(2026, 11, 9), date(2026, 11, 16), members=3, joins=0, leaves=0, active=1, asked=1, answered=0,
                resolved=0, median_answer_seconds=None, unanswered=1, kudos=0, thanked=0),
        # UD joined (UB left only on the 23rd); 4.0 (30 min, resolved) and 5.0 (4 h); UB and UC gave kudos.
        numbers(date(2026, 11, 16), date(2026, 11, 23), members=4, joins=1, leaves=0, active=4, asked=2, answered=2,
                resolved=1, median_answer_seconds=(30 * 60 + 4 * 3600) / 2, unanswered=0, kudos=2, thanked=3),
        # UB left, UE joined; 6.0 (23 h, resolved), 7.0 and 8.0 (answered on Monday in Paris) still open.
        numbers(date(2026, 11, 23), date(2026, 11, 30), members=4, joins=1, leaves=1, active=3, asked=3, answered=1,
                resolved=1, median_answer_seconds=23 * 3600, unanswered=2, kudos=0, thanked=2),
    ]
    assert [w.week for w in weeks] == ["2026-W45", "2026-W46", "2026-W47", "2026-W48"]
    assert [w.response_rate for w in weeks] == [1.0, 0.0, 1.0, 1 / 3]


def test_a_longer_period_counts_people_once_and_measures_at_its_own_end(world):
    fortnight, before = world.metrics.numbers(world.group, date(2026, 11, 16), date(2026, 11, 30)), \
        world.metrics.numbers(world.group, date(2026, 11, 2), date(2026, 11, 16))
    # Active: UA, UB, UC, UD in week 47 and UE in week 48: five people, not 4 + 3.
    assert (fortnight.members, fortnight.joins, fortnight.leaves, fortnight.active) == (4, 2, 1, 5)
    assert (fortnight.asked, fortnight.answered, fortnight.resolved, fortnight.unanswered) == (5, 3, 2, 2)
    assert fortnight.median_answer_seconds == 4 * 3600  # of 30 min, 4 h and 23 h
    assert (fortnight.kudos, fortnight.thanked, fortnight.response_rate) == (2, 5, 0.6)
    assert (before.members, before.active, before.asked, before.answered, before.kudos, before.thanked) == (3, 3, 2, 1, 0, 2)
    assert trend(fortnight, before, "active") == Trend(5, 3) and trend(fortnight, before, "active").delta == 2
    assert trend(fortnight, before, "median_answer_seconds").delta == 3 * 3600
    assert trend(fortnight, None, "asked") == Trend(5, None) and Trend(5, None).delta is None


def test_the_dashboard_overview_the_last_seven_days_against_the_seven_before(world):
    overview = world.metrics.overview(world.group, days=7)
    # Tuesday 24 to Monday 30 November (today), against 17 to 23 November.
    assert overview.current == numbers(
        date(2026, 11, 24), date(2026, 12, 1), members=4, joins=1, leaves=0,
        active=4,  # UD, UE, UA, and UC's answer at 00:30 today
        asked=3, answered=2, resolved=1, median_answer_seconds=(23 * 3600 + 3600) / 2, unanswered=1, kudos=0, thanked=2)
    assert overview.previous == numbers(
        date(2026, 11, 17), date(2026, 11, 24), members=3, joins=0, leaves=1, active=4, asked=2, answered=2, resolved=1,
        median_answer_seconds=(30 * 60 + 4 * 3600) / 2, unanswered=0, kudos=2, thanked=3)
    assert overview.active_month == 5  # everyone, over the last 30 days
    assert overview.active_month_before is None  # the group did not exist 30 days before
    assert (overview.open_now, overview.open_before) == (2, 1)  # 3.0 and 7.0 now; 3.0 a week ago
    assert (overview.oldest_open.ts, overview.oldest_open.asked_at) == ("3.0", utc(10, 9))
    assert overview.trend("kudos") == Trend(0, 2) and overview.trend("members").delta == 1


def test_kudos_taken_back_on_a_later_day_leave_the_day_they_were_given(tmp_path):
    """Kudos given on Thursday and taken back on Friday: the dashboard's last 7 days, from the
    Friday on, showed −1 kudos (Friday's take-back without Thursday's kudos); it shows 0."""
    w = World(tmp_path)
    w.at(utc(2, 10)).joins("UA")
    w.joins("UB")
    w.at(utc(5, 12)).reacts("UA", "1.1", "UB", "raised_hands")  # Thursday 5 November
    w.at(utc(6, 9)).reacts("UA", "1.1", "UB", "raised_hands", added=False)  # Friday 6
    w.at(utc(12, 10))  # Thursday 12: the last 7 days are Friday 6 to Thursday 12
    overview = w.metrics.overview(w.group, days=7)
    assert (overview.current.kudos, overview.previous.kudos) == (0, 0)
    assert [n.kudos for n in w.metrics.weeks(w.group, 1)] == [0]  # the week itself: given and taken back
    w.store.close()


def test_distinct_active_members_from_first_activities_and_gaps():
    # Member X active on days 1 and 3, Y on days 2 and 9 (first ever on day 2), Z on day 0 only.
    days = {date(2026, 1, 1): {"seen:400": 1}, date(2026, 1, 2): {"seen:400": 1}, date(2026, 1, 3): {"seen:400": 1},
            date(2026, 1, 4): {"seen:2": 1}, date(2026, 1, 10): {"seen:8": 1}}
    first = lambda n: date(2026, 1, n)  # noqa: E731
    assert distinct_active(days, first(1), first(11)) == 3
    assert distinct_active(days, first(4), first(11)) == 2  # X on day 4 (last seen day 2), Y on day 10
    assert distinct_active(days, first(5), first(11)) == 1  # Y, whose gap of 8 reaches back before day 5
    assert distinct_active(days, first(10), first(11)) == 1
    assert distinct_active(days, first(5), first(10)) == 0
    assert GAP_CAP > 2 * MAX_WEEKS * 7 // 2  # the longest period (52 weeks) is counted exactly


def test_a_replayed_event_counts_once_and_a_replayed_question_keeps_its_state(world):
    before = world.metrics.weeks(world.group, 1)[0]
    world.activity.message(world.group, "UA", "7.0", None, "questions", "Ev-replayed")
    world.activity.message(world.group, "UA", "7.0", None, "questions", "Ev-replayed")
    world.questions.ask(world.group, "UA", "7.0", "Who owns the release calendar?")  # already tracked
    world.questions.resolve(world.group, "6.0", "UD")  # already resolved: its state is written again, the same
    assert world.metrics.weeks(world.group, 1)[0] == before
    today = world.metrics.numbers(world.group, date(2026, 11, 30), date(2026, 12, 1))
    assert (today.active, today.asked) == (2, 0)  # UC at 00:30 and UA now; 7.0 was asked on the 27th


def test_the_member_records_are_read_again_only_once_they_changed(world):
    first = world.metrics.membership(world.group)
    assert world.metrics.membership(world.group) is first
    world.at(utc(30, 11)).says("UA", "9.0", "good morning")  # someone already known: nothing changed
    assert world.metrics.membership(world.group) is first
    world.says("UG", "9.1", "hello, I lurked for years")  # seen for the first time: one more member
    second = world.metrics.membership(world.group)
    assert second is not first and second.unrecorded == first.unrecorded + 1
    world.joins("UH")
    world.leaves("UA")
    today = world.metrics.numbers(world.group, date(2026, 11, 30), date(2026, 12, 1))
    assert (today.members, today.joins, today.leaves) == (5, 1, 1)  # UC, UD, UE, UG, UH


# --- unit: the report ------------------------------------------------------------------------------
def test_the_report_of_the_last_two_weeks(world):
    lines = plain(world.report.report(world.group, 2)).split("\n")
    assert lines == [
        "Report for #C1: the 2 weeks from 2026-11-16 to 2026-11-29",
        "",
        "In numbers (change from the same number of weeks before):",
        "• Members: 4 (+1)",
        "• New members: 2 (=)",
        "• Active members (posted, replied or reacted): 5 (+2)",
        "• Questions asked: 5 (+3)",
        "• Answered by someone: 3 (+2)",
        "• Resolved: 2 (+1)",
        "• Response rate: 60 % (+10 pts)",
        "• Median time to a first answer: 4 h (+3 h)",
        "• Still unanswered at the end: 2 (+1)",
        "• Kudos given: 2 (+2)",
        "• Thanks in the weekly recognition: 5 (+3)",
        "",
        "Success stories (2 questions solved with the group's help; the best first):",
        "• “Can someone review my pull request?” (open) — answered by @UD in 30 min, with help from @UA",
        "• “Why is the build so slow on Mondays?” (open) — answered by @UE in 23 h",
        "",
        "Newcomers who became contributors (2):",
        "• @UD, joined 2026-11-16: answered 1 question about request, review, started 1 thread others joined, received 2 kudos",
        "• @UE, joined 2026-11-24: answered 1 question about mondays, build, welcomed 1 newcomer",
        "",
        "Weeks run Monday to Sunday in Europe/Paris. Only you can see this: copy it to share it. "
        "/community export sends the weekly numbers as a CSV file.",
    ]
    assert "Events" not in plain(world.report.report(world.group, 2))  # no events duty: no section


def test_the_report_links_each_success_story_and_respects_who_opted_out(world):
    report = world.report.report(world.group, 2)
    links = [part.url for part in report if hasattr(part, "url")]
    assert links == ["https://chat.example/C1/4.0", "https://chat.example/C1/6.0"]
    world.recognition.set_opted_out("T1", "UA", True)
    world.recognition.set_opted_out("T1", "UE", True)
    lines = plain(world.report.report(world.group, 2)).split("\n")
    assert "• “Can someone review my pull request?” (open) — answered by @UD in 30 min" in lines
    assert "• “Why is the build so slow on Mondays?” (open) — answered in 23 h" in lines
    assert "Newcomers who became contributors (1):" in lines and not any("@UE" in line for line in lines)


def test_the_first_weeks_have_nothing_to_compare_with(world):
    text = plain(world.report.report(world.group, 4))
    assert "In numbers (the bot did not follow the group before, so no change yet):" in text
    assert "• Members: 4\n" in text and "(+" not in text and "(=)" not in text
    week = plain(world.report.report(world.group, 1)).split("\n")
    assert week[0] == "Report for #C1: the week from 2026-11-23 to 2026-11-29"
    assert "• Still unanswered at the end: 2 (+2)" in week and "• Response rate: 33 % (−67 pts)" in week


def test_a_group_set_up_within_the_period_says_since_when(world):
    text = plain(world.report.report(world.group, 8)).split("\n")
    assert text[1] == "The bot has followed the group since 2026-11-02: the days before have no record."


def test_events_held_and_their_follow_ups_when_an_events_duty_is_there(world):
    calls = []

    class Events:
        def held(self, group, start, end):
            calls.append((group.key, start, end))
            return [Event("Meetup at the office", utc(19, 17), ["UA", "UB", "UD"], 4, "https://chat.example/C1/9.0"),
                    {"title": "Online demo", "starts_at": utc(26, 16), "going": 12, "followups": []}]
    world.held = Events()
    lines = plain(world.report.report(world.group, 2)).split("\n")
    at = lines.index("Events held:")
    assert lines[at + 1:at + 3] == ["• Meetup at the office, 2026-11-19: 3 going, 4 follow-up updates",
                                    "• Online demo, 2026-11-26: 12 going, 0 follow-up updates"]
    assert calls == [("T1:C1", datetime(2026, 11, 15, 23, tzinfo=timezone.utc), datetime(2026, 11, 29, 23, tzinfo=timezone.utc))]
    world.held = type("NoEvents", (), {"held": lambda self, group, start, end: []})()
    assert "Events held:\nNone in these weeks." in plain(world.report.report(world.group, 2))


def test_the_report_speaks_the_groups_language(world):
    world.group = world.groups.set_locale(world.group, "fr")
    lines = plain(world.report.report(world.group, 2)).split("\n")
    assert lines[0] == "Bilan de #C1 : les 2 semaines du 2026-11-16 au 2026-11-29"
    assert "• Taux de réponse : 60 % (+10 pts)" in lines
    assert "• Délai médian avant une première réponse : 4 h (+3 h)" in lines
    assert "• « Why is the build so slow on Mondays? » (ouvrir) — réponse de @UE en 23 h" in lines
    assert any(line.startswith("• @UE, arrivé·e le 2026-11-24 : a répondu à 1 question") for line in lines)


# --- unit: the export --------------------------------------------------------------------------------
def test_the_csv_has_a_header_and_one_row_a_week(world):
    rows = list(csv.reader(io.StringIO(world.report.csv(world.group, 4))))
    assert rows[0] == list(COLUMNS)
    assert rows[1:] == [
        ["2026-W45", "2026-11-02", "2026-11-08", "3", "2", "0", "3", "1", "1", "1", "100", "60.0", "0", "0", "2"],
        ["2026-W46", "2026-11-09", "2026-11-15", "3", "0", "0", "1", "1", "0", "0", "0", "", "1", "0", "0"],
        ["2026-W47", "2026-11-16", "2026-11-22", "4", "1", "0", "4", "2", "2", "1", "100", "135.0", "0", "2", "3"],
        ["2026-W48", "2026-11-23", "2026-11-29", "4", "1", "1", "3", "3", "1", "1", "33", "1380.0", "2", "0", "2"],
    ]
    earlier = list(csv.reader(io.StringIO(world.report.csv(world.group, 5))))
    assert earlier[1] == ["2026-W44", "2026-10-26", "2026-11-01"] + [""] * 12  # before the set-up: no record
    assert earlier[2:] == rows[1:]


def test_no_cell_starts_a_formula():
    assert [safe_cell(v) for v in ("=SUM(A1:A9)", "+1", "-1", "@cmd", "\tx", "2026-W48", 12, None, "a=b")] == [
        "'=SUM(A1:A9)", "'+1", "'-1", "'@cmd", "'\tx", "2026-W48", "12", "", "a=b"]


def test_the_export_uploads_to_the_owner_and_is_audited(world):
    name = world.report.export(world.group, "UOWNER", 4)
    [upload] = world.uploads.files
    assert name == upload["filename"] == "community-C1-2026-W45-to-2026-W48.csv"
    assert upload["user"] == "UOWNER" and upload["content"] == world.report.csv(world.group, 4)
    assert upload["title"] == "Weekly numbers, 2026-W45 to 2026-W48"
    assert plain(upload["comment"]) == "The weekly numbers of #C1: 4 weeks, 2026-11-02 to 2026-11-29, one row a week."
    [entry] = world.audit.recent("T1:C1", 5)
    assert (entry.actor, entry.action, entry.detail) == ("UOWNER", EXPORTED, "4 weeks")
    world.uploads.refuse = "not_allowed_token_type"
    with pytest.raises(PlatformError):
        world.report.export(world.group, "UOWNER", 4)
    assert len(world.audit.recent("T1:C1", 5)) == 1  # a refused upload is not an export
    world.report.workspace = None
    with pytest.raises(NoWorkspace):
        world.report.export(world.group, "UOWNER", 4)


@pytest.mark.parametrize("given, expected", [
    ("", 4), ("1", 1), ("52", 52), (" 12 ", 12), ("0", None), ("53", None), ("-1", None), ("abc", None),
    ("4 weeks", None), ("4.5", None), ("٣", None), ("9" * 400, None), ("9" * 5000, None), ("052", None)])
def test_weeks_are_a_whole_number_from_1_to_52(given, expected):
    assert parse_weeks(given, 4) == expected


def test_change_texts():
    assert plain(change_text("en", 3, 1)) == " (+2)" and plain(change_text("en", 1, 1)) == " (=)"
    assert plain(change_text("en", 0.6, 0.5, kind="rate")) == " (+10 pts)"
    assert plain(change_text("en", 3600, 3630, kind="duration")) == " (=)"
    assert plain(change_text("en", None, 3)) == "" and plain(change_text("en", 3, None)) == ""


# --- end to end: signed slash commands over HTTP, the emulator's recorded answers and files --------
def seed_a_week(ws):
    """Week 48 of the e2e group (set up on Monday 23 November, 10:00 in Paris), through Slack events."""
    ws.join("UDAN")  # a newcomer
    question = ws.say("UBOB", "How do I roll back a kubernetes deployment?")
    ws.advance(hours=2)
    answer = ws.say("UALICE", "kubectl rollout undo deployment/web", thread_ts=question)
    ws.sender.event(reaction_added_event("UBOB", "white_check_mark", "C1", answer, item_user="UALICE"))
    ws.sender.event(reaction_added_event("UBOB", "raised_hands", "C1", answer, item_user="UALICE"))
    docs = ws.say("UDAN", "Where are the onboarding docs?")
    ws.advance(minutes=30)
    ws.say("UALICE", "In the wiki, under Start here", thread_ts=docs)
    ws.clock.set(utc(27, 15))  # Friday 16:00 in Paris: the weekly recognition is posted
    ws.settle()
    ws.clock.set(utc(30, 10))  # Monday 30 November, 11:00 in Paris
    ws.settle()
    return question


def test_the_report_over_slack_with_its_numbers_and_success_story(group):
    question = seed_a_week(group)
    lines = group.run("UOWNER", "report 1").split("\n")
    link = f"https://community.slack.com/archives/C1/p{question.replace('.', '')}"
    assert lines == [
        "*Report* for <#C1>: the week from 2026-11-23 to 2026-11-29",
        "The bot has followed the group since 2026-11-23: the days before have no record.",
        "",
        "*In numbers* (the bot did not follow the group before, so no change yet):",
        "• Members: 3",  # UDAN joined; UBOB and UALICE are known from what they did
        "• New members: 1",
        "• Active members (posted, replied or reacted): 3",
        "• Questions asked: 2",
        "• Answered by someone: 2",
        "• Resolved: 1",
        "• Response rate: 100 %",
        "• Median time to a first answer: 1 h 15 min",  # of 2 h and 30 min
        "• Still unanswered at the end: 0",
        "• Kudos given: 1",
        "• Thanks in the weekly recognition: 3",  # UALICE, UBOB and UDAN were named on Friday
        "",
        "*Success stories* (1 question solved with the group's help):",
        f"• “How do I roll back a kubernetes deployment?” (<{link}|open>) — answered by <@UALICE> in 2 h",
        "",
        "*Events held:*",  # the events duty is assembled: none were planned in these weeks
        "None in these weeks.",
        "",
        "*Newcomers who became contributors* (1):",
        "• <@UDAN>, joined 2026-11-23: started 1 thread others joined",
        "",
        "Weeks run Monday to Sunday in Europe/Paris. Only you can see this: copy it to share it. "
        "`/community export` sends the weekly numbers as a CSV file.",
    ]
    [answer] = group.slack.calls_to("response_url")[-1:]
    assert answer["response_type"] == "ephemeral"  # privately, to the owner only
    group.run("UOWNER", "locale fr")
    french = group.run("UOWNER", "report").split("\n")  # 4 weeks by default
    assert french[0] == "*Bilan* de <#C1> : les 4 semaines du 2026-11-02 au 2026-11-29"
    assert "• Taux de réponse : 100 %" in french and "• Membres : 3" in french


def test_the_export_uploads_a_csv_to_the_owners_dm_through_files_upload_v2(group):
    seed_a_week(group)
    assert group.run("UOWNER", "export 2") == \
        "Sent to your direct messages: `community-C1-2026-W47-to-2026-W48.csv` (2 weeks, one row a week)."
    methods = [c.method for c in group.slack.calls if c.method.startswith(("files.", "conversations.open"))]
    assert methods == ["conversations.open", "files.getUploadURLExternal", "files.completeUploadExternal"]
    [opened] = group.slack.calls_to("conversations.open")
    [asked] = group.slack.calls_to("files.getUploadURLExternal")
    [completed] = group.slack.calls_to("files.completeUploadExternal")
    [uploaded] = group.slack.uploaded_files()
    assert opened["users"] == "UOWNER" and completed["channel_id"] == uploaded["channel"] == "DUOWNER"
    assert asked["filename"] == uploaded["name"] == "community-C1-2026-W47-to-2026-W48.csv"
    assert int(asked["length"]) == len(uploaded["content"].encode("utf-8"))
    assert uploaded["title"] == "Weekly numbers, 2026-W47 to 2026-W48"
    assert completed["initial_comment"] == "The weekly numbers of <#C1>: 2 weeks, 2026-11-16 to 2026-11-29, one row a week."
    rows = list(csv.DictReader(io.StringIO(uploaded["content"])))
    assert [row["week"] for row in rows] == ["2026-W47", "2026-W48"]
    assert set(rows[0].values()) - {"2026-W47", "2026-11-16", "2026-11-22"} == {""}  # before the set-up: no record
    assert {name: rows[1][name] for name in COLUMNS[3:]} == {
        "members": "3", "new_members": "1", "left": "0", "active_members": "3", "questions_asked": "2", "answered": "2",
        "resolved": "1", "response_rate_percent": "100", "median_first_answer_minutes": "75.0", "still_unanswered": "0",
        "kudos": "1", "people_thanked": "3"}
    [shared] = [m for m in group.slack.messages("DUOWNER") if m.get("files")]
    assert shared["files"][0]["name"] == uploaded["name"] and shared["text"] == completed["initial_comment"]
    assert "<@UOWNER> exported the weekly numbers" in group.run("UOWNER", "audit")


def test_an_export_of_one_week_says_one_week(group):
    assert group.run("UOWNER", "export 1") == \
        "Sent to your direct messages: `community-C1-2026-W47-to-2026-W47.csv` (1 week, one row a week)."
    [completed] = group.slack.calls_to("files.completeUploadExternal")
    assert completed["initial_comment"] == "The weekly numbers of <#C1>: 1 week, 2026-11-16 to 2026-11-22, one row a week."
    assert group.run("UOWNER", "audit").splitlines()[-1].endswith("1 week")
    group.run("UOWNER", "locale fr")
    assert "(1 semaine, une ligne par semaine)" in group.run("UOWNER", "export 1")


def test_bad_input_and_refusals_get_a_clear_answer(group):
    usage = "Give a whole number of weeks from 1 to 52 ({default} when left out): `/community {name} [weeks]`"
    for text in ("report abc", "report 0", "report 53", "report -1", "report 4 weeks", "report 2.5"):
        assert group.run("UOWNER", text) == usage.format(default=4, name="report"), text
    for text in ("export x", "export 0", "export 99999999999999999999"):
        assert group.run("UOWNER", text) == usage.format(default=12, name="export"), text
    for text in ("report", "export"):
        assert group.run("UBOB", text).startswith("Only this group's owners")
        assert "managed group" in group.run("UOWNER", text, channel="C2")  # not a managed group
    assert group.slack.calls_to("files.getUploadURLExternal") == []
    group.slack.fail("files.completeUploadExternal", "not_in_channel")
    assert group.run("UOWNER", "export") == "Slack refused the upload (`not_in_channel`); nothing was sent."
    assert group.slack.uploaded_files() == []
    assert "exported" not in group.run("UOWNER", "audit")  # a refused upload is not an export


def test_the_report_button_sends_the_report_by_direct_message(group):
    seed_a_week(group)
    assert group.click("report_send", "T1:C1", user="UOWNER", channel="DUOWNER") == \
        "The report is on its way to your direct messages."
    group.settle()
    [sent] = [p for p in group.posts("UOWNER") if p["text"].startswith("*Report* for <#C1>")]
    assert "the 4 weeks from 2026-11-02 to 2026-11-29" in sent["text"] and "• Members: 3" in sent["text"]
    assert group.click("report_send", "T1:C1", user="UBOB", channel="DUBOB").startswith("Only this group's owners")
    assert "managed group" in group.click("report_send", "T1:C9", user="UOWNER", channel="DUOWNER")


def test_the_report_button_on_the_home_answers_on_the_home(group):
    """An App Home press has no response_url: the answer (sent, or why not) is the Home published
    again with it at the top, as for the Home's other buttons; a refusal was dropped silently."""
    from tests.test_home import open_home, press, press_value, texts
    seed_a_week(group)
    after = press(group, "UOWNER", open_home(group, "UOWNER"), "Report by DM")
    assert after is not None and texts(after)[1] == "The report is on its way to your direct messages."
    group.settle()
    assert [p for p in group.posts("UOWNER") if p["text"].startswith("*Report* for <#C1>")]
    group.join("UALICE")
    member_home = open_home(group, "UALICE")
    refused = press_value(group, "UALICE", member_home, "report_send", "T1:C1")  # a forged press
    assert refused is not None and texts(refused)[1] == "Only this group's owners can do that. The owners are <@UOWNER>."
    gone = press_value(group, "UOWNER", member_home, "report_send", "T1:C404")  # a group that is no more
    assert gone is not None and texts(gone)[1].startswith("This channel is not a managed group yet.")
    assert not [p for p in group.posts("UALICE") if p["text"].startswith("*Report*")]


# --- the emulator's files.uploadV2 -------------------------------------------------------------------
def test_the_emulator_answers_the_three_steps_of_files_upload_v2():
    with SlackEmulator() as slack:
        slack.add_user("UOWNER")
        client = WebClient(token="xoxb-test", base_url=slack.url)
        done = client.files_upload_v2(channel="DUOWNER", filename="week.csv", content="a,b\r\n1,2\r\n", title="Week",
                                      initial_comment="here")
        assert done["file"]["title"] == "Week"
        [upload] = slack.uploaded_files()
        assert (upload["id"], upload["content"], upload["channel"], upload["initial_comment"]) == \
            (done["file"]["id"], "a,b\r\n1,2\r\n", "DUOWNER", "here")
        assert [c.method for c in slack.calls] == ["files.getUploadURLExternal", "files.completeUploadExternal"]
        refusals = {
            "a user id is not a conversation": lambda: client.files_upload_v2(channel="UOWNER", filename="x.csv", content="x"),
            "an unknown file": lambda: client.files_completeUploadExternal(files=[{"id": "F404"}], channel_id="DUOWNER"),
            "an empty file": lambda: client.files_getUploadURLExternal(filename="x.csv", length=0),
            "not in the channel": lambda: client.files_upload_v2(channel="C9", filename="x.csv", content="x"),
        }
        errors = {}
        for name, call in refusals.items():
            with pytest.raises(SlackApiError) as refused:
                call()
            errors[name] = refused.value.response["error"]
        assert errors == {"a user id is not a conversation": "invalid_arguments", "an unknown file": "file_not_found",
                          "an empty file": "missing_argument", "not in the channel": "channel_not_found"}
        started = client.files_getUploadURLExternal(filename="never.csv", length=5)  # no bytes sent to the address
        with pytest.raises(SlackApiError) as refused:
            client.files_completeUploadExternal(files=[{"id": started["file_id"]}], channel_id="DUOWNER")
        assert refused.value.response["error"] == "invalid_arguments"
        assert len(slack.uploaded_files()) == 1
