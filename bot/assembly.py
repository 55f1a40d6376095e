"""The neutral assembly: store, clock, directory and messenger in; the core's services out.

No platform here. A front door (the Slack one is `handlers.runtime`; a Teams one later) builds the
platform pieces (a `Directory`, a delivery `Transport`), calls `build_core`, registers its
listeners against `Core`, and hands `Core` to the scheduled sweeps (`schedules`).
"""
from __future__ import annotations

from dataclasses import dataclass

from .activity import ActivityService
from .clock import Clock
from .commands import CommandRegistry
from .groups import GroupService
from .groups import commands as group_commands
from .home import HomeService
from .i18n import t
from .messages import ChannelRef, Code, Message
from .outbox import Outbox
from .outbox import commands as outbox_commands
from .ports import Directory, Post, Workspace
from .questions import TRACK_ASKED, QuestionService
from .questions import commands as question_commands
from .questions.experts import ExpertService
from .recognition import RecognitionService
from .recognition import commands as recognition_commands
from .settings import Settings
from .store import Store
from .welcome import WelcomeService
from .welcome import commands as welcome_commands

FAILURE_REPORT = "delivery-failed"


@dataclass
class Core:
    settings: Settings
    store: Store
    clock: Clock
    directory: Directory
    outbox: Outbox  # the Messenger port
    groups: GroupService
    experts: ExpertService
    activity: ActivityService
    welcome: WelcomeService
    questions: QuestionService
    home: HomeService
    commands: CommandRegistry
    # The weekly work, set by build_core once the services above exist:
    recognition: RecognitionService = None
    # reminders
    reminders: object = None
    # owner digest
    digest: object = None
    # prompts
    prompts: object = None
    # The owner toolkit, set by build_core the same way:
    workspace: Workspace = None  # platform actions other than posting (invite, pins, files…)
    audit: object = None  # the owners' decisions (bot.audit)
    # approval
    approval: object = None  # join requests and the owners' decisions on them (bot.approval)

    # moderation
    moderation: object = None  # rules, reports and flags (bot.moderation)

    # content
    content: object = None  # pinned messages and bookmarks: ages, labels, review (bot.content)

    # events
    events: object = None  # events with RSVPs, reminders and a follow-up (bot.events)

    # report
    metrics: object = None  # a group's numbers and their trends (bot.report.metrics), for the dashboard too
    report: object = None  # the shareable report and the CSV export (bot.report)

    # audience
    audience: object = None

    def report_failure(self, doc: dict, reason: str) -> None:
        """Tell a group's owners, by direct message, about a post that could not be delivered."""
        if doc["key"].startswith(FAILURE_REPORT + ":") or not doc.get("group"):
            return  # never report a report: that could loop while the platform is down
        team_id, _, channel_id = doc["group"].partition(":")
        group = self.groups.get(team_id, channel_id)
        if group is None:
            return
        message = Message.of(t(group.locale, "status.report", group=ChannelRef(channel_id), what=Code(doc["key"].split(":")[0]),
                               reason=Code(reason)))
        for owner in group.owners:
            self.outbox.send(Post(key=f"{FAILURE_REPORT}:{doc['key']}:{owner}", team_id=team_id, user_id=owner,
                                  message=message, group=group.key))


def build_core(settings: Settings, store: Store, clock: Clock, directory: Directory, outbox: Outbox,
               workspace: Workspace | None = None) -> Core:
    groups = GroupService(store, clock, settings.admins)
    experts = ExpertService(store, clock)
    activity = ActivityService(store, clock, directory)
    questions = QuestionService(store, clock, groups, experts, directory, outbox, activity)
    core = Core(settings=settings, store=store, clock=clock, directory=directory, outbox=outbox, groups=groups,
                experts=experts, activity=activity, welcome=WelcomeService(store, clock, directory, outbox, experts, activity),
                questions=questions,
                home=HomeService(store, clock, groups, experts, lambda: core), commands=CommandRegistry(groups))
    outbox.on_delivered(TRACK_ASKED, questions.track_asked)
    core.home.add_learned(experts.learned_about, questions.forget)  # the App Home: what was learned about a member
    for duty in (group_commands, welcome_commands, question_commands, outbox_commands):
        duty.install(core.commands, core)
    # The weekly work: each duty's service and its subcommands.
    # recognition
    core.recognition = RecognitionService(store, activity, directory, outbox)
    recognition_commands.install(core.commands, core)
    # reminders
    from .reminders import ReminderService, commands as reminder_commands  # here: this block is the duty's place
    core.reminders = ReminderService(store, clock, groups, activity, questions, experts, directory, outbox)
    reminder_commands.install(core.commands, core)
    # owner digest
    from .digest import DigestService  # imported here, beside its lines, so sibling duties merge cleanly
    from .digest import commands as digest_commands
    core.digest = DigestService(store, clock, groups, activity, questions, core.recognition, directory, outbox)
    digest_commands.install(core.commands, core)
    # prompts
    from .prompts import TRACK_POSTED, PromptService
    from .prompts import commands as prompt_commands
    core.prompts = PromptService(store, clock, activity, outbox)
    outbox.on_delivered(TRACK_POSTED, core.prompts.track_posted)
    prompt_commands.install(core.commands, core)
    # The owner toolkit: the audit trail first, each duty's block after it.
    from .audit import AuditLog
    from .audit import commands as audit_commands
    core.workspace = workspace
    core.audit = AuditLog(store, clock)
    audit_commands.install(core.commands, core)
    # approval
    from .approval import ApprovalService
    from .approval import commands as approval_commands
    core.approval = ApprovalService(store, clock, groups, directory, workspace, outbox, core.audit)
    approval_commands.install(core.commands, core)
    core.digest.add_section("join_requests", core.approval.digest_section, order=15)
    core.home.add_count("join_requests", core.approval.pending_count, order=58)  # the App Home: join requests waiting

    # moderation
    from .moderation import ModerationService
    from .moderation import commands as moderation_commands
    core.moderation = ModerationService(store, clock, groups, directory, outbox, core.audit)
    moderation_commands.install(core.commands, core)
    core.digest.add_section("moderation", core.moderation.digest_section, order=40)
    core.home.add_count("flags", core.moderation.open_count)  # the App Home: open reports and flags

    # content
    from .content import BOOKMARK_REMOVED, KEPT, LABELLED, SECTION_ORDER, UNPINNED, ContentService
    from .content import commands as content_commands
    core.content = ContentService(store, clock, groups, workspace, directory, core.audit)
    for action, label in ((KEPT, "audit.content.kept"), (UNPINNED, "audit.content.unpinned"),
                          (BOOKMARK_REMOVED, "audit.content.bookmark_removed"), (LABELLED, "audit.content.labelled")):
        core.audit.describe(action, label)
    core.digest.add_section("content", core.content.checklist_section, order=SECTION_ORDER)
    content_commands.install(core.commands, core)
    core.home.add_count("stale_content", core.content.stale_count)  # the App Home: content to review

    # events
    from .events import TRACK_CARD, EventService
    from .events import commands as event_commands
    core.events = EventService(store, clock, groups, activity, directory, outbox, workspace, core.audit)
    outbox.on_delivered(TRACK_CARD, core.events.track_card)
    activity.on_reply(core.events.replied)
    core.audit.describe("events.created", "audit.events.created")
    core.audit.describe("events.edited", "audit.events.edited")
    core.audit.describe("events.cancelled", "audit.events.cancelled")
    event_commands.install(core.commands, core)
    from .events import checklist as event_checklist
    core.digest.add_section("events", lambda group, week: event_checklist.section(core.events, group, week), order=60)

    def members_events(team_id: str, user_id: str | None = None) -> list:
        """A member's Home lists the events of the groups they are in (or answered), never others'."""
        def theirs(event) -> bool:
            group = core.groups.get(event.team_id, event.channel_id)
            return bool(event.mine) or (group is not None and (group.is_owner(user_id) or core.home.is_in(group, user_id)))
        return [event for event in core.events.upcoming(team_id, user_id=user_id) if theirs(event)]
    core.home.add_upcoming(members_events, directory)

    # report
    from .report import EXPORTED, ReportService
    from .report import commands as report_commands
    from .report.metrics import MetricsService
    core.metrics = MetricsService(store, clock)
    core.report = ReportService(store, clock, core.metrics, core.recognition, directory, outbox, workspace, core.audit,
                                events=lambda: getattr(core, "events", None))  # read when a report is made
    core.audit.describe(EXPORTED, "audit.report.exported")
    report_commands.install(core.commands, core)
    from .report import SEND_REPORT
    core.home.add_overview(core.metrics.overview)  # the App Home's figures, with their changes
    core.home.add_owner_button("report", SEND_REPORT)

    # audience
    from .audience import AudienceService
    from .audience import commands as audience_commands
    core.audience = AudienceService(store, clock, directory, workspace, outbox)
    questions.resolved_listeners.append(core.audience.question_resolved)
    audience_commands.install(core.commands, core)
    # home dashboard
    from .home import SETTINGS_CHANGED
    core.audit.describe(SETTINGS_CHANGED, "audit.dashboard.settings")
    return core
