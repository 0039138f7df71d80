"""First network meetings with a peer present: read from peer_present's rows
(one query counts meetings for this measure, peer_present and co_working)."""

from __future__ import annotations

from collections.abc import Sequence

from dashboards import suppression
from dashboards.measures import peer_present
from dashboards.measures.base import Context, Period, Row, Section

KEY = peer_present.KEY
SLUG = "first-meetings"
TITLE = "First network meetings with a peer present"
DEFINITION = (
    "Meetings in the period that were a network's first ever meeting (no earlier "
    "meeting is logged for it), and the share of them with a peer present."
)
WHAT_IT_TELLS = "Whether a peer is there from the start, when a network first meets."


def rows(team_ids: Sequence[int] | None, period: Period | None) -> list[Row]:
    return []  # peer_present.rows counts first meetings too


def section(ctx: Context) -> Section:
    first = peer_present.meetings(ctx, first=True)
    first_with_peer = peer_present.meetings(ctx, peer=True, first=True)
    return Section(
        slug=SLUG,
        title=TITLE,
        definition=DEFINITION,
        what_it_tells=WHAT_IT_TELLS,
        figures=[
            ("First meetings", first),
            ("With a peer present", first_with_peer),
            ("Share with a peer present", suppression.share(first_with_peer, first)),
        ],
    )
