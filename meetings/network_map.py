"""The network as people see it: who is in it, who comes, and who has stayed.

`picture_of(network)` answers, for the network page, in five queries whatever
the network's size:

- for the person at the centre and each member around them: how many of the
  network's meetings they came to and when they last came;
- for each practitioner who has met the network: how many of its meetings they
  came to, first and last, and whether they have *stayed since the first
  meeting* (they were at the network's first meeting and at its most recent
  one: the continuity Open Dialogue asks for, seen from one network);
- how many meetings were held without the person at the centre;
- a map: the person at the centre in the middle, everyone else around them,
  grouped by relationship (RELATIONSHIP_GROUPS), on one of three rings by how
  often they came. The map is a picture of the table beside it, never more.

Attendance of the person at the centre is `NetworkMeeting.person_attendance`:
in person, online and by phone count as came; "not present" as not; meetings
logged before it was asked ("not recorded") count as neither and are reported.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from meetings.models import (
    RELATIONSHIP_GROUPS,
    MemberAttendance,
    Network,
    NetworkMember,
    PersonAttendance,
    PractitionerAttendance,
    Relationship,
)
from teams.models import Role, User

CAME = (PersonAttendance.IN_PERSON, PersonAttendance.ONLINE, PersonAttendance.PHONE)

# The map's rings, innermost first: the share of the network's meetings that
# puts someone on each. A member who came to none sits on the outer ring.
RINGS: list[tuple[str, float]] = [
    ("Came to most meetings (two thirds or more)", 2 / 3),
    ("Came to some meetings", 1e-9),
    ("Not at a meeting yet", 0.0),
]
# SVG user units: the map is drawn in a 360 by 360 box centred on (0, 0), so
# that at a phone's width one unit is about one CSS pixel. A label (at most
# LABEL_CHARACTERS, centred under its member) stays inside the box.
RING_RADII = (58, 98, 128)
CENTRE_RADIUS = 34
LABEL_CHARACTERS = 10


@dataclass(frozen=True)
class MemberRow:
    """One member and their attendance: `attended` of the network's meetings."""

    member: NetworkMember
    group: str
    attended: int
    meetings: int
    last_came: datetime | None

    @property
    def ring(self) -> int:
        """0, 1 or 2: the map's ring, innermost first (see RINGS)."""
        return _ring(self.attended, self.meetings)


@dataclass(frozen=True)
class PersonRow:
    """The person at the centre: meetings they came to, and how, of `meetings`."""

    member: NetworkMember
    meetings: int
    attended: int
    absent: int
    not_recorded: int
    by_way: dict[str, int]
    last_came: datetime | None

    @property
    def ways(self) -> list[tuple[str, int]]:
        """[(label, count)] for in person, online and by phone, those used only."""
        return [
            (PersonAttendance(way).label.lower(), self.by_way[way])
            for way in CAME
            if self.by_way.get(way)
        ]


@dataclass(frozen=True)
class PractitionerRow:
    """A practitioner who has met the network, and their continuity with it."""

    practitioner: User
    is_peer: bool
    attended: int
    first_came: datetime
    last_came: datetime
    stayed_since_first_meeting: bool


@dataclass(frozen=True)
class MapPoint:
    """A member placed on the map: centre (x, y) in SVG user units."""

    row: MemberRow
    x: float
    y: float
    group_index: int

    @property
    def label(self) -> str:
        """The name, shortened for the picture (the table has it in full)."""
        name = self.row.member.name
        if len(name) <= LABEL_CHARACTERS:
            return name
        return name[: LABEL_CHARACTERS - 1].rstrip() + "…"

    @property
    def label_y(self) -> float:
        """The label's baseline: above a member in the top half of the map, below
        one in the bottom half, so no label runs into the person at the centre."""
        return round(self.y - 14 if self.y < 0 else self.y + 24, 1)


@dataclass
class NetworkPicture:
    meetings: int
    first_meeting: datetime | None
    latest_meeting: datetime | None
    person: PersonRow | None
    groups: list[tuple[str, list[MemberRow]]]
    practitioners: list[PractitionerRow]
    points: list[MapPoint] = field(default_factory=list)

    @property
    def members(self) -> list[MemberRow]:
        return [row for _, rows in self.groups for row in rows]

    @property
    def stayed(self) -> list[PractitionerRow]:
        return [row for row in self.practitioners if row.stayed_since_first_meeting]

    @property
    def without_the_person(self) -> int:
        return self.person.absent if self.person else 0

    @property
    def rings(self) -> list[tuple[str, int, int]]:
        """[(label, radius, members on it)] for the map's legend, innermost first."""
        counts = defaultdict(int)
        for row in self.members:
            counts[row.ring] += 1
        return [
            (label, radius, counts[index])
            for index, ((label, _), radius) in enumerate(zip(RINGS, RING_RADII, strict=True))
        ]

    @property
    def description(self) -> str:
        """The map in words, for its <desc>."""
        if self.person is None:
            return "No person at the centre recorded."
        members = self.members
        if not members:
            return f"{self.person.member.name} at the centre. No one else recorded yet."
        parts = [f"{heading}: {len(rows)}" for heading, rows in self.groups]
        rings = ", ".join(f"{label.lower()}: {count}" for label, _, count in self.rings if count)
        return (
            f"{self.person.member.name} at the centre, with {len(members)} "
            f"{'person' if len(members) == 1 else 'people'} around them ({'; '.join(parts)}). "
            f"Closer to the centre means came to more of the network's meetings ({rings}). "
            "The table after the map lists the same."
        )


def _ring(attended: int, meetings: int) -> int:
    if meetings == 0 or attended == 0:
        return 2
    return 0 if attended / meetings >= RINGS[0][1] else 1


def picture_of(network: Network, now: datetime | None = None) -> NetworkPicture:
    """Everything the network page shows about who comes, in five queries.

    Only meetings held by `now` count (the meeting form accepts one planned up
    to a year ahead: nobody has come to it yet). Returns a NetworkPicture;
    practitioners are listed by meetings attended, most first, then by name.
    """
    now = now or timezone.now()
    by_attendance = list(
        network.meetings.filter(starts_at__lte=now)
        .values("person_attendance")
        .annotate(count=Count("pk"), first=Min("starts_at"), last=Max("starts_at"))
    )
    meetings = sum(row["count"] for row in by_attendance)
    first = min((row["first"] for row in by_attendance), default=None)
    latest = max((row["last"] for row in by_attendance), default=None)

    members = list(network.members.all())
    member_stats = {
        row["member"]: row
        for row in MemberAttendance.objects.filter(
            meeting__network=network, meeting__starts_at__lte=now
        )
        .values("member")
        .annotate(count=Count("pk"), last=Max("meeting__starts_at"))
    }

    person = next((m for m in members if m.relationship == Relationship.PERSON), None)
    person_row = _person_row(person, by_attendance, meetings) if person else None
    groups = _grouped(members, member_stats, meetings)
    practitioners = _practitioners(network, first, latest, now)
    picture = NetworkPicture(meetings, first, latest, person_row, groups, practitioners)
    picture.points = _placed(groups)
    return picture


def _person_row(member: NetworkMember, by_attendance: list[dict], meetings: int) -> PersonRow:
    by_way = {row["person_attendance"]: row["count"] for row in by_attendance}
    came = [row for row in by_attendance if row["person_attendance"] in CAME]
    return PersonRow(
        member=member,
        meetings=meetings,
        attended=sum(row["count"] for row in came),
        absent=by_way.get(PersonAttendance.ABSENT, 0),
        not_recorded=by_way.get(None, 0),
        by_way=by_way,
        last_came=max((row["last"] for row in came), default=None),
    )


def _grouped(
    members: list[NetworkMember], stats: dict[int, dict], meetings: int
) -> list[tuple[str, list[MemberRow]]]:
    """Members around the person under RELATIONSHIP_GROUPS' headings, in the
    relationship list's order, then by name; empty groups left out."""
    order = {value: index for index, value in enumerate(Relationship.values)}
    groups = []
    for heading, kinds in RELATIONSHIP_GROUPS:
        in_group = sorted(
            (m for m in members if m.relationship in kinds),
            key=lambda m: (order[m.relationship], m.name.casefold()),
        )
        if in_group:
            rows = [
                MemberRow(
                    member=m,
                    group=heading,
                    attended=stats.get(m.pk, {}).get("count", 0),
                    last_came=stats.get(m.pk, {}).get("last"),
                    meetings=meetings,
                )
                for m in in_group
            ]
            groups.append((heading, rows))
    return groups


def _practitioners(
    network: Network, first: datetime | None, latest: datetime | None, now: datetime
) -> list[PractitionerRow]:
    rows = list(
        PractitionerAttendance.objects.filter(meeting__network=network, meeting__starts_at__lte=now)
        .values("practitioner")
        .annotate(
            count=Count("pk"),
            first=Min("meeting__starts_at"),
            last=Max("meeting__starts_at"),
            as_peer=Count("pk", filter=Q(role=Role.PEER_PRACTITIONER)),
        )
    )
    people = User.objects.in_bulk([row["practitioner"] for row in rows])
    result = [
        PractitionerRow(
            practitioner=people[row["practitioner"]],
            is_peer=row["as_peer"] > 0,
            attended=row["count"],
            first_came=row["first"],
            last_came=row["last"],
            stayed_since_first_meeting=row["first"] == first and row["last"] == latest,
        )
        for row in rows
    ]
    result.sort(key=lambda row: (-row.attended, str(row.practitioner).casefold()))
    return result


def _placed(groups: list[tuple[str, list[MemberRow]]]) -> list[MapPoint]:
    """Everyone around the person, clockwise from the top, each group together,
    on the ring their attendance puts them on."""
    rows = [(index, row) for index, (_, in_group) in enumerate(groups) for row in in_group]
    if not rows:
        return []
    step = 2 * math.pi / len(rows)
    points = []
    for position, (group_index, row) in enumerate(rows):
        angle = position * step - math.pi / 2
        radius = RING_RADII[row.ring]
        points.append(
            MapPoint(
                row=row,
                x=round(radius * math.cos(angle), 1),
                y=round(radius * math.sin(angle), 1),
                group_index=group_index,
            )
        )
    return points
