"""The frameworks and principles seeded by principles/migrations/0002_seed_frameworks."""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from principles.models import OPEN_DIALOGUE, PEER_PRACTICE, Framework, Principle, Prompt

pytestmark = pytest.mark.django_db

SEED_MIGRATION = ("principles", "0002_seed_frameworks")
PEER_SLUGS = ["attunement", "validation", "connection-and-mutuality", "self-disclosure"]
OPEN_DIALOGUE_SLUGS = [
    "immediate-help",
    "social-network-perspective",
    "flexibility-and-mobility",
    "responsibility",
    "psychological-continuity",
    "tolerance-of-uncertainty",
    "dialogism",
]
# The app speaks of people, networks and meetings (docs: DOMAIN.md, "Language and data").
LABELLING_WORDS = re.compile(r"\b(patients?|cases?|subjects?|clients?)\b", re.IGNORECASE)


def seed_module():
    return importlib.import_module("principles.migrations.0002_seed_frameworks")


def test_peer_practice_framework_cites_hendy_tew_and_carr():
    framework = Framework.objects.get(slug=PEER_PRACTICE)
    assert "Hendy C, Tew J and Carr S (2023)" in framework.citation
    assert "Front. Psychol. 14:1176839" in framework.citation
    assert framework.doi_url == "https://doi.org/10.3389/fpsyg.2023.1176839"


def test_open_dialogue_framework_cites_seikkula_et_al():
    framework = Framework.objects.get(slug=OPEN_DIALOGUE)
    assert framework.name == "Open Dialogue treatment principles"
    assert "Seikkula J, Arnkil TE and Eriksson E (2003)" in framework.citation
    assert "Family Process 42(2):185-203" in framework.citation
    assert framework.doi_url == "https://doi.org/10.1111/j.1545-5300.2003.42201.x"


def test_four_peer_principles_in_order():
    principles = Principle.objects.filter(framework__slug=PEER_PRACTICE).order_by("order")
    assert [p.slug for p in principles] == PEER_SLUGS
    assert [p.name for p in principles] == [
        "Attunement",
        "Validation",
        "Connection and mutuality",
        "Self-disclosure",
    ]
    assert [p.order for p in principles] == [1, 2, 3, 4]


def test_each_peer_principle_has_a_summary_and_three_or_four_prompts():
    for principle in Principle.objects.peer_practice():
        assert principle.summary.strip(), principle.slug
        assert principle.prompts.count() in (3, 4), principle.slug


def test_open_dialogue_has_seven_principles_in_order():
    principles = Principle.objects.filter(framework__slug=OPEN_DIALOGUE).order_by("order")
    assert [p.slug for p in principles] == OPEN_DIALOGUE_SLUGS
    for principle in principles:
        assert principle.summary.strip(), principle.slug
        assert principle.prompts.count() in (2, 3), principle.slug


def test_prompts_are_questions():
    prompts = Prompt.objects.filter(principle__framework__slug__in=[PEER_PRACTICE, OPEN_DIALOGUE])
    assert prompts.exists()
    for prompt in prompts:
        assert prompt.text.endswith("?"), prompt.text


def test_peer_prompts_are_in_the_first_person():
    for prompt in Prompt.objects.filter(principle__framework__slug=PEER_PRACTICE):
        assert re.search(r"\b(I|me|my|we|our)\b", prompt.text), prompt.text
        assert not re.search(r"\b(you|your)\b", prompt.text, re.IGNORECASE), prompt.text


def test_peer_summaries_do_not_use_labelling_words():
    for principle in Principle.objects.peer_practice():
        assert not LABELLING_WORDS.search(principle.summary), principle.slug


def test_no_seeded_text_uses_labelling_words():
    for principle in Principle.objects.filter(framework__slug__in=[PEER_PRACTICE, OPEN_DIALOGUE]):
        assert not LABELLING_WORDS.search(principle.name), principle.slug
        assert not LABELLING_WORDS.search(principle.summary), principle.slug
        for prompt in principle.prompts.all():
            assert not LABELLING_WORDS.search(prompt.text), prompt.text


def test_peer_practice_queryset_returns_the_four_peer_principles():
    assert list(Principle.objects.peer_practice().values_list("slug", flat=True)) == PEER_SLUGS


def test_seeding_again_updates_in_place_without_duplicates():
    principle = Principle.objects.get(framework__slug=PEER_PRACTICE, slug="validation")
    principle.summary = "Edited by hand."
    principle.save()
    counts = (Framework.objects.count(), Principle.objects.count(), Prompt.objects.count())

    seed_module().seed_frameworks(django_apps, None)

    assert (Framework.objects.count(), Principle.objects.count(), Prompt.objects.count()) == counts
    principle.refresh_from_db()
    assert principle.summary != "Edited by hand."
    assert list(principle.prompts.values_list("order", flat=True)) == [1, 2, 3, 4]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_can_be_reversed_and_applied_again():
    # transaction=True: SQLite's schema editor refuses to run inside the atomic
    # block that an ordinary django_db test is wrapped in.
    executor = MigrationExecutor(connection)
    if SEED_MIGRATION not in executor.loader.applied_migrations:
        pytest.skip("test database was built without migrations (--nomigrations)")

    executor.migrate([("principles", "0001_initial")])
    assert not Framework.objects.filter(slug__in=[PEER_PRACTICE, OPEN_DIALOGUE]).exists()
    assert not Principle.objects.exists()
    assert not Prompt.objects.exists()

    # Reload the graph, then bring every app back to its latest migration, so
    # that anything unapplied on the way down is applied again.
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert Framework.objects.filter(slug__in=[PEER_PRACTICE, OPEN_DIALOGUE]).count() == 2
    assert list(Principle.objects.peer_practice().values_list("slug", flat=True)) == PEER_SLUGS
    assert Principle.objects.filter(framework__slug=OPEN_DIALOGUE).count() == 7
