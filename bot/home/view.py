"""The App Home as neutral pieces, in no platform's markup: an adapter turns each into its own form
(the Slack one into Block Kit, one block each: `handlers.blocks.home_view`).

The service (`bot.home`) keeps a page within Slack's limits for a Home tab (100 blocks, 250 kB)
by construction: owned groups and member groups are shown a page at a time, lists are capped, and
`HomeView.blocks` counts what an adapter will draw.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..messages import Button, Text

MAX_FIELDS = 10  # a Block Kit section holds at most 10 fields
MAX_BUTTONS = 25  # and an actions block at most 25 elements


@dataclass(frozen=True)
class Header:
    text: str  # plain text: a platform shows it as a title


@dataclass(frozen=True)
class Paragraph:
    text: Text
    button: Button | None = None  # one button beside the paragraph (an accessory on Slack)


@dataclass(frozen=True)
class Fields:
    items: tuple  # tuple[Text, ...], at most MAX_FIELDS, shown in two columns where the platform can


@dataclass(frozen=True)
class Note:
    text: Text  # secondary, smaller


@dataclass(frozen=True)
class Buttons:
    buttons: tuple  # tuple[Button, ...], at most MAX_BUTTONS


@dataclass(frozen=True)
class Divider:
    pass


Piece = Header | Paragraph | Fields | Note | Buttons | Divider


@dataclass
class HomeView:
    title: str
    pieces: list = field(default_factory=list)  # list[Piece]
    state: dict = field(default_factory=dict)  # the pages shown ({"owned": 0, "member": 0}), kept with the view

    @property
    def blocks(self) -> int:
        """How many blocks the page takes: its title and one per piece."""
        return 1 + len(self.pieces)
