"""The digest email: when it is due, what it counts, sending it once.

Supervisors get it weekly unless they choose otherwise; practitioners, group
members and facilitators only when they choose it (DigestPreference: no digest
by default, private by default). A supervisor's digest counts their review queue
and the groups they facilitate, and the summaries the intervision groups they
supervise have agreed to take to supervision; anyone else's counts the groups they
are in. Everyone's counts the responses and reviews on their own notes since the
last digest.

Plain functions, no Celery: supervision/tasks.py calls them from a worker, and
`manage.py send_digests` calls them in-process.

A digest period starts at 08:00 in the team's time zone: every Monday (weekly,
the default when a supervisor has no DigestPreference) or every day (daily).
The time zone is the one of the team of the supervisor's first supervisor
Membership (the oldest row), or settings.TIME_ZONE when they have none.

Exactly one email per supervisor per period: a DigestDelivery row per
(supervisor, period_start), unique in the database, is claimed before sending
and locked while sending, so a retry, a second beat or a manual run finds it
and sends nothing more once `sent_at` is set.

What a digest counts is what the supervisor may see now: shares through
`Share.objects.received_by` (the one rule for shares: a supervision link that
has started and not ended, current group membership, the facilitator) and
responses through `Response.objects.visible_to`, intervision summaries through
`SupervisionSummary.objects.for_supervisor`. A former supervisor's digest counts
nothing of their former supervisees' or former groups'.

A digest carries counts, ages in days and a link to the inbox. Never note
text, a network reference, a network member's name, a disclosure detail or the
name of a supervisee (docs/architecture.md, "Emails carry no content").
"""

from __future__ import annotations

import contextlib
import logging
import re
import smtplib
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import DatabaseError, transaction
from django.db.models import Count, F, Min, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from intervision.models import SupervisionSummary
from supervision.models import DigestDelivery, Frequency, Response, Share
from teams.models import Membership, Role, User

logger = logging.getLogger(__name__)

DIGEST_HOUR = time(8, 0)
PERIOD_LENGTH = {Frequency.WEEKLY: timedelta(days=7), Frequency.DAILY: timedelta(days=1)}
# A period whose sends fail stays due until it is over, however many attempts
# that takes (a mail server down for a day must not drop a weekly digest). When
# the next period starts, the unsent one is given up (logged once, shown in the
# admin); the next digest still counts everything since the last one sent.

# What a failed send raises that is worth retrying: connection refused, reset or
# timed out (OSError), or a refusal by the server (SMTPException, 4xx or 5xx).
RETRY_ERRORS = (smtplib.SMTPException, OSError)

# Outcomes of deliver_digest, as logged and printed.
SENT = "sent"
ALREADY_SENT = "already sent"
NOTHING_TO_REPORT = "nothing to report"
NO_DIGEST = "no digest"


@dataclass(frozen=True)
class Digest:
    """What one digest says: counts only, and the link to the inbox."""

    frequency: str
    awaiting_review: int
    newly_shared: int
    oldest_waiting_days: int | None
    want_to_talk: int
    intervision_groups: int
    intervision_shared: int
    intervision_responses: int
    inbox_url: str
    # For everyone (a supervisor who also writes notes too): what happened on
    # their own notes since the last digest. A practitioner's or a group
    # member's digest has is_supervisor False and no review queue.
    is_supervisor: bool = True
    my_new_responses: int = 0
    my_new_reviews: int = 0
    # A supervisor's: summaries from the intervision groups they supervise,
    # agreed and not yet reviewed, and those agreed since the last digest.
    summaries_awaiting_review: int = 0
    summaries_newly_agreed: int = 0

    @property
    def is_empty(self) -> bool:
        """Nothing waiting and nothing new: no email is sent for this period."""
        return not (
            self.awaiting_review
            or self.newly_shared
            or self.intervision_shared
            or self.intervision_responses
            or self.my_new_responses
            or self.my_new_reviews
            or self.summaries_awaiting_review
            or self.summaries_newly_agreed
        )


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        # Team.clean() refuses unknown zones; a row changed behind its back
        # still gets a digest, at the service's time.
        logger.warning("Unknown team time zone %r; using %s", name, settings.TIME_ZONE)
        return ZoneInfo(settings.TIME_ZONE)


def _frequency(value: str | None, default: Frequency = Frequency.WEEKLY) -> Frequency:
    return Frequency(value) if value else default


def _settings_from(rows: list[tuple[str, str, str | None]]) -> tuple[ZoneInfo, Frequency]:
    """A person's time zone and frequency from their memberships, oldest first
    (role, team time zone, chosen frequency). A supervisor: their first supervisor
    team's zone, weekly unless they chose otherwise. Anyone else: their first
    team's zone, and no digest unless they chose one (DigestPreference)."""
    supervising = [row for row in rows if row[0] == Role.SUPERVISOR]
    if supervising:
        return _zone(supervising[0][1]), _frequency(supervising[0][2])
    return _zone(rows[0][1]), _frequency(rows[0][2], Frequency.NONE)


def _period_start_in(zone: ZoneInfo, frequency: Frequency, now: datetime) -> datetime | None:
    """The most recent digest hour at or before `now`, on a Monday when weekly.

    Built from the local date and 08:00 local (not by subtracting hours), so a
    daylight-saving change moves the instant, never the hour on the clock.
    """
    if frequency == Frequency.NONE:
        return None
    local_now = now.astimezone(zone)
    day = local_now.date()
    if frequency == Frequency.WEEKLY:
        day -= timedelta(days=day.weekday())
    step = PERIOD_LENGTH[frequency]
    start = datetime.combine(day, DIGEST_HOUR, tzinfo=zone)
    if start > local_now:
        start = datetime.combine(day - step, DIGEST_HOUR, tzinfo=zone)
    return start.astimezone(ZoneInfo("UTC"))


def _supervisor_settings(supervisor: User) -> tuple[ZoneInfo, Frequency]:
    """The person's digest time zone and frequency (supervisor or not)."""
    rows = list(
        supervisor.memberships.order_by("pk").values_list(
            "role", "team__time_zone", "user__digest_preference__frequency"
        )
    )
    if not rows:
        preference = getattr(supervisor, "digest_preference", None)
        return _zone(None), _frequency(preference.frequency if preference else None)
    return _settings_from(rows)


def period_start(supervisor: User, now: datetime) -> datetime | None:
    """The start of the supervisor's current digest period (in UTC), or None when
    they chose no digest. Weekly: the most recent Monday 08:00 local time at or
    before `now`; daily: the most recent 08:00 local time."""
    zone, frequency = _supervisor_settings(supervisor)
    return _period_start_in(zone, frequency, now)


def due_supervisor_ids(now: datetime, among: list[int] | None = None) -> list[int]:
    """Ids of active users holding a supervisor role whose current period has no
    sent digest yet, in two queries whatever the number of supervisors.

    A claimed but unsent period (a send that failed) is still due, so the next
    beat picks it up again, until the period is over. `among` limits the answer
    to those user ids.
    """
    # Supervisors (weekly unless they chose otherwise) and anyone else who chose
    # a digest (practitioners, group members and facilitators).
    wanting = Membership.objects.filter(
        Q(role=Role.SUPERVISOR)
        | Q(user__digest_preference__frequency__in=[Frequency.DAILY, Frequency.WEEKLY])
    )
    memberships = Membership.objects.filter(
        user__is_active=True, user_id__in=wanting.values("user_id")
    )
    if among is not None:
        memberships = memberships.filter(user_id__in=among)
    rows: dict[int, list[tuple[str, str, str | None]]] = {}
    # Oldest membership first: it decides the time zone (_settings_from).
    for user_id, role, zone_name, frequency in memberships.order_by("user_id", "pk").values_list(
        "user_id", "role", "team__time_zone", "user__digest_preference__frequency"
    ):
        rows.setdefault(user_id, []).append((role, zone_name, frequency))
    starts = {user_id: _period_start_in(*_settings_from(r), now) for user_id, r in rows.items()}
    due = {user_id: start for user_id, start in starts.items() if start is not None}
    if not due:
        return []
    done = set(
        DigestDelivery.objects.filter(period_start__in=set(due.values()))
        .filter(sent_at__isnull=False)
        .values_list("supervisor_id", "period_start")
    )
    return [user_id for user_id, start in due.items() if (user_id, start) not in done]


def build_digest(supervisor: User, now: datetime) -> Digest:
    """Count what the supervisor's digest reports, as of `now`.

    - awaiting_review: active shares with them (not revoked, not past their
      date), not yet reviewed; want_to_talk: how many of those the author
      would like to talk about in supervision, plus notes whose author asked
      for a conversation since the last digest; oldest_waiting_days: whole days
      the longest of those has waited (None when nothing waits).
    - newly_shared: active shares with them since their last sent digest, or
      over the last period when none was sent.
    - intervision_*: for the groups they facilitate only, the notes shared to
      those groups and the responses there since then (not their own).
    - summaries_*: a supervisor's, for the groups they supervise now: agreed
      summaries not yet reviewed, and those agreed since then.
    """
    _, frequency = _supervisor_settings(supervisor)
    since = (
        DigestDelivery.objects.filter(supervisor=supervisor, sent_at__isnull=False, sent_at__lt=now)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first()
    ) or now - PERIOD_LENGTH.get(frequency, PERIOD_LENGTH[Frequency.WEEKLY])
    today = timezone.localdate(now)
    recent = Q(shared_at__gt=since)
    waiting = Q(reviewed_at__isnull=True)
    # The one rule for shares decides what counts: only what they may see today.
    received = Share.objects.received_by(supervisor, on=today).filter(shared_at__lte=now)
    mine = received.filter(supervisor=supervisor).aggregate(
        awaiting_review=Count("pk", filter=waiting),
        # Waiting notes the author would like to talk about, and any note whose
        # author asked for a conversation since the last digest (aftercare).
        want_to_talk=Count(
            "pk",
            filter=(waiting & Q(reflection__wants_supervision=True)) | Q(talk_asked_at__gt=since),
        ),
        oldest=Min("shared_at", filter=waiting),
        newly_shared=Count("pk", filter=recent),
    )
    is_supervisor = supervisor.is_supervisor
    if is_supervisor:
        # A supervisor's digest counts the groups they facilitate, as it always did.
        group_shares = received.filter(group__facilitator=supervisor)
        intervision_groups = supervisor.facilitated_groups.count()
    else:
        # A member's or facilitator's: every group they are in now.
        group_shares = received.filter(group__isnull=False)
        intervision_groups = supervisor.reflection_groups().count()
    intervision_shared = group_shares.filter(recent).count()
    responses = (
        Response.objects.visible_to(supervisor)
        .filter(share__in=group_shares, created_at__gt=since, created_at__lte=now)
        .exclude(author=supervisor)
        .count()
    )
    # On their own notes: responses by others and reviews since then, through
    # the same rules (the author always sees their own shares and threads).
    my_new_responses = (
        Response.objects.visible_to(supervisor)
        .filter(share__reflection__author=supervisor, created_at__gt=since, created_at__lte=now)
        .exclude(author=supervisor)
        .count()
    )
    my_new_reviews = (
        Share.objects.visible_to(supervisor)
        .filter(reflection__author=supervisor, reviewed_at__gt=since, reviewed_at__lte=now)
        .count()
    )
    summaries = {"awaiting": 0, "agreed": 0}
    if is_supervisor:
        # The one rule for summaries decides what counts (for_supervisor): agreed,
        # of a group they supervise now, and were supervising when it was agreed.
        summaries = (
            SupervisionSummary.objects.for_supervisor(supervisor, on=today)
            .filter(agreed_at__lte=now)
            .aggregate(
                awaiting=Count("pk", filter=Q(reviewed_at__isnull=True)),
                agreed=Count("pk", filter=Q(agreed_at__gt=since)),
            )
        )
    oldest = mine["oldest"]
    return Digest(
        frequency=frequency.value,
        awaiting_review=mine["awaiting_review"],
        newly_shared=mine["newly_shared"],
        oldest_waiting_days=(now - oldest).days if oldest else None,
        want_to_talk=mine["want_to_talk"],
        intervision_groups=intervision_groups,
        intervision_shared=intervision_shared,
        intervision_responses=responses,
        inbox_url=settings.SITE_URL + reverse("supervision:inbox" if is_supervisor else "home"),
        is_supervisor=is_supervisor,
        my_new_responses=my_new_responses,
        my_new_reviews=my_new_reviews,
        summaries_awaiting_review=summaries["awaiting"],
        summaries_newly_agreed=summaries["agreed"],
    )


def render_digest(digest: Digest) -> tuple[str, str, str]:
    """The subject, plain text body and HTML body of a digest email."""
    context = {"digest": digest, "service_name": settings.SERVICE_NAME}
    subject = " ".join(render_to_string("emails/digest-subject.txt", context).split())
    text = render_to_string("emails/digest-body.txt", context)
    # Template tags on lines of their own leave blank lines; keep one at most.
    text = re.sub(r"\n\s*\n(\s*\n)+", "\n\n", text).strip() + "\n"
    html = render_to_string("emails/digest-body.html", context)
    return subject, text, html


def send_digest_email(
    supervisor: User, digest: Digest, connection: BaseEmailBackend | None = None
) -> None:
    """Send one digest. An SMTP or connection error propagates to the caller.

    `connection` is the settings' email backend unless given (`manage.py
    sample_digest` writes a sample to a file)."""
    subject, text, html = render_digest(digest)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [supervisor.email], connection=connection
    )
    message.attach_alternative(html, "text/html")
    message.send(fail_silently=False)


def _log_given_up(supervisor: User, start: datetime) -> None:
    """Once, when a new period is claimed: the previous period, if it ended unsent."""
    previous = (
        DigestDelivery.objects.filter(supervisor=supervisor, period_start__lt=start)
        .order_by("-period_start")
        .first()
    )
    if previous is not None and previous.sent_at is None:
        logger.warning(
            "Digest for supervisor %s given up: its period ended after %d failed attempts",
            supervisor.pk,
            previous.attempts,
            extra={
                "supervisor_id": supervisor.pk,
                "period_start": previous.period_start.isoformat(),
                "attempts": previous.attempts,
            },
        )


def deliver_digest(supervisor_id: int, now: datetime | None = None) -> str:
    """Send the supervisor's digest for the current period, at most once.

    Returns an outcome: "sent"; "already sent" (this period's digest went out
    before: a retry, a second beat or a manual run); "nothing to report" (no
    note waits and nothing new happened, so no email is sent, and the period
    is marked done so that it is not tried again); "no digest" (they chose
    none, or are no longer an active user).

    An SMTP or connection error propagates, leaving the period unsent (its
    attempts counted), so the caller can retry and the next beat finds it due.
    """
    now = now or timezone.now()
    supervisor = User.objects.filter(pk=supervisor_id, is_active=True).first()
    if supervisor is None:
        return NO_DIGEST
    start = period_start(supervisor, now)
    if start is None:
        return NO_DIGEST
    claim, created = DigestDelivery.objects.get_or_create(supervisor=supervisor, period_start=start)
    if created:
        _log_given_up(supervisor, start)
    try:
        with transaction.atomic():
            # The lock makes a concurrent delivery of the same period wait here
            # until this one commits, and then find sent_at set.
            claim = DigestDelivery.objects.select_for_update().get(pk=claim.pk)
            if claim.sent_at is not None:
                return ALREADY_SENT
            digest = build_digest(supervisor, now)
            outcome = NOTHING_TO_REPORT
            if not digest.is_empty:
                send_digest_email(supervisor, digest)
                outcome = SENT
            # sent_at is `now`, the moment the counts were taken: the next
            # digest counts from here, so nothing shared during the send is missed.
            # The one remaining at-least-once window: the SMTP server accepted
            # the email and then this commit fails (the database went away).
            # The period stays unsent, and a retry sends it a second time.
            DigestDelivery.objects.filter(pk=claim.pk).update(
                sent_at=now, attempts=F("attempts") + int(outcome == SENT)
            )
            return outcome
    except Exception:
        # The transaction above was rolled back; count the attempt on its own.
        # Best effort: a database that is down must not hide the send's error.
        with contextlib.suppress(DatabaseError):
            DigestDelivery.objects.filter(pk=claim.pk, sent_at__isnull=True).update(
                attempts=F("attempts") + 1
            )
        raise
