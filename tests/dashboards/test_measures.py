"""Each measure on small hand-made data, with exact expected values."""

from collections import Counter
from datetime import date, timedelta

import pytest

from dashboards import dashboard, rollup
from dashboards.measures import (
    continuity,
    disclosure,
    peer_present,
    peer_time,
    principles,
    supervision,
)
from meetings.models import Activity, ActivityKind
from principles.models import Principle
from reflections.models import Disclosed, Disclosure, FeltSafe, Presence, PrincipleNote
from supervision.models import Response, Share
from tests.dashboards.conftest import PERIOD, at, meet
from tests.factories import NetworkFactory, ReflectionFactory

pytestmark = pytest.mark.django_db


def by_month(rows, measure):
    """{(month, category): value} for one team's rows of one measure."""
    totals = Counter()
    for _team, month, row_measure, category, value in rows:
        if row_measure == measure:
            totals[(month, category)] += value
    return totals


def figures(board, slug):
    section = next(s for s in board.sections if s.slug == slug)
    return {label: figure.text for label, figure in section.figures}


JAN, FEB, MAR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)


def test_meetings_first_meetings_and_co_working_by_month(team, meetings):
    rows = by_month(peer_present.rows([team.pk], PERIOD), peer_present.KEY)
    cat = peer_present.category

    assert rows == {
        # 10 Jan (old network, professional only, not its first)
        (JAN, cat(False, True, False)): 1,
        # 5 Jan and 6 Jan: a peer with a professional, each network's first
        (JAN, cat(True, True, True)): 2,
        (FEB, cat(True, True, False)): 1,  # a, 5 Feb
        (FEB, cat(True, False, False)): 1,  # b, 6 Feb, the second peer alone
        (FEB, cat(True, False, True)): 1,  # c, 7 Feb, its first
        (MAR, cat(False, True, False)): 1,  # a, 5 Mar
        (MAR, cat(False, False, False)): 1,  # b, 6 Mar, nobody recorded
    }


def test_continuity_counts_networks_with_three_meetings_in_their_last_month(team, meetings):
    # a: the author (peer) at 2 of 3 and the colleague at 3 of 3: kept its core;
    # b: nobody at more than 1 of 3. Both last met in March. old and c have fewer
    # than 3 meetings.
    rows = continuity.rows([team.pk], PERIOD)
    assert by_month(rows, continuity.KEY) == {(MAR, "eligible"): 2, (MAR, "kept"): 1}


def test_continuity_needs_the_same_peer(team, author, second_peer, colleague):
    network = NetworkFactory(team=team, opened_on=date(2024, 1, 1))
    for day, peer in [(1, author), (2, author), (3, second_peer), (4, second_peer)]:
        meet(network, at(1, day), peers=[peer], professionals=[colleague])

    def counted():
        return by_month(continuity.rows([team.pk], PERIOD), continuity.KEY)

    # 4 meetings, each peer at 2: less than two thirds.
    assert counted() == {(JAN, "eligible"): 1, (JAN, "kept"): 0}
    meet(network, at(1, 5), peers=[author], professionals=[colleague])  # 3 of 5: still less
    assert counted() == {(JAN, "eligible"): 1, (JAN, "kept"): 0}
    meet(network, at(1, 6), peers=[author], professionals=[colleague])  # 4 of 6: two thirds
    assert counted() == {(JAN, "eligible"): 1, (JAN, "kept"): 1}


def test_the_board_shows_the_meeting_measures_with_suppression(team, meetings):
    rollup.refresh()
    board = dashboard.build([team.pk], PERIOD)

    # Each month publishes who was there in four parts (peer with professional,
    # professional only, peer only, nobody), and the figures add them up: six
    # hidden parts in the period (January: 2 peer with professional, 1
    # professional only; February: 1 and 2 of the peer's; March: 1 professional
    # only, 1 with nobody), three of them with a peer. So ranges, and a share of
    # ranges is withheld.
    assert figures(board, "peer-present") == {
        "Network meetings": "6 to 42",
        "With a peer present": "3 to 21",
        "Share with a peer present": "withheld",
    }
    assert figures(board, "first-meetings") == {
        "First meetings": "2 to 14",
        "With a peer present": "2 to 14",
        "Share with a peer present": "withheld",
    }
    assert figures(board, "continuity")["Networks with 3 or more meetings"] == "fewer than 8"
    assert figures(board, "co-working")["No practitioner recorded"] == "fewer than 8"


def test_peers_time_counts_meetings_as_the_peer_and_peers_other_work(
    team, meetings, author, colleague
):
    Activity.objects.create(
        practitioner=author, team=team, kind=ActivityKind.ADMIN, done_on=JAN, duration_minutes=30
    )
    Activity.objects.create(
        practitioner=author,
        team=team,
        kind=ActivityKind.PRACTICAL_SUPPORT,
        done_on=date(2025, 2, 14),
        duration_minutes=45,
    )
    # A professional's work is not a peer's.
    Activity.objects.create(
        practitioner=colleague, team=team, kind=ActivityKind.ADMIN, done_on=JAN, duration_minutes=60
    )

    rows = peer_time.rows([team.pk], PERIOD)
    minutes = by_month(rows, peer_time.KEY)
    records = by_month(rows, peer_time.RECORDS)

    net = peer_time.NETWORK_MEETINGS
    # Jan: the author at a (5 Jan) and b (6 Jan); Feb: a (author), b and c (second peer).
    assert minutes == {
        (JAN, net): 180,
        (FEB, net): 270,
        (JAN, "admin"): 30,
        (FEB, "practical_support"): 45,
    }
    assert records[(FEB, net)] == 3


def test_principle_notes_count_text_or_a_presence_rating(team, author, outsider):
    validation, second, third = Principle.objects.peer_practice()[:3]
    reflection = ReflectionFactory(author=author, written_at=at(2, 1))
    PrincipleNote.objects.create(reflection=reflection, principle=validation, text="Heard")
    PrincipleNote.objects.create(reflection=reflection, principle=second, presence=Presence.CLEARLY)
    PrincipleNote.objects.create(reflection=reflection, principle=third)  # neither: not counted
    elsewhere = ReflectionFactory(author=outsider, written_at=at(2, 1))
    PrincipleNote.objects.create(reflection=elsewhere, principle=validation, text="Not ours")

    rows = by_month(principles.rows([team.pk], PERIOD), principles.KEY)

    assert rows == {(FEB, str(validation.pk)): 1, (FEB, str(second.pk)): 1}


def test_self_disclosure_by_month(team, author):
    answers = [
        (Disclosed.IN_DIALOGUE, FeltSafe.NO, 1),
        (Disclosed.IN_REFLECTING, FeltSafe.YES, 2),
        (Disclosed.IN_DIALOGUE, FeltSafe.PARTLY, 3),
        (Disclosed.IN_DIALOGUE, "", 4),
        (Disclosed.NO, "", None),
    ]
    for index in range(10):
        reflection = ReflectionFactory(author=author, written_at=at(2, index + 1))
        if index < len(answers):
            disclosed, safe, cost = answers[index]
            Disclosure.objects.create(
                reflection=reflection, disclosed=disclosed, felt_safe=safe, emotional_cost=cost
            )

    rows = disclosure.rows([team.pk], PERIOD)

    assert by_month(rows, disclosure.KEY) == {
        (FEB, "all"): 10,
        (FEB, "disclosed"): 4,
        (FEB, "safety_answered"): 3,
        (FEB, "not_safe"): 1,
    }
    assert by_month(rows, disclosure.EMOTIONAL_COST) == {
        (FEB, "1"): 1,
        (FEB, "2"): 1,
        (FEB, "3"): 1,
        (FEB, "4"): 1,
    }
    rollup.refresh()
    board = dashboard.build([team.pk], PERIOD)
    assert figures(board, "disclosure") == {
        "Reflections": "10",
        "Share with a disclosure": "withheld",  # 4 disclosures: fewer than 8
        "Median emotional cost (0 to 4)": "withheld",
        "Share of disclosures that did not feel safe": "withheld",
    }


def test_supervision_review_within_14_days_and_days_to_first_response(team, author, supervisor):
    shared_at = at(1, 10)
    shares = []
    for reviewed_after in (3, 20, None):
        shares.append(
            Share.objects.create(
                reflection=ReflectionFactory(author=author, written_at=shared_at),
                supervisor=supervisor,
                shared_at=shared_at,
                reviewed_at=shared_at + timedelta(days=reviewed_after) if reviewed_after else None,
            )
        )
    # The author's own reply does not count as a response.
    Response.objects.create(
        share=shares[0], author=author, text="x", created_at=shared_at + timedelta(days=1)
    )
    Response.objects.create(
        share=shares[0], author=supervisor, text="x", created_at=shared_at + timedelta(days=2)
    )
    Response.objects.create(
        share=shares[1],
        author=supervisor,
        text="x",
        created_at=shared_at + timedelta(days=10, hours=5),
    )

    rows = supervision.rows([team.pk], PERIOD, now=at(6, 1))

    assert by_month(rows, supervision.KEY) == {(JAN, "due"): 3, (JAN, "in_time"): 1}
    assert by_month(rows, supervision.FIRST_RESPONSE_DAYS) == {(JAN, "2"): 1, (JAN, "10"): 1}
