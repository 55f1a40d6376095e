"""The App Home: an owner's dashboard of the groups they own, and a member's own page.

For owners, one card per owned group: the group's figures, each with its change against the period
before (`add_figures`: the report's metrics; `add_count`: a duty's count of what waits, kept daily
by `bot.home.counts` so it has a change too), and buttons into the settings, the unanswered list and
the duties' own (`add_owner_button`: the report). For members: the managed groups they are in, each
with its visit reminders switch; their declared expertise with a "remove" button per topic; what
the bot learned about them (`add_learned`); their preferences (being named in the weekly thanks,
being asked about questions); upcoming events (`add_upcoming`). A member never sees a group's
figures: cards are built only for groups the person may own.

Duties contribute through the registries below, each with one line in its block of
`bot/assembly.py`, as the owners' checklist does with `add_section`. Every button of the Home is a
`HOME_ACTION` whose value says which registered action to run ("name:argument"); the adapter runs
it with `act` and publishes the Home again, showing what was done at the top.

Slack allows a Home tab 100 blocks and 250 kB: owned groups are shown `OWNED_PER_PAGE` at a time
and member groups `MEMBER_PER_PAGE` at a time (Previous / Next), lists are capped, and the page is
cut (with a note) should registered sections ever pass `MAX_BLOCKS`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

from ..activity import LAST_ACTIVE, MEMBERS, member_key
from ..clock import Clock
from ..groups import Group, GroupService
from ..groups.config import GROUP_SETTINGS, ConfigError, parse_setting, show_setting
from ..i18n import t, tp
from ..messages import Button, ChannelRef, Code, Text, join, text
from ..questions.experts import ExpertService
from ..report.metrics import change_text
from ..store import Store
from .counts import Count, DailyCounts
from .view import MAX_BUTTONS, MAX_FIELDS, Buttons, Divider, Fields, Header, HomeView, Note, Paragraph  # noqa: F401

HOME_ACTION = "home_action"  # every button of a member's part and the pages: value "name:argument"
SETTINGS = "home_settings"  # an owner card's buttons (value: the group's key); the adapter opens a form
UNANSWERED = "home_unanswered"
SETTINGS_CHANGED = "home.settings"  # the audit trail's action for a setting changed from the Home
OWNED_PER_PAGE = 5  # 6 blocks a card: 30 blocks
MEMBER_PER_PAGE = 8
MAX_TOPIC_BUTTONS = 20
MAX_BLOCKS = 100
MAX_SECTION_PIECES = 8  # what one registered member section may take

# The label of each count a duty may register (the dashboard owns its wording).
COUNT_LABELS = {"join_requests": "home.count.join_requests", "flags": "home.count.flags",
                "stale_content": "home.count.stale_content"}
BUTTON_LABELS = {"report": "home.button.report"}


@dataclass(frozen=True)
class Figure:
    label: Text
    value: Text
    change: Text = ()  # " (+2)" against the period before; () when there is nothing to compare with


@dataclass(frozen=True)
class Member:
    """Whose Home it is: the workspace, the person, the page's language, and their groups."""
    team_id: str
    user_id: str
    locale: str
    owned: tuple  # tuple[Group, ...]: the groups they may own
    groups: tuple  # tuple[Group, ...]: the managed groups they are in and do not own
    owned_page: int = 0  # the page of each list shown
    member_page: int = 0


FigureBuild = Callable[[Group], "list[Figure] | None"]
SectionBuild = Callable[[Member], "list | None"]  # pieces (`bot.home.view`)
Act = Callable[[Member, str], "Text | None"]  # what the button did, said to the person


class HomeService:
    def __init__(self, store: Store, clock: Clock, groups: GroupService, experts: ExpertService,
                 services: Callable[[], object] = lambda: None):
        self.store = store
        self.clock = clock
        self.groups = groups
        self.experts = experts
        self.services = services  # the assembled core, read when a Home is built (reminders, recognition)
        self.counts = DailyCounts(store, clock)
        self._figures: list[tuple[int, int, str, FigureBuild]] = []
        self._sections: list[tuple[int, int, str, SectionBuild]] = []
        self._owner_buttons: list[tuple[str, str]] = []
        self._actions: dict[str, Act] = {}
        self.add_section("groups", self._groups_section, order=10)
        self.add_section("expertise", self._expertise_section, order=20)
        self.add_section("preferences", self._preferences_section, order=40)
        self.add_action("page", lambda member, arg: None)  # the adapter reads the page from the value
        self.add_action("remove_topic", self._remove_topic)
        self.add_action("reminders", self._reminders)
        self.add_action("recognition", self._recognition)
        self.add_action("asking", self._asking)

    # --- the registries ------------------------------------------------------------------------
    def add_figures(self, name: str, build: FigureBuild, *, order: int = 50) -> None:
        """Figures on each owner card: `build(group)` gives them in the group's locale, each with
        its change, or None. Shown by `order` (the metrics use 10; counts 60 and after)."""
        _add(self._figures, name, build, order)

    def add_count(self, name: str, count: Count, *, order: int = 60) -> None:
        """A duty's count of what waits for the owners (`name` in COUNT_LABELS), shown with its
        change against the count recorded a week before (`bot.home.counts`)."""
        label = COUNT_LABELS[name]
        self.counts.counts[name] = count

        def build(group: Group) -> list[Figure]:
            value = int(count(group))
            return [Figure(t(group.locale, label), text(str(value)),
                           change_text(group.locale, value, self.counts.previous(group, name)))]
        self.add_figures(name, build, order=order)

    def add_owner_button(self, name: str, action_id: str) -> None:
        """A button on each owner card (`name` in BUTTON_LABELS), its value the group's key: the
        duty's own listener answers it (the report sends itself by direct message)."""
        self._owner_buttons.append((BUTTON_LABELS[name], action_id))

    def add_section(self, name: str, build: SectionBuild, *, order: int = 50) -> None:
        """A part of every member's Home: `build(member)` gives its pieces (at most
        MAX_SECTION_PIECES, its buttons made with `button`), or None. This service's own: groups
        (10), expertise (20), preferences (40)."""
        _add(self._sections, name, build, order)

    def add_action(self, name: str, act: Act) -> None:
        """What a Home button named `name` does: `act(member, argument)` returns what to say."""
        if name in self._actions:
            raise ValueError(f"home action {name!r} is already added")
        self._actions[name] = act

    @staticmethod
    def button(label: str, name: str, argument: str = "", primary: bool = False) -> Button:
        return Button(label[:75], HOME_ACTION, f"{name}:{argument}"[:2000], primary)

    def add_overview(self, overview: Callable[[Group], object]) -> None:
        """The metrics on each owner card (the report duty's `MetricsService.overview(group)`: the
        last 7 days against the 7 before, 30-day activity, questions still open)."""
        from .parts import overview_figures
        self.add_figures("metrics", lambda group: overview_figures(group, overview(group), self.clock.now()), order=10)

    def add_upcoming(self, upcoming: Callable[..., list], directory=None) -> None:
        """Upcoming events (the events duty's `upcoming(team_id, user_id=...)`) on members' Homes."""
        from .parts import upcoming_section
        self.add_section("events", lambda member: upcoming_section(member, upcoming(member.team_id, user_id=member.user_id),
                                                                   directory), order=50)

    def add_learned(self, learned_about: Callable[..., tuple], forget: Callable[..., int]) -> None:
        """What was learned about a member, with a button that forgets it (the vocabulary duty's
        `learned_about(team, user, channels)` and `forget(team, user, channels)`)."""
        from .parts import learned_section
        channels = lambda member: [g.channel_id for g in self.groups.all(member.team_id)]  # noqa: E731
        self.add_section("learned", lambda member: learned_section(member, *learned_about(member.team_id, member.user_id,
                                                                                         channels(member))), order=30)

        def forget_all(member: Member, _argument: str) -> Text:
            return t(member.locale, "home.learned.forgotten", count=str(forget(member.team_id, member.user_id, channels(member))))
        self.add_action("forget_learned", forget_all)

    def record_counts(self) -> int:
        """The daily sweep: keep today's counts of every group (once a local day each)."""
        return sum(self.counts.record(group) for group in self.groups.all()) if self.counts.counts else 0

    # --- whose Home ----------------------------------------------------------------------------
    def member(self, team_id: str, user_id: str) -> Member:
        owned, groups = [], []
        for group in self.groups.all(team_id):
            if group.is_owner(user_id):
                owned.append(group)
            elif self.is_in(group, user_id):
                groups.append(group)
        first = owned or groups
        return Member(team_id, user_id, first[0].locale if first else "en", tuple(owned), tuple(groups))

    def is_in(self, group: Group, user_id: str) -> bool:
        """Whether the bot knows `user_id` to be in the group: a join it saw and no leave after,
        or activity there from someone never seen joining or leaving (in it before the set-up)."""
        key = member_key(group.team_id, group.channel_id, user_id)
        record = self.store.get(MEMBERS, key)
        if record is not None:
            return record.get("status") == "member"
        return self.store.get(LAST_ACTIVE, key) is not None

    # --- the page ------------------------------------------------------------------------------
    def view_for(self, team_id: str, user_id: str, *, owned_page: int = 0, member_page: int = 0,
                 notice: Text | None = None) -> HomeView:
        member = self.member(team_id, user_id)
        member = replace(member, owned_page=_clamp(owned_page, len(member.owned), OWNED_PER_PAGE),
                         member_page=_clamp(member_page, len(member.groups), MEMBER_PER_PAGE))
        locale = member.locale
        view = HomeView(tp(locale, "home.title"), state={"owned": member.owned_page, "member": member.member_page})
        if notice:
            view.pieces.append(Paragraph(notice))
        if member.owned:
            view.pieces += self._owner_part(member)
        elif not member.groups:
            view.pieces.append(Paragraph(t(locale, "home.none")))
        for _, _, _, build in self._sections:
            view.pieces += (build(member) or [])[:MAX_SECTION_PIECES]
        view.pieces.append(Note(t(locale, "home.help")))
        if view.blocks > MAX_BLOCKS:  # a registered section too generous: cut, and say so
            view.pieces = view.pieces[:MAX_BLOCKS - 2] + [Note(t(locale, "home.cut"))]
        return view

    def _owner_part(self, member: Member) -> list:
        locale, owned, page = member.locale, member.owned, member.owned_page
        pages = _pages(len(owned), OWNED_PER_PAGE)
        head = tp(locale, "home.owned.title", count=str(len(owned))) if pages == 1 else \
            tp(locale, "home.owned.title_page", count=str(len(owned)), page=str(page + 1), pages=str(pages))
        pieces: list = [Header(head)]
        for group in owned[page * OWNED_PER_PAGE:(page + 1) * OWNED_PER_PAGE]:
            pieces += self.card(group)
        if pages > 1:
            pieces.append(self._pager(locale, "owned", page, pages, member.member_page))
        return pieces

    def card(self, group: Group) -> list:
        """One owned group: its figures with their changes, and the owner's buttons."""
        locale = group.locale
        figures = [figure for _, _, _, build in self._figures for figure in (build(group) or [])]
        pieces: list = [Paragraph(t(locale, "home.card.title", group=ChannelRef(group.channel_id),
                                    owners=str(len(group.owners))))]
        items = [t(locale, "home.figure", label=figure.label, value=figure.value, change=figure.change) for figure in figures]
        for start in range(0, len(items), MAX_FIELDS):
            pieces.append(Fields(tuple(items[start:start + MAX_FIELDS])))
        pieces.append(Note(t(locale, "home.card.note" if figures else "home.card.no_figures",
                             timezone=group.config["timezone"])))
        buttons = [Button(tp(locale, "home.button.settings"), SETTINGS, group.key),
                   Button(tp(locale, "home.button.unanswered"), UNANSWERED, group.key)]
        buttons += [Button(tp(locale, label), action_id, group.key) for label, action_id in self._owner_buttons]
        pieces += [Buttons(tuple(buttons[:MAX_BUTTONS])), Divider()]
        return pieces

    def _pager(self, locale: str, which: str, page: int, pages: int, other: int) -> Buttons:
        """Previous / Next; the value keeps the other list's page: "owned:2:0", "member:1:3"."""
        buttons = []
        if page > 0:
            buttons.append(self.button(tp(locale, "home.page.previous"), "page", f"{which}:{page - 1}:{other}"))
        if page < pages - 1:
            buttons.append(self.button(tp(locale, "home.page.next"), "page", f"{which}:{page + 1}:{other}", primary=True))
        return Buttons(tuple(buttons))

    # --- a member's parts ----------------------------------------------------------------------
    def _groups_section(self, member: Member) -> list:
        if not member.groups:
            return []
        locale, core, page = member.locale, self.services(), member.member_page
        reminders = getattr(core, "reminders", None)
        pages = _pages(len(member.groups), MEMBER_PER_PAGE)
        head = tp(locale, "home.groups.title", count=str(len(member.groups))) if pages == 1 else \
            tp(locale, "home.groups.title_page", count=str(len(member.groups)), page=str(page + 1), pages=str(pages))
        pieces: list = [Header(head)]
        for group in member.groups[page * MEMBER_PER_PAGE:(page + 1) * MEMBER_PER_PAGE]:
            where = ChannelRef(group.channel_id)
            if reminders is None or not group.config["reminders"]:
                pieces.append(Paragraph(t(locale, "home.groups.line", group=where)))
                continue
            off = bool(reminders.state(group, member.user_id).get("opted_out"))
            pieces.append(Paragraph(
                t(locale, "home.groups.reminders_off" if off else "home.groups.reminders_on", group=where),
                self.button(tp(locale, "home.reminders.on_button" if off else "home.reminders.off_button"), "reminders",
                            f"{'on' if off else 'off'}:{group.channel_id}")))
        if pages > 1:
            pieces.append(self._pager(locale, "member", page, pages, member.owned_page))
        return pieces

    def _expertise_section(self, member: Member) -> list:
        locale = member.locale
        topics = self.experts.profile(member.team_id, member.user_id).get("topics", [])
        pieces: list = [Header(tp(locale, "home.expertise.title"))]
        if not topics:
            return pieces + [Paragraph(t(locale, "home.expertise.none", command=Code("/community expertise add <topics>")))]
        pieces.append(Paragraph(t(locale, "home.expertise.declared", topics=join(topics))))
        pieces.append(Buttons(tuple(self.button(tp(locale, "home.expertise.remove", topic=topic), "remove_topic", topic)
                                    for topic in topics[:MAX_TOPIC_BUTTONS])))
        if len(topics) > MAX_TOPIC_BUTTONS:
            pieces.append(Note(t(locale, "home.expertise.more", count=str(len(topics) - MAX_TOPIC_BUTTONS),
                                 command=Code("/community expertise remove <topics>"))))
        return pieces

    def _preferences_section(self, member: Member) -> list:
        locale, core = member.locale, self.services()
        pieces: list = [Header(tp(locale, "home.preferences.title"))]
        recognition = getattr(core, "recognition", None)
        if recognition is not None:
            hidden = recognition.is_opted_out(member.team_id, member.user_id)
            pieces.append(Paragraph(t(locale, "home.preferences.not_named" if hidden else "home.preferences.named"),
                                    self.button(tp(locale, "home.preferences.name_me" if hidden else "home.preferences.dont_name_me"),
                                                "recognition", "on" if hidden else "off")))
        paused = bool(self.experts.profile(member.team_id, member.user_id).get("opted_out"))
        pieces.append(Paragraph(t(locale, "home.preferences.paused" if paused else "home.preferences.asked"),
                                self.button(tp(locale, "home.preferences.resume" if paused else "home.preferences.pause"),
                                            "asking", "resume" if paused else "pause")))
        return pieces

    # --- the buttons ---------------------------------------------------------------------------
    def act(self, team_id: str, user_id: str, value: str) -> Text | None:
        """Run the Home button whose value is `value` ("name:argument") for this person; what to
        say (None: nothing). An unknown or malformed value changes nothing and says so."""
        name, _, argument = str(value or "").partition(":")
        act = self._actions.get(name)
        member = self.member(team_id, user_id)
        if act is None:
            return t(member.locale, "home.unknown_action")
        return act(member, argument)

    @staticmethod
    def page_of(value: str) -> tuple[int, int] | None:
        """(owned page, member page) from a pager's value ("page:owned:2:0"), None for other buttons."""
        name, _, rest = str(value or "").partition(":")
        which, _, numbers = rest.partition(":")
        first, _, second = numbers.partition(":")
        if name != "page" or which not in ("owned", "member") or not (first.isdigit() and second.isdigit()):
            return None
        return (int(first), int(second)) if which == "owned" else (int(second), int(first))

    def _remove_topic(self, member: Member, topic: str) -> Text:
        removed = self.experts.withdraw(member.team_id, member.user_id, [topic])
        return t(member.locale, "home.expertise.removed" if removed else "home.expertise.not_declared", topic=topic)

    def _reminders(self, member: Member, argument: str) -> Text:
        switch, _, channel_id = argument.partition(":")
        group = self.groups.get(member.team_id, channel_id)
        reminders = getattr(self.services(), "reminders", None)
        if group is None or switch not in ("on", "off") or reminders is None:
            return t(member.locale, "home.unknown_action")
        reminders.set_opted_out(group, member.user_id, switch == "off")
        return t(group.locale, "reminders.opted_out" if switch == "off" else "reminders.opted_in", group=ChannelRef(channel_id))

    def _recognition(self, member: Member, switch: str) -> Text:
        recognition = getattr(self.services(), "recognition", None)
        if switch not in ("on", "off") or recognition is None:
            return t(member.locale, "home.unknown_action")
        recognition.set_opted_out(member.team_id, member.user_id, switch == "off")
        return t(member.locale, "recognition.opted_out" if switch == "off" else "recognition.opted_in")

    def _asking(self, member: Member, switch: str) -> Text:
        if switch not in ("pause", "resume"):
            return t(member.locale, "home.unknown_action")
        self.experts.set_opted_out(member.team_id, member.user_id, switch == "pause")
        return t(member.locale, "expertise.paused" if switch == "pause" else "expertise.resumed")

    # --- an owner's forms (the adapter draws them) -------------------------------------------
    def owned_group(self, team_id: str, channel_id: str, user_id: str) -> Group | None:
        """The group, when `user_id` may act as its owner; None otherwise (unknown or not theirs)."""
        group = self.groups.get(team_id, channel_id)
        return group if group is not None and self.groups.may_own(group, user_id) else None

    def unanswered(self, group: Group) -> Text:
        """The questions nobody but the asker replied to, oldest first, with links (the checklist's list)."""
        digest = getattr(self.services(), "digest", None)
        lines = digest.unanswered_section(group, "") if digest is not None else None
        return join(lines, "\n") if lines else t(group.locale, "home.unanswered.none", group=ChannelRef(group.channel_id))

    @staticmethod
    def settings_of(group: Group) -> list[tuple[str, str, str]]:
        """(key, value as written, what it accepts) of every setting, for the settings form."""
        found = []
        for key, value in group.config.items():
            kind = GROUP_SETTINGS[key].kind
            found.append((key, show_setting(key, value), tp(group.locale, kind.accepted, **kind.accepted_values)))
        return found

    def check_settings(self, group: Group, values: dict[str, str]) -> dict[str, Text]:
        """The form's errors by key: each changed value that does not fit (nothing is saved)."""
        errors = {}
        for key, raw in self._changed(group, values).items():
            try:
                parse_setting(key, raw)
            except ConfigError as error:
                errors[key] = t(group.locale, "config.bad_value", key=Code(key), value=Code(raw.strip()[:80]),
                                accepted=t(group.locale, error.accepted[0], **error.accepted[1]))
        return errors

    def save_settings(self, group: Group, user_id: str, values: dict[str, str], key: str) -> Text:
        """Save what changed (checked first: a form that does not fit saves nothing), each change
        in the audit trail; what to say. `key` (the submitted form) makes a retry record once."""
        changed = self._changed(group, values)
        if self.check_settings(group, values):
            return t(group.locale, "home.settings.refused", group=ChannelRef(group.channel_id))
        audit = getattr(self.services(), "audit", None)
        shown = []
        for name, raw in changed.items():
            group, value = self.groups.set_setting(group, name, raw)
            shown.append(f"{name} = {show_setting(name, value)}")
            if audit is not None:
                audit.record(group.key, user_id, SETTINGS_CHANGED, detail=shown[-1], key=f"{SETTINGS_CHANGED}:{key}:{name}")
        if not shown:
            return t(group.locale, "home.settings.unchanged", group=ChannelRef(group.channel_id))
        return t(group.locale, "home.settings.saved", group=ChannelRef(group.channel_id), changes=", ".join(shown))

    @staticmethod
    def _changed(group: Group, values: dict[str, str]) -> dict[str, str]:
        """The known keys whose written value differs from the current one (spaces aside)."""
        config = group.config
        return {key: raw for key, raw in values.items()
                if key in GROUP_SETTINGS and isinstance(raw, str) and raw.strip() != show_setting(key, config[key])}


def _add(registry: list, name: str, build, order: int) -> None:
    if any(existing == name for _, _, existing, _ in registry):
        raise ValueError(f"home part {name!r} is already added")
    registry.append((order, len(registry), name, build))
    registry.sort(key=lambda entry: entry[:2])


def _pages(count: int, size: int) -> int:
    return max(1, -(-count // size))


def _clamp(page: int, count: int, size: int) -> int:
    return min(max(page, 0), _pages(count, size) - 1)

