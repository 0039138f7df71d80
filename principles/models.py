"""Frameworks of practice principles and the prompts that help people reflect on them.

The shared content is seeded by a data migration (0002): the four peer practice
principles of Hendy, Tew and Carr (2023) and the seven Open Dialogue treatment
principles of Seikkula et al. (2003). Summaries are in this project's own words.

A team chooses which frameworks its practitioners reflect under (TeamFramework):
the peer practice principles always, others when its lead enables them. A team may
also write one framework of its own (`Framework.team`), its principles and prompts
written by its lead on the team page (people/). A principle that has been written
under is never deleted (PrincipleNote's PROTECT): the lead retires it instead, so
it is no longer offered for new notes and every note on it is kept and shown.

principles imports teams, never the other way (teams is the ground floor).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.text import slugify

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from teams.models import Team

PEER_PRACTICE = "peer-practice"
OPEN_DIALOGUE = "open-dialogue"
# The peer practice principle about sharing one's own lived experience. Its note
# goes with the disclosure details: a share includes both or neither
# (supervision.models.Share.shows_self_disclosure).
SELF_DISCLOSURE = "self-disclosure"
# A team's own framework: a few principles, each with a few prompts.
MAX_PROMPTS = 3
MAX_OWN_PRINCIPLES = 12
# Separates a framework's slug from a principle's in a principle's `key`.
KEY_SEPARATOR = "__"


class FrameworkQuerySet(models.QuerySet["Framework"]):
    def shared(self) -> FrameworkQuerySet:
        """The seeded frameworks, open to every team (no team of their own)."""
        return self.filter(team__isnull=True)

    def choosable_by(self, team: Team) -> FrameworkQuerySet:
        """What a team may enable: every shared framework but the peer practice
        principles (always on), and its own framework. Never another team's."""
        return self.filter(Q(team__isnull=True) | Q(team=team)).exclude(slug=PEER_PRACTICE)

    def enabled_for(self, teams: Iterable[Team] | models.QuerySet) -> FrameworkQuerySet:
        """The frameworks people of these teams reflect under: the peer practice
        principles always, and those any of the teams enabled. A team-owned
        framework only for its own team, whatever the rows say."""
        enabled = TeamFramework.objects.filter(framework=OuterRef("pk"), team__in=teams)
        return self.filter(
            Q(slug=PEER_PRACTICE) | (Exists(enabled) & (Q(team__isnull=True) | Q(team__in=teams)))
        )


class Framework(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    citation = models.TextField(
        "where it comes from",
        blank=True,
        help_text="The full reference of the source, or a line on where the team's "
        "own framework comes from.",
    )
    doi_url = models.URLField("DOI link", blank=True)
    # None: shared (seeded) and open to every team. Otherwise the team's own.
    team = models.ForeignKey(
        "teams.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="own_frameworks",
    )

    objects = FrameworkQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["team"],
                condition=Q(team__isnull=False),
                name="one_own_framework_per_team",
                violation_error_message="This team already has a framework of its own.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_peer_practice(self) -> bool:
        return self.slug == PEER_PRACTICE

    @staticmethod
    def slug_for_team(team: Team) -> str:
        return f"team-{team.pk}"

    @classmethod
    @transaction.atomic
    def create_for_team(cls, team: Team, name: str, citation: str = "") -> Framework:
        """The team's own framework, enabled for it at once. Raises IntegrityError
        when the team has one already (one_own_framework_per_team)."""
        framework = cls.objects.create(
            team=team, slug=cls.slug_for_team(team), name=name, citation=citation
        )
        TeamFramework.objects.create(team=team, framework=framework)
        return framework

    @transaction.atomic
    def add_principle(self, name: str, summary: str, prompts: Sequence[str]) -> Principle:
        """A new principle at the end of this framework, with its prompts (blank
        ones left out); ValidationError past MAX_OWN_PRINCIPLES. Its slug comes
        from its name, made unique in the framework, and is never changed by a
        rename (notes and versions keep their key)."""
        # Lock the framework, so two principles added at once get distinct orders.
        Framework.objects.select_for_update().filter(pk=self.pk).first()
        # Retired principles stay (their notes keep them) but free their place.
        if self.principles.current().count() >= MAX_OWN_PRINCIPLES:
            raise ValidationError(
                f"A framework of the team's own has at most {MAX_OWN_PRINCIPLES} principles: "
                "change or retire one instead."
            )
        taken = set(self.principles.values_list("slug", flat=True))
        base = slugify(name).replace("_", "-").strip("-")[:40] or "principle"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        last = self.principles.aggregate(last=models.Max("order"))["last"] or 0
        principle = Principle.objects.create(
            framework=self, slug=slug, name=name, summary=summary, order=last + 1
        )
        principle.set_prompts(prompts)
        return principle


class PrincipleQuerySet(models.QuerySet["Principle"]):
    def peer_practice(self) -> PrincipleQuerySet:
        return self.filter(framework__slug=PEER_PRACTICE)

    def current(self) -> PrincipleQuerySet:
        """Not retired: offered for new notes."""
        return self.filter(retired_at__isnull=True)

    def in_reading_order(self) -> PrincipleQuerySet:
        """The peer practice principles first, then each other framework by name;
        within one, the framework's order. With their framework."""
        return self.select_related("framework").order_by(
            models.Case(models.When(framework__slug=PEER_PRACTICE, then=0), default=1),
            "framework__name",
            "framework_id",
            "order",
        )


class Principle(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="principles")
    slug = models.SlugField()
    name = models.CharField(max_length=120)
    summary = models.TextField()
    order = models.PositiveSmallIntegerField()
    # A team's own principle is retired rather than deleted: not offered for new
    # notes, while every note written on it stays and is shown.
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = PrincipleQuerySet.as_manager()

    class Meta:
        ordering = ["framework", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "slug"], name="principle_slug_unique_in_framework"
            ),
            models.UniqueConstraint(
                fields=["framework", "order"], name="principle_order_unique_in_framework"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def key(self) -> str:
        """How forms, filters and URLs name this principle: a peer practice
        principle by its slug ("attunement", as always), any other by its
        framework's slug and its own ("open-dialogue__dialogism"), since slugs
        are unique only within a framework. Needs the framework loaded."""
        if self.framework.slug == PEER_PRACTICE:
            return self.slug
        return f"{self.framework.slug}{KEY_SEPARATOR}{self.slug}"

    @property
    def heading(self) -> str:
        """How a note's section on this principle is headed wherever the note is
        written or read: "Self-disclosure (principle)" is never confused with
        the "Disclosure details" section; another framework's principle is
        headed with its framework ("Dialogism (Open Dialogue treatment principles)")."""
        if self.framework.slug == PEER_PRACTICE:
            return f"{self.name} (principle)"
        return f"{self.name} ({self.framework.name})"

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    @transaction.atomic
    def revise(
        self, *, name: str, summary: str, prompts: Sequence[str], retired: bool
    ) -> list[str]:
        """Change a team's own principle: its name, summary and prompts, and
        whether it is retired. Returns the names of what changed ("prompts",
        "retired"...), for the audit row. Notes on it are untouched."""
        changed = [
            field
            for field, value in (("name", name), ("summary", summary))
            if getattr(self, field) != value
        ]
        self.name, self.summary = name, summary
        if (
            not retired
            and self.is_retired
            and (self.framework.principles.current().count() >= MAX_OWN_PRINCIPLES)
        ):
            raise ValidationError(
                f"A framework of the team's own has at most {MAX_OWN_PRINCIPLES} principles "
                "in use: retire another before bringing this one back."
            )
        if retired != self.is_retired:
            self.retired_at = timezone.now() if retired else None
            changed.append("retired" if retired else "restored")
        self.save()
        before = list(self.prompts.values_list("text", flat=True))
        self.set_prompts(prompts)
        if list(self.prompts.values_list("text", flat=True)) != before:
            changed.append("prompts")
        return changed

    def set_prompts(self, prompts: Sequence[str]) -> None:
        texts = [text.strip() for text in prompts if text and text.strip()][:MAX_PROMPTS]
        self.prompts.all().delete()
        Prompt.objects.bulk_create(
            Prompt(principle=self, text=text, order=order)
            for order, text in enumerate(texts, start=1)
        )

    @transaction.atomic
    def move_up(self) -> bool:
        """Swap places with the principle before it in its framework. False when
        it is first already."""
        before = (
            Principle.objects.select_for_update()
            .filter(framework_id=self.framework_id, order__lt=self.order)
            .order_by("-order")
            .first()
        )
        if before is None:
            return False
        mine, theirs = self.order, before.order
        # Through a free number: (framework, order) is unique at every step.
        free = (
            Principle.objects.filter(framework_id=self.framework_id).aggregate(
                top=models.Max("order")
            )["top"]
            or 0
        ) + 1
        Principle.objects.filter(pk=self.pk).update(order=free)
        Principle.objects.filter(pk=before.pk).update(order=mine)
        Principle.objects.filter(pk=self.pk).update(order=theirs)
        self.order = theirs
        return True


class Prompt(models.Model):
    """A question that helps a practitioner reflect on one principle."""

    principle = models.ForeignKey(Principle, on_delete=models.CASCADE, related_name="prompts")
    text = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["principle", "order"]

    def __str__(self) -> str:
        return self.text


class TeamFramework(models.Model):
    """A framework a team has enabled: its practitioners' notes have a section for
    it. The peer practice principles need no row (always on). Disabling deletes
    the row; notes already written under the framework are kept and still shown."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="team_choices")
    enabled_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "framework"], name="framework_enabled_once_per_team"
            )
        ]

    def __str__(self) -> str:
        return f"{self.framework} for team {self.team_id}"
