"""Fresh content in the core: ages, supersession, labels, links, the reconciliation and its pacing,
owner actions and the checklist section. A real TinyDB store, a fake clock, the real services;
the platform is a small in-memory one that records when each call was made (fake-clock time)."""
from datetime import datetime, timedelta, timezone

import pytest

from bot.audit import AuditLog
from bot.clock import FakeClock
from bot.content import BOOKMARK, PIN, ContentService, Listed, button_target
from bot.content.items import Item, clean_title, folded_title, review
from bot.content.links import normalize_url, parse_link, split_arguments
from bot.content.pacing import Pacer
from bot.groups import GroupService
from bot.messages import Actions, Message, plain
from bot.periods import JOB_RUNS
from bot.ports import PlatformError
from bot.store import MemoryStore, TinyDBStore

DAY = timedelta(days=1)
START = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)  # Monday, 10:00 in Paris


class Platform:
    """The Workspace port over in-memory pins and bookmarks; every call noted with its (fake) time."""
    pin_lists_per_minute = 20
    bookmark_lists_per_minute = 50

    def __init__(self, clock):
        self.clock = clock
        self.pins, self.marks = {}, {}  # channel -> {ref: Listed}
        self.calls = []  # (method, channel, time)
        self.refuse = {}  # method -> error code

    def _note(self, method, channel):
        self.calls.append((method, channel, self.clock.now()))
        if method in self.refuse:
            raise PlatformError(self.refuse[method])

    def pinned(self, team_id, channel_id):
        self._note("pinned", channel_id)
        return list(self.pins.get(channel_id, {}).values())

    def bookmarked(self, team_id, channel_id):
        self._note("bookmarked", channel_id)
        return list(self.marks.get(channel_id, {}).values())

    def unpin(self, team_id, channel_id, message_id):
        self._note("unpin", channel_id)
        if self.pins.get(channel_id, {}).pop(message_id, None) is None:
            raise PlatformError("not_pinned")

    def remove_bookmark(self, team_id, channel_id, bookmark_id):
        self._note("remove_bookmark", channel_id)
        if self.marks.get(channel_id, {}).pop(bookmark_id, None) is None:
            raise PlatformError("not_found")

    def pin(self, channel, ts, title, added_at, by="UALICE"):
        listed = Listed(PIN, ts, title, f"https://community.slack.com/archives/{channel}/p{ts.replace('.', '')}", added_at, by)
        self.pins.setdefault(channel, {})[ts] = listed
        return listed

    def bookmark(self, channel, ref, title, link, added_at, by="UBOB"):
        self.marks.setdefault(channel, {})[ref] = Listed(BOOKMARK, ref, title, link, added_at, by)

    def count(self, method):
        return sum(1 for name, _, _ in self.calls if name == method)


class Directory:
    def permalink(self, team_id, channel_id, message_id):
        return f"https://community.slack.com/archives/{channel_id}/p{message_id.replace('.', '')}"


class World:
    def __init__(self, data_dir, store=None):
        self.clock = FakeClock(START)
        self.store = store or TinyDBStore(data_dir, flush_interval=60)
        self.groups = GroupService(self.store, self.clock)
        self.group, _ = self.groups.create("T1", "C1", "UOWNER", timezone="Europe/Paris")
        self.platform = Platform(self.clock)
        self.audit = AuditLog(self.store, self.clock)
        for action in ("content.kept", "content.unpinned", "content.bookmark_removed", "content.labelled"):
            self.audit.describe(action, "audit." + action)
        self.content = ContentService(self.store, self.clock, self.groups, self.platform, Directory(), self.audit)

    def ago(self, **delta):
        return self.clock.now() - timedelta(**delta)

    def titles(self, found):
        return [(entry.item.title, entry.old, entry.newer.title if entry.newer else None) for entry in found]


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    yield w
    w.store.close()


# --- ages, supersession, titles ------------------------------------------------------------------
def test_an_item_is_up_for_review_once_its_age_reaches_stale_after_and_keep_starts_it_again(world):
    world.content.track(world.group, Listed(PIN, "1.0", "Onboarding guide", "", START, "UALICE"))
    world.clock.set(START + 180 * DAY - timedelta(seconds=1))
    assert world.content.stale_count(world.group) == 0
    world.clock.advance(seconds=1)
    assert world.titles(world.content.reviews(world.group)) == [("Onboarding guide", True, None)]

    world.clock.advance(days=20)
    assert world.content.keep(world.group, "pin:1.0", "UOWNER", click="a1").status == "done"
    assert world.content.stale_count(world.group) == 0
    [item] = world.content.items(world.group)
    assert (item.since, item.kept_by) == (world.clock.now(), "UOWNER")
    world.clock.advance(days=179)
    assert world.content.stale_count(world.group) == 0
    world.clock.advance(days=1)
    assert world.content.stale_count(world.group) == 1  # 180 days after the Keep

    world.group, _ = world.groups.set_setting(world.group, "stale_after", "400d")
    assert world.content.stale_count(world.group) == 0  # the group's own setting


def test_a_newer_item_with_the_same_folded_title_supersedes_the_older_one_until_an_owner_keeps_it(world):
    track = world.content.track
    track(world.group, Listed(PIN, "1.0", "Événements  2026 :", "", world.ago(days=30)))
    track(world.group, Listed(BOOKMARK, "Bk1", "evenements 2026", "https://wiki.example/events", world.ago(days=2)))
    track(world.group, Listed(BOOKMARK, "Bk2", "Handbook", "https://wiki.example/handbook", world.ago(days=1)))
    track(world.group, Listed(PIN, "2.0", "", "", world.ago(days=5)))  # no text: compared with nothing
    track(world.group, Listed(PIN, "3.0", "", "", world.ago(days=4)))
    assert world.titles(world.content.reviews(world.group)) == [("Événements 2026 :", False, "evenements 2026")]

    assert world.content.keep(world.group, "pin:1.0", "UOWNER").status == "done"  # both stay: the owner said so
    assert world.content.reviews(world.group) == []
    world.clock.advance(days=1)
    track(world.group, Listed(PIN, "4.0", "EVENEMENTS 2026!", "", world.clock.now()))  # an even newer version
    assert world.titles(world.content.reviews(world.group)) == [  # the longest waiting first: Bk1, then the kept pin
        ("evenements 2026", False, "EVENEMENTS 2026!"), ("Événements 2026 :", False, "EVENEMENTS 2026!")]


def test_review_is_pure_and_orders_the_longest_waiting_first():
    now = START
    old = Item("pin:1", PIN, "1", "Rota", "", now - 400 * DAY)
    older_kept = Item("pin:2", PIN, "2", "Rules", "", now - 900 * DAY, kept_at=now - 300 * DAY)
    fresh = Item("bookmark:B", BOOKMARK, "B", "Rules", "", now - DAY)
    found = review([fresh, old, older_kept], now, 180 * DAY)
    assert [(r.item.item_id, r.old, r.newer.item_id if r.newer else None) for r in found] == [
        ("pin:1", True, None), ("pin:2", True, "bookmark:B")]


def test_titles_are_the_first_line_cut_short_and_compared_folded():
    assert clean_title("\n  Weekly   rota \nsecond line") == "Weekly rota"
    assert len(clean_title("x" * 200)) == 80 and clean_title("x" * 200).endswith("…")
    assert folded_title("  Règles du Groupe ! ") == folded_title("regles du groupe") == "regles du groupe"
    assert folded_title("Œuvres") == "oeuvres"


# --- links ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("given, expected", [
    ("https://community.slack.com/archives/C1/p1700000000000100", ("C1", "1700000000.000100")),
    ("<https://community.slack.com/archives/C1/p1700000000000100>", ("C1", "1700000000.000100")),
    ("<https://community.slack.com/archives/C1/p1700000000000100|the guide>", ("C1", "1700000000.000100")),
    ("https://Community.Slack.com/archives/C1/p1700000000000100?thread_ts=1699999999.000100&cid=C1",
     ("C1", "1700000000.000100")),
    ("https://acme.enterprise.slack.com/archives/G0ABC/p1700000000000100/", ("G0ABC", "1700000000.000100")),
])
def test_message_permalinks_name_a_channel_and_a_message(given, expected):
    target = parse_link(given)
    assert target.is_message and (target.channel_id, target.message_id) == expected


@pytest.mark.parametrize("given, url", [
    ("https://Wiki.Example.com/Handbook/", "https://wiki.example.com/Handbook"),
    ("wiki.example.com/handbook", "https://wiki.example.com/handbook"),
    ("http://wiki.example.com:80/a?b=1#top", "http://wiki.example.com/a?b=1"),
    ("https://evil.example/archives/C1/p1700000000000100", "https://evil.example/archives/C1/p1700000000000100"),
])
def test_other_addresses_are_compared_normalised(given, url):
    target = parse_link(given)
    assert not target.is_message and target.url == url


@pytest.mark.parametrize("given", ["", "hello", "onboarding guide", "ftp://files.example/x", "javascript:alert(1)",
                                   "https://", "http://exa mple.com", "mailto:someone@example.com", "x" * 3000,
                                   "https://example.com:99999/"])
def test_what_is_not_a_link_is_refused(given):
    assert parse_link(given) is None


def test_label_arguments_split_at_the_first_space_and_keep_the_label_words():
    assert split_arguments("  https://x.example/a   Team   rituals ") == ("https://x.example/a", "Team rituals")
    assert split_arguments("https://x.example/a") == ("https://x.example/a", "")
    assert split_arguments("") == ("", "")
    assert normalize_url("not a url") is None


def test_button_values_name_a_group_and_an_item():
    assert button_target("T1:C1:pin:1700000000.000100") == ("T1", "C1", "pin:1700000000.000100")
    assert button_target("T1:C1:bookmark:Bk01") == ("T1", "C1", "bookmark:Bk01")
    for bad in ("", "T1:C1", "T1:C1:file:F1", "T1::pin:1.0", "T1:C1:pin:", "T1:C1:pin:1.0;drop", "T1:C1:pin:" + "9" * 80):
        assert button_target(bad) is None, bad


# --- tracking and the reconciliation ---------------------------------------------------------------
def test_reconciliation_adds_what_is_listed_drops_what_is_not_and_keeps_labels_and_keeps(world):
    platform = world.platform
    platform.pin("C1", "1.0", "Onboarding guide", world.ago(days=300))
    platform.bookmark("C1", "Bk1", "Handbook", "https://wiki.example/handbook", world.ago(days=10))
    assert world.content.reconcile(world.group) == (2, 0)
    world.content.relabel(world.group, "bookmark:Bk1", "Policies", "UOWNER")
    world.content.keep(world.group, "pin:1.0", "UOWNER")

    world.clock.advance(days=1)
    platform.pin("C1", "2.0", "Office hours", world.ago(hours=1))  # pinned while the bot was away
    del platform.marks["C1"]["Bk1"]  # removed while the bot was away
    platform.bookmark("C1", "Bk2", "Handbook v2", "https://wiki.example/handbook2", world.ago(hours=2))
    platform.pins["C1"]["1.0"] = Listed(PIN, "1.0", "Onboarding guide (2026)", "", world.ago(days=300), "UALICE")
    assert world.content.reconcile(world.group) == (2, 1)
    items = {item.item_id: item for item in world.content.items(world.group)}
    assert sorted(items) == ["bookmark:Bk2", "pin:1.0", "pin:2.0"]
    assert items["pin:1.0"].title == "Onboarding guide (2026)" and items["pin:1.0"].kept_by == "UOWNER"
    assert items["pin:1.0"].link.endswith("/C1/p10")  # the platform gave none: the permalink was asked once
    assert items["pin:2.0"].added_at == world.ago(hours=1) and items["pin:2.0"].added_by == "UALICE"
    assert world.content.last_check(world.group) == (world.clock.now(), None)


def test_a_pin_event_during_a_listing_is_kept_and_a_removal_during_one_is_not_undone(world):
    platform, content, group = world.platform, world.content, world.group
    platform.pin("C1", "1.0", "Rota", world.ago(days=1))
    listing = platform.pinned

    def meanwhile(team_id, channel_id):  # events applied between the list call and the update
        found = listing(team_id, channel_id)
        content.track(group, Listed(PIN, "9.0", "Just pinned", "", world.clock.now()))
        content.untrack(group, PIN, "1.0")
        return found
    platform.pinned = meanwhile
    content.reconcile(group)
    assert [item.item_id for item in content.items(group)] == ["pin:9.0"]


def test_a_late_copy_of_a_pin_event_does_not_bring_back_a_removed_pin(world):
    pinned_at = world.ago(hours=1)
    world.content.track(world.group, Listed(PIN, "1.0", "Rota", "", pinned_at))
    world.content.untrack(world.group, PIN, "1.0")
    assert world.content.track(world.group, Listed(PIN, "1.0", "Rota", "", pinned_at)) is False
    world.clock.advance(minutes=5)
    assert world.content.track(world.group, Listed(PIN, "1.0", "Rota", "", world.clock.now())) is True  # pinned again


def test_the_daily_sweep_checks_each_group_once_per_local_day_and_retries_passing_failures(world):
    sweep = world.content.reconcile_due
    assert sweep() == 1 and world.platform.count("pinned") == 1
    world.clock.advance(hours=12)  # 22:00 in Paris: the same local day
    assert sweep() == 0
    world.clock.advance(hours=2)  # 00:00 in Paris: a new day
    world.platform.refuse["pinned"] = "ratelimited"
    assert sweep() == 0  # a passing failure: no done-record
    world.clock.advance(seconds=30)
    assert sweep() == 0  # held back for a minute after a 429: no call
    world.clock.advance(seconds=30)
    world.platform.refuse["pinned"] = "not_in_channel"
    assert sweep() == 1  # a permanent one: noted, tried again tomorrow
    assert world.content.last_check(world.group)[1] == "not_in_channel"
    assert world.platform.count("pinned") == 3
    assert {doc["period"] for doc in world.store.find(JOB_RUNS, job_id="content_check")} == {
        "T1:C1:2026-11-23", "T1:C1:2026-11-24"}


def test_a_sweep_over_500_groups_never_passes_the_rate_tiers(tmp_path):
    """Ticks every 15 s of fake time: no rolling minute holds more than 20 pin lists or 50 bookmark
    lists, and every group is checked within half an hour, once. (The memory store: this is about
    pacing; the files are the other tests'.)"""
    world = World(tmp_path, MemoryStore())
    for n in range(2, 501):
        world.groups.create("T1", f"C{n}", "UOWNER")  # UTC: the same local day as Paris here
    world.platform.bookmark("C7", "Bk7", "Handbook", "https://wiki.example/h", world.ago(days=1))
    checked = 0
    for _ in range(4 * 30):
        checked += world.content.reconcile_due()
        world.clock.advance(seconds=15)
    assert checked == 500
    for method, limit in (("pinned", 20), ("bookmarked", 50)):
        times = sorted(at for name, _, at in world.platform.calls if name == method)
        assert len(times) == 500
        busiest = max(sum(1 for other in times if start <= other < start + timedelta(minutes=1)) for start in times)
        assert busiest <= limit, (method, busiest)
    last = max(at for _, _, at in world.platform.calls)
    assert last - START < timedelta(minutes=26)  # 500 / 20 a minute: 25 minutes
    assert [item.item_id for item in world.content.items(world.groups.get("T1", "C7"))] == ["bookmark:Bk7"]
    assert world.content.reconcile_due() == 0  # all done for today


def test_the_pacer_grants_both_calls_or_none():
    clock = FakeClock(START)
    pacer = Pacer(clock, {"a": 2, "b": 1})
    assert pacer.take("T1", ("a", "b")) is True
    assert pacer.take("T1", ("a", "b")) is False  # b is spent: a is not taken either
    assert pacer.take("T1", ("a",)) is True and pacer.take("T1", ("a",)) is False
    assert pacer.take("T2", ("a", "b")) is True  # another workspace has its own limits
    clock.advance(minutes=1)
    assert pacer.take("T1", ("a", "b")) is True


# --- owner actions -------------------------------------------------------------------------------
def test_only_owners_remove_and_a_removal_is_done_once(world):
    world.platform.pin("C1", "1.0", "Rota", world.ago(days=300))
    world.content.reconcile(world.group)
    assert world.content.remove(world.group, "pin:1.0", "UBOB").status == "not_owner"
    assert world.platform.count("unpin") == 0
    done = world.content.remove(world.group, "pin:1.0", "UOWNER", click="c1")
    assert (done.status, done.item.title) == ("done", "Rota")
    assert world.platform.pins["C1"] == {} and world.content.items(world.group) == []
    assert world.content.remove(world.group, "pin:1.0", "UOWNER", click="c2").status == "gone"
    [entry] = world.audit.recent("T1:C1", 10)
    assert (entry.actor, entry.action, entry.detail) == ("UOWNER", "content.unpinned", "“Rota”")


def test_two_owners_pressing_at_once_make_one_removal(world):
    world.platform.bookmark("C1", "Bk1", "Handbook", "https://wiki.example/h", world.ago(days=300))
    world.content.reconcile(world.group)
    world.groups.add_owner(world.group, "UALICE")
    world.group = world.groups.get("T1", "C1")
    outcomes = []

    def slow_remove(team_id, channel_id, bookmark_id):  # the other owner presses while Slack answers
        outcomes.append(world.content.remove(world.group, "bookmark:Bk1", "UALICE").status)
        Platform.remove_bookmark(world.platform, team_id, channel_id, bookmark_id)
    world.platform.remove_bookmark = slow_remove
    assert world.content.remove(world.group, "bookmark:Bk1", "UOWNER").status == "done"
    assert outcomes == ["busy"] and world.platform.count("remove_bookmark") == 1


def test_a_refused_removal_changes_nothing_and_one_already_done_in_slack_is_settled(world):
    world.platform.pin("C1", "1.0", "Rota", world.ago(days=300))
    world.platform.pin("C1", "2.0", "Old rota", world.ago(days=400))
    world.content.reconcile(world.group)
    world.platform.refuse["unpin"] = "missing_scope"
    failed = world.content.remove(world.group, "pin:1.0", "UOWNER")
    assert (failed.status, failed.detail) == ("failed", "missing_scope")
    assert len(world.content.items(world.group)) == 2
    del world.platform.refuse["unpin"]
    assert world.content.remove(world.group, "pin:1.0", "UOWNER").status == "done"  # the claim was released
    del world.platform.pins["C1"]["2.0"]  # unpinned in Slack, event missed
    assert world.content.remove(world.group, "pin:2.0", "UOWNER").status == "gone"
    assert world.content.items(world.group) == []
    assert [e.action for e in world.audit.recent("T1:C1", 10)] == ["content.unpinned"]


def test_labels_are_set_changed_cleared_and_checked(world):
    world.content.track(world.group, Listed(BOOKMARK, "Bk1", "Handbook", "https://wiki.example/h", world.ago(days=1)))
    assert world.content.relabel(world.group, "bookmark:Bk1", "  Team   rituals ", "UOWNER").item.label == "Team rituals"
    world.clock.advance(minutes=1)
    too_long = world.content.relabel(world.group, "bookmark:Bk1", "x" * 41, "UOWNER")
    assert (too_long.status, too_long.detail) == ("too_long", "41")
    assert world.content.relabel(world.group, "bookmark:Bk1", "", "UOWNER").item.label == ""
    assert world.content.relabel(world.group, "bookmark:Bk1", "Mine", "UBOB").status == "not_owner"
    assert world.content.relabel(world.group, "pin:9.9", "Mine", "UOWNER").status == "gone"
    assert [e.detail for e in world.audit.recent("T1:C1", 10)] == ["“Handbook”: Team rituals → —",
                                                                   "“Handbook”: — → Team rituals"]


def test_a_link_finds_its_item_or_says_why_not(world):
    world.content.track(world.group, Listed(PIN, "1700000000.000100", "Rota", "", world.ago(days=1)))
    world.content.track(world.group, Listed(BOOKMARK, "Bk1", "Handbook", "https://Wiki.example/handbook/", world.ago(days=1)))
    find = world.content.find
    assert find(world.group, "https://community.slack.com/archives/C1/p1700000000000100").item.item_id == "pin:1700000000.000100"
    assert find(world.group, "wiki.example/handbook").item.item_id == "bookmark:Bk1"
    assert find(world.group, "https://community.slack.com/archives/C2/p1700000000000100").detail == "C2"
    assert find(world.group, "https://community.slack.com/archives/C1/p1700000000000200").status == "unknown"
    assert find(world.group, "the handbook").status == "not_a_link"


# --- the checklist section -------------------------------------------------------------------------
def test_the_checklist_section_puts_each_items_buttons_under_it(world):
    world.content.track(world.group, Listed(PIN, "1.0", "Onboarding guide", "", world.ago(days=200), "UALICE"))
    world.content.track(world.group, Listed(BOOKMARK, "Bk1", "Onboarding Guide", "https://wiki.example/onboarding",
                                            world.ago(days=3), "UBOB"))
    lines = world.content.checklist_section(world.group, "2026-W47")
    assert [type(line).__name__ for line in lines] == ["tuple", "tuple", "Actions"]
    assert plain(lines[1]) == ("• 📌 Onboarding guide — pinned 200 days ago by @UALICE: replaced by Onboarding Guide "
                               "(bookmarked 3 days ago by @UBOB); older than 180d")
    assert [(b.label, b.action_id, b.value) for b in lines[2].buttons] == [
        ("Keep", "content_keep", "T1:C1:pin:1.0"), ("Unpin", "content_remove", "T1:C1:pin:1.0"),
        ("Relabel", "content_relabel", "T1:C1:pin:1.0")]
    world.clock.advance(days=180)
    labels = [[b.label for b in line.buttons] for line in world.content.checklist_section(world.group, "2026-W73")
              if isinstance(line, Actions)]
    assert labels == [["Keep", "Unpin", "Relabel"], ["Keep", "Remove bookmark", "Relabel"]]


def test_rows_of_buttons_survive_the_outbox_and_render_under_their_paragraph():
    from handlers.blocks import message_blocks
    from bot.messages import Button
    message = Message.of(("first",), ("second",), buttons=[Button("Done", "done", "v")],
                         rows=[(0, Actions((Button("Keep", "keep", "1"),)))])
    again = Message.from_dict(message.to_dict())
    assert again == message and "rows" not in Message.of(("x",)).to_dict()
    kinds = [(block.type, getattr(getattr(block, "text", None), "text", None)) for block in message_blocks(again)]
    assert kinds == [("section", "first"), ("actions", None), ("section", "second"), ("actions", None)]
