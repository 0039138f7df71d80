"""Co-working: who was at the meetings. Read from peer_present's rows."""

from __future__ import annotations

from collections.abc import Sequence

from dashboards import suppression
from dashboards.measures import peer_present
from dashboards.measures.base import Context, Period, Row, Section, bar_chart

KEY = peer_present.KEY
SLUG = "co-working"
TITLE = "Co-working: who was at the meetings"
DEFINITION = (
    "Network meetings in the period by the practitioners present: a peer with a "
    "professional practitioner, professionals only, or a peer only."
)
WHAT_IT_TELLS = "Whether peers work alongside professionals or stand in for them."

MIX = [
    ("Peer with professional", True, True),
    ("Professional only", False, True),
    ("Peer only", True, False),
    ("No practitioner recorded", False, False),
]


def rows(team_ids: Sequence[int] | None, period: Period | None) -> list[Row]:
    return []  # peer_present.rows counts who was at each meeting


def section(ctx: Context) -> Section:
    everything = peer_present.meetings(ctx)
    mix = [(label, peer_present.meetings(ctx, peer=p, prof=q)) for label, p, q in MIX]
    counts = mix
    return Section(
        slug=SLUG,
        title=TITLE,
        definition=DEFINITION,
        what_it_tells=WHAT_IT_TELLS,
        figures=[
            *counts,
            *(
                (f"Share: {label.lower()}", suppression.share(n, everything))
                for label, n in mix[:3]
            ),
        ],
        bar_chart=bar_chart(counts),
    )
