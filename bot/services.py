"""The core services, built once from settings, store and clock and handed to every adapter."""
from __future__ import annotations

from dataclasses import dataclass

from .clock import Clock
from .experts import ExpertService
from .groups import GroupService
from .ledger import EventLedger
from .membership import MembershipService
from .questions import QuestionService
from .settings import Settings
from .store import Store


@dataclass
class Services:
    settings: Settings
    store: Store
    clock: Clock
    groups: GroupService
    members: MembershipService
    ledger: EventLedger
    experts: ExpertService
    questions: QuestionService


def build_services(settings: Settings, store: Store, clock: Clock) -> Services:
    groups = GroupService(store, clock)
    experts = ExpertService(store, clock)
    return Services(
        settings=settings,
        store=store,
        clock=clock,
        groups=groups,
        members=MembershipService(store, clock),
        ledger=EventLedger(store, clock),
        experts=experts,
        questions=QuestionService(store, clock, groups, experts),
    )
