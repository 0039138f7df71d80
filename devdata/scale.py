"""A large, realistic data set for measuring the dashboard (`manage.py seed_scale`).

Rows are generated in Python and written with PostgreSQL's COPY (psycopg 3's
`cursor.copy`), which loads millions of rows in minutes; on SQLite, which is only
for trying the command at a small size, they are inserted in batches.

Ids are assigned here (after the largest id already in each table) so that rows
can refer to each other without reading anything back; the sequences are moved
past them at the end. Free text is either empty or one encrypted token made once
and reused: encrypting a million notes one by one would take most of the time
and tell the dashboard nothing, since it never reads text.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from meetings.models import (
    Activity,
    ActivityKind,
    Network,
    NetworkMeeting,
    NetworkMember,
    Place,
    PractitionerAttendance,
    Relationship,
)
from principles.models import Principle
from reflections.fields import encrypt
from reflections.models import Disclosed, Disclosure, FeltSafe, PrincipleNote, Reflection, Status
from supervision.models import Response, Share
from teams.models import Discipline, Membership, Role, SupervisionLink, Team, User

SCALE_PASSWORD = "scale-data-password"  # noqa: S105 - published on purpose, like the demo's  # nosec B105
# The data covers this many days back from today.
HISTORY_DAYS = 3 * 365
BATCH = 5_000


@dataclass
class ScaleOptions:
    teams: int = 100
    practitioners: int = 2_000
    meetings: int = 200_000
    reflections: int = 1_000_000
    seed: int = 4


@dataclass
class ScaleSummary:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _columns(model: type[models.Model], names: Sequence[str]) -> list[str]:
    return [model._meta.get_field(name).column for name in names]


def _next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1


def _write(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write rows (with their ids first) to the model's table; return how many."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ["id", *_columns(model, names)]
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        sql = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608 - names from the models  # nosec B608
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _reset_sequences(models_: Iterable[type[models.Model]]) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT follows the largest id by itself.
    with connection.cursor() as cursor:
        for model in models_:
            table = model._meta.db_table
            top = f"SELECT COALESCE(MAX(id), 1) FROM {connection.ops.quote_name(table)}"  # noqa: S608 - a model's quoted table  # nosec B608
            cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), ({top}))", [table])


def seed_scale(options: ScaleOptions, log: Callable[[str], None] = print) -> ScaleSummary:
    rng = random.Random(options.seed)  # noqa: S311 - test data, not secrets  # nosec B311
    started = time.monotonic()
    summary = ScaleSummary()
    now = timezone.now().replace(microsecond=0)
    today = timezone.localdate()
    first_day = today - timedelta(days=HISTORY_DAYS)
    token = encrypt("A seeded note: nothing to read here.")
    password = make_password(SCALE_PASSWORD)
    principle_ids = list(Principle.objects.values_list("pk", flat=True))
    run = f"{int(time.time()) % 100_000:05d}"  # keeps names unique when run again

    def done(name: str, count: int) -> None:
        summary.rows[name] = count
        log(f"  {name}: {count:,} rows ({time.monotonic() - started:.0f} s)")

    with transaction.atomic():
        # Teams and people ----------------------------------------------------
        team_base = _next_id(Team)
        team_ids = list(range(team_base, team_base + options.teams))
        done(
            "teams",
            _write(
                Team,
                ["name", "time_zone", "created_at"],
                (
                    (tid, f"Scale {run} team {i + 1:03d}", "Europe/London", now)
                    for i, tid in enumerate(team_ids)
                ),
            ),
        )
        user_base = _next_id(User)
        user_names = [
            "password",
            "last_login",
            "is_superuser",
            "first_name",
            "last_name",
            "is_staff",
            "is_active",
            "date_joined",
            "email",
        ]
        users: list[tuple] = []
        memberships: list[tuple] = []
        membership_id = _next_id(Membership)
        team_practitioners: dict[int, list[tuple[int, str]]] = {tid: [] for tid in team_ids}
        links: list[tuple] = []
        link_id = _next_id(SupervisionLink)
        supervisors: dict[int, int] = {}
        next_user = user_base

        def person(email: str, *, staff: bool = False) -> int:
            nonlocal next_user
            uid = next_user
            next_user += 1
            users.append(
                (uid, password, None, staff, "Scale", f"Person {uid}", staff, True, now, email)
            )
            return uid

        def member(uid: int, tid: int, role: str, discipline: str = "") -> None:
            nonlocal membership_id
            memberships.append((membership_id, uid, tid, role, discipline))
            membership_id += 1

        person(f"scale-{run}-admin@example.org", staff=True)
        disciplines = [d.value for d in Discipline]
        for index, tid in enumerate(team_ids):
            member(person(f"scale-{run}-lead-{index + 1:03d}@example.org"), tid, Role.TEAM_LEAD)
            supervisors[tid] = person(f"scale-{run}-supervisor-{index + 1:03d}@example.org")
            member(supervisors[tid], tid, Role.SUPERVISOR)
        for index in range(options.practitioners):
            tid = team_ids[index % len(team_ids)]
            uid = person(f"scale-{run}-p{index + 1:05d}@example.org")
            # About two in five practitioners are peers.
            if rng.random() < 0.4:
                member(uid, tid, Role.PEER_PRACTITIONER)
                team_practitioners[tid].append((uid, Role.PEER_PRACTITIONER))
            else:
                member(uid, tid, Role.PRACTITIONER, rng.choice(disciplines))
                team_practitioners[tid].append((uid, Role.PRACTITIONER))
            links.append((link_id, supervisors[tid], uid, first_day))
            link_id += 1
        done("users", _write(User, user_names, users))
        done("memberships", _write(Membership, ["user", "team", "role", "discipline"], memberships))
        done(
            "supervision links",
            _write(SupervisionLink, ["supervisor", "supervisee", "since"], links),
        )
        admin_email = users[0][-1]

        # Networks and meetings -------------------------------------------------
        # About ten meetings per network, a week or two apart, each network
        # starting somewhere in the three years.
        network_base = _next_id(Network)
        meeting_base = _next_id(NetworkMeeting)
        networks: list[tuple] = []
        meetings: list[tuple] = []  # (id, network, starts_at, minutes, place, reflecting)
        meeting_team: list[int] = []
        attendances: list[tuple] = []  # (id, meeting, practitioner, role)
        attendance_id = _next_id(PractitionerAttendance)
        places = [p.value for p in Place]
        network_id = network_base
        while len(meetings) < options.meetings:
            tid = team_ids[network_id % len(team_ids)]
            people = team_practitioners[tid]
            if not people:
                network_id += 1
                continue
            peers = [uid for uid, role in people if role == Role.PEER_PRACTITIONER]
            professionals = [uid for uid, role in people if role == Role.PRACTITIONER]
            count = min(rng.randint(1, 19), options.meetings - len(meetings))
            opened = first_day + timedelta(days=rng.randint(0, HISTORY_DAYS - 10))
            networks.append((network_id, tid, f"S{network_id}", opened, None))
            main_peer = rng.choice(peers) if peers and rng.random() < 0.8 else None
            when = datetime.combine(opened, datetime.min.time(), tzinfo=UTC)
            when += timedelta(hours=rng.randint(8, 17))
            for _ in range(count):
                if when > now:
                    break  # no meetings logged ahead of time here
                mid = meeting_base + len(meetings)
                meetings.append(
                    (
                        mid,
                        network_id,
                        when,
                        rng.choice((60, 75, 90, 90, 120)),
                        rng.choice(places),
                        rng.random() < 0.6,
                    )
                )
                meeting_team.append(tid)
                present: dict[int, str] = {}
                if main_peer and rng.random() < 0.75:
                    present[main_peer] = Role.PEER_PRACTITIONER
                elif peers and rng.random() < 0.3:
                    present[rng.choice(peers)] = Role.PEER_PRACTITIONER
                for uid in rng.sample(
                    professionals, min(len(professionals), rng.choice((1, 1, 2)))
                ):
                    present[uid] = Role.PRACTITIONER
                for uid, role in present.items():
                    attendances.append((attendance_id, mid, uid, role))
                    attendance_id += 1
                when += timedelta(days=rng.randint(5, 15), minutes=rng.choice((0, 15, 30)))
            network_id += 1
        done(
            "networks",
            _write(Network, ["team", "reference", "opened_on", "closed_on"], networks),
        )
        # Each network's person at the centre (exactly one, as the model requires),
        # named by its reference as the data migration names existing ones.
        member_base = _next_id(NetworkMember)
        done(
            "people at the centre",
            _write(
                NetworkMember,
                ["network", "name", "relationship", "label"],
                (
                    (member_base + n, row[0], row[2], Relationship.PERSON, "")
                    for n, row in enumerate(networks)
                ),
            ),
        )
        done(
            "meetings",
            _write(
                NetworkMeeting,
                ["network", "starts_at", "duration_minutes", "place", "reflecting_conversation"],
                meetings,
            ),
        )
        done(
            "practitioner attendances",
            _write(PractitionerAttendance, ["meeting", "practitioner", "role"], attendances),
        )

        # Reflections, principle notes, disclosures, shares, responses -----------
        # Two in five reflections are on a meeting the author attended (one per
        # author per meeting, as the constraint says); the rest are general.
        on_meetings = min(len(attendances), round(options.reflections * 0.4))
        chosen = rng.sample(range(len(attendances)), on_meetings)
        meeting_by_id = {row[0]: row for row in meetings}
        all_practitioners = [uid for people in team_practitioners.values() for uid, _ in people]
        reflection_base = _next_id(Reflection)
        presences = ["not_at_all", "a_little", "clearly", "strongly"]
        felt = [FeltSafe.YES, FeltSafe.YES, FeltSafe.PARTLY, FeltSafe.NO]
        reflection_rows: list[tuple] = []
        note_rows: list[tuple] = []
        disclosure_rows: list[tuple] = []
        share_rows: list[tuple] = []
        response_rows: list[tuple] = []
        note_id, disclosure_id = _next_id(PrincipleNote), _next_id(Disclosure)
        share_id, response_id = _next_id(Share), _next_id(Response)
        user_team = {uid: tid for tid, people in team_practitioners.items() for uid, _ in people}
        history_seconds = HISTORY_DAYS * 86_400
        start_of_history = now - timedelta(days=HISTORY_DAYS)
        for index in range(options.reflections):
            rid = reflection_base + index
            if index < on_meetings:
                _, mid, author, _ = attendances[chosen[index]]
                written = meeting_by_id[mid][2] + timedelta(hours=rng.randint(2, 48))
            else:
                mid = None
                author = rng.choice(all_practitioners)
                written = start_of_history + timedelta(seconds=rng.randrange(history_seconds))
            written = min(written, now)
            final = rng.random() < 0.85
            reflection_rows.append(
                (
                    rid,
                    author,
                    mid,
                    written,
                    written,
                    written if final else None,
                    token,
                    Status.FINAL if final else Status.DRAFT,
                    rng.random() < 0.1,
                    rng.randint(0, 4) if rng.random() < 0.7 else None,
                )
            )
            for principle in rng.sample(principle_ids, rng.choice((0, 1, 2, 2, 3, 4))):
                note_rows.append(
                    (
                        note_id,
                        rid,
                        principle,
                        token if rng.random() < 0.3 else "",
                        rng.choice(presences) if rng.random() < 0.9 else "",
                    )
                )
                note_id += 1
            if rng.random() < 0.3:
                disclosed = rng.choice(
                    (Disclosed.IN_DIALOGUE, Disclosed.IN_REFLECTING, Disclosed.NO)
                )
                did = disclosed != Disclosed.NO
                disclosure_rows.append(
                    (
                        disclosure_id,
                        rid,
                        disclosed,
                        token if did else "",
                        "",
                        rng.choice(felt) if did else "",
                        "",
                        rng.randint(0, 4) if did else None,
                    )
                )
                disclosure_id += 1
            if final and rng.random() < 0.06:
                shared = written + timedelta(hours=rng.randint(0, 72))
                reviewed = (
                    shared + timedelta(days=rng.randint(0, 30)) if rng.random() < 0.7 else None
                )
                supervisor = supervisors[user_team[author]]
                share_rows.append(
                    (
                        share_id,
                        rid,
                        supervisor,
                        None,
                        False,
                        min(shared, now),
                        None,
                        None,
                        reviewed and min(reviewed, now),
                    )
                )
                if rng.random() < 0.6:
                    answered = shared + timedelta(hours=rng.randint(1, 24 * 20))
                    response_rows.append(
                        (response_id, share_id, supervisor, token, min(answered, now))
                    )
                    response_id += 1
                share_id += 1
        done(
            "reflections",
            _write(
                Reflection,
                [
                    "author",
                    "meeting",
                    "written_at",
                    "updated_at",
                    "finished_at",
                    "text",
                    "status",
                    "wants_supervision",
                    "wellbeing",
                ],
                reflection_rows,
            ),
        )
        done(
            "principle notes",
            _write(PrincipleNote, ["reflection", "principle", "text", "presence"], note_rows),
        )
        done(
            "disclosures",
            _write(
                Disclosure,
                [
                    "reflection",
                    "disclosed",
                    "what_shared",
                    "what_guided",
                    "felt_safe",
                    "colleague_response",
                    "emotional_cost",
                ],
                disclosure_rows,
            ),
        )
        done(
            "shares",
            _write(
                Share,
                [
                    "reflection",
                    "supervisor",
                    "group",
                    "include_disclosure",
                    "shared_at",
                    "until",
                    "revoked_at",
                    "reviewed_at",
                ],
                share_rows,
            ),
        )
        done(
            "responses", _write(Response, ["share", "author", "text", "created_at"], response_rows)
        )
        del reflection_rows, note_rows, disclosure_rows, share_rows, response_rows

        # Other work: peers log more of it than professionals, and some drift.
        activity_base = _next_id(Activity)
        kinds = [k.value for k in ActivityKind]
        network_of_team: dict[int, list[int]] = {}
        for row in networks:
            network_of_team.setdefault(row[1], []).append(row[0])
        activity_count = options.meetings * 3 // 2

        def activities() -> Iterable[tuple]:
            for index in range(activity_count):
                tid = team_ids[index % len(team_ids)]
                people = team_practitioners[tid]
                if not people:
                    continue
                peers = [uid for uid, role in people if role == Role.PEER_PRACTITIONER]
                uid = rng.choice(peers) if peers and rng.random() < 0.6 else rng.choice(people)[0]
                kind = rng.choice(kinds)
                network = (
                    rng.choice(network_of_team[tid])
                    if kind == ActivityKind.PRACTICAL_SUPPORT and network_of_team.get(tid)
                    else None
                )
                day = first_day + timedelta(days=rng.randint(0, HISTORY_DAYS))
                yield (
                    activity_base + index,
                    uid,
                    tid,
                    kind,
                    network,
                    day,
                    rng.choice((15, 30, 45, 60, 90, 120)),
                    now,
                )

        done(
            "activities",
            _write(
                Activity,
                [
                    "practitioner",
                    "team",
                    "kind",
                    "network",
                    "done_on",
                    "duration_minutes",
                    "created_at",
                ],
                activities(),
            ),
        )
        _reset_sequences(
            [
                Team,
                User,
                Membership,
                SupervisionLink,
                Network,
                NetworkMember,
                NetworkMeeting,
                PractitionerAttendance,
                Reflection,
                PrincipleNote,
                Disclosure,
                Share,
                Response,
                Activity,
            ]
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    summary.seconds = time.monotonic() - started
    log(f"Sign in as {admin_email} (admin) or a team lead, password {SCALE_PASSWORD}.")
    return summary
