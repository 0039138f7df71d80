"""Frameworks of practice principles and the prompts that help people reflect on them.

The content is seeded by a data migration (0002): the four peer practice
principles of Hendy, Tew and Carr (2023) and the seven Open Dialogue treatment
principles of Seikkula et al. (2003). Summaries are in this project's own words.
"""

from __future__ import annotations

from django.db import models

PEER_PRACTICE = "peer-practice"
OPEN_DIALOGUE = "open-dialogue"
# The peer practice principle about sharing one's own lived experience. Its note
# goes with the disclosure details: a share includes both or neither
# (supervision.models.Share.shows_self_disclosure).
SELF_DISCLOSURE = "self-disclosure"


class Framework(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    citation = models.TextField(help_text="The full reference of the source.")
    doi_url = models.URLField("DOI link", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PrincipleQuerySet(models.QuerySet["Principle"]):
    def peer_practice(self) -> PrincipleQuerySet:
        return self.filter(framework__slug=PEER_PRACTICE)


class Principle(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="principles")
    slug = models.SlugField()
    name = models.CharField(max_length=120)
    summary = models.TextField()
    order = models.PositiveSmallIntegerField()

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
    def heading(self) -> str:
        """How a note's section on this principle is headed wherever the note is
        written or read: "Self-disclosure (principle)" is never confused with
        the "Disclosure details" section."""
        return f"{self.name} (principle)"


class Prompt(models.Model):
    """A question that helps a practitioner reflect on one principle."""

    principle = models.ForeignKey(Principle, on_delete=models.CASCADE, related_name="prompts")
    text = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["principle", "order"]

    def __str__(self) -> str:
        return self.text
