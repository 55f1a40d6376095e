"""The core services, built once from settings, store and clock and handed to every adapter."""
from __future__ import annotations

from dataclasses import dataclass

from .clock import Clock
from .groups import GroupService
from .ledger import EventLedger
from .membership import MembershipService
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


def build_services(settings: Settings, store: Store, clock: Clock) -> Services:
    return Services(
        settings=settings,
        store=store,
        clock=clock,
        groups=GroupService(store, clock),
        members=MembershipService(store, clock),
        ledger=EventLedger(store, clock),
    )
