"""A pseudonymised export for service evaluation: published counts of network
meetings, by team code and month.

Columns: team code, month, figure, count, status. Team codes are keyed hashes
(HMAC with SECRET_KEY), stable between exports, meaningless without the key.
The figures are exactly the cells the dashboard publishes for a team's month
(who was there, in four parts; first meetings with a peer and without; meetings
with a reflecting conversation), under the same disclosure control
(dashboards/suppression.py): 1 to 7 as "fewer than 8", every other count rounded
to the nearest 5. One row per meeting, as this export once was, let anyone
count a team-month's rows back to exact small numbers; this tells nobody more
than the dashboard does. No text, no names, no references, no dates finer than
the month. Rows are streamed, one team-month at a time, so memory stays flat.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import groupby

from django.conf import settings

from dashboards import suppression
from dashboards.measures import peer_present, reflecting_conversations
from dashboards.models import MonthlyFigure

HEADER = ["team_code", "month", "figure", "count", "status"]


def _who_was_there(peer: bool, prof: bool) -> list[str]:
    return [peer_present.category(peer, prof, first) for first in (False, True)]


def _first_meetings(peer: bool) -> list[str]:
    return [peer_present.category(peer, prof, True) for prof in (False, True)]


# (figure, rollup measure, its categories): the dashboard's cells for a month.
CELLS = [
    ("meetings: peer with professional", peer_present.KEY, _who_was_there(True, True)),
    ("meetings: professional only", peer_present.KEY, _who_was_there(False, True)),
    ("meetings: peer only", peer_present.KEY, _who_was_there(True, False)),
    ("meetings: no practitioner recorded", peer_present.KEY, _who_was_there(False, False)),
    ("first meetings with a peer", peer_present.KEY, _first_meetings(True)),
    ("first meetings without a peer", peer_present.KEY, _first_meetings(False)),
    (
        "meetings with a reflecting conversation",
        reflecting_conversations.KEY,
        [reflecting_conversations.WITH_REFLECTING],
    ),
]


def team_code(team_id: int) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"team:{team_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:12]


def rows(team_ids: Iterable[int]) -> Iterator[list[object]]:
    """The header, then one row per (team, month, figure) of the rollup."""
    team_ids = list(team_ids)
    codes = {team_id: team_code(team_id) for team_id in team_ids}
    yield HEADER
    figures = (
        MonthlyFigure.objects.filter(
            team_id__in=team_ids,
            measure__in=[peer_present.KEY, reflecting_conversations.KEY],
        )
        .order_by("team_id", "month")
        .values_list("team_id", "month", "measure", "category", "value")
        .iterator(chunk_size=2000)
    )
    for (team_id, month), cells in groupby(figures, key=lambda row: row[:2]):
        values = Counter({(measure, category): value for *_, measure, category, value in cells})
        for figure, measure, categories in CELLS:
            published = suppression.count(sum(values[(measure, c)] for c in categories))
            status = "shown" if published.shown else published.text
            yield [codes[team_id], f"{month:%Y-%m}", figure, published.value, status]
