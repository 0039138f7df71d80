"""One visibility rule per model, and nothing in a view restates it.

docs/architecture.md, "One rule per model", names the one queryset method each
model's rows are reached through. These tests read the source: a view module
that filters reflections, shares, responses or sessions in any other way, asks
a role question inline instead of through the user model, or writes an audit
row for a change to a note itself, fails here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

VIEW_MODULES = [
    "meetings/views.py",
    "reflections/views.py",
    "supervision/views.py",
    "intervision/views.py",
    "dashboards/views.py",
    "data_rights/views.py",
    "security/views.py",
]

# Model -> the manager methods a view may start from (docs/architecture.md).
RULES = {
    "Reflection": {"visible_to", "mine", "create"},
    # The rule's parts (supervision/models.py): the author's, the supervisor's
    # and the groups', each a subset of visible_to by construction.
    "Share": {
        "visible_to",
        "received_by",
        "on_notes_by",
        "received_as_supervisor",
        "received_in_groups",
    },
    "Response": {"visible_to", "on_notes_by"},
    "SupervisionSession": {"visible_to"},
    "IntervisionSession": {"visible_to", "notes_visible_to"},
    "SupervisionSummary": {"visible_to", "for_supervisor", "awaiting_review_by"},
}

# Role questions are methods on the user (teams.models.User).
ROLE_APPS = [
    "meetings",
    "reflections",
    "supervision",
    "intervision",
    "dashboards",
    "security",
    "data_rights",
]
INLINE_ROLE_QUERIES = [
    re.compile(r"memberships\.filter\(\s*role"),
    re.compile(r"Membership\.objects\.practising\(\)\.filter\([^)]*\buser\s*="),
    re.compile(r"Membership\.objects\.filter\(\s*user\s*=\s*\w+\s*,\s*role"),
    re.compile(r"memberships__role\s*=\s*Role\."),
]


def _manager_calls(tree: ast.AST):
    """(model, method, line) for every `Model.objects.method` in a module."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "objects"
            and isinstance(node.value.value, ast.Name)
        ):
            yield node.value.value.id, node.attr, node.lineno


def _rule_breaches(source: str) -> list[str]:
    return [
        f"line {line}: {model}.objects.{method}"
        for model, method, line in _manager_calls(ast.parse(source))
        if model in RULES and method not in RULES[model]
    ]


@pytest.mark.parametrize("module", VIEW_MODULES)
def test_views_reach_notes_only_through_the_one_rule(module):
    assert _rule_breaches((ROOT / module).read_text()) == []


def test_the_scan_finds_a_filter_that_bypasses_the_rule():
    source = (
        "Reflection.objects.filter(author=user)\n"
        "Share.objects.all()\n"
        "Share.objects.visible_to(user)\n"
        "Response.objects.select_related('author')\n"
    )

    assert _rule_breaches(source) == [
        "line 1: Reflection.objects.filter",
        "line 2: Share.objects.all",
        "line 4: Response.objects.select_related",
    ]


def _python_files(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


@pytest.mark.parametrize("app", ROLE_APPS)
def test_role_questions_are_asked_of_the_user(app):
    found = [
        f"{path.relative_to(ROOT)}:{source[: match.start()].count(chr(10)) + 1}"
        for path in _python_files(app)
        for source in [path.read_text()]
        for pattern in INLINE_ROLE_QUERIES
        for match in pattern.finditer(source)
    ]

    assert found == []


AUDIT_RECORD = re.compile(r"AuditEvent\.objects\.record\((?P<args>[^)]*)\)", re.S)


@pytest.mark.parametrize("module", VIEW_MODULES)
def test_views_leave_audit_rows_for_note_changes_to_the_models(module):
    """A change to a note or a share is a model method that writes its own audit
    row; a view may record only what is not a change (an export)."""
    source = (ROOT / module).read_text()
    written_here = [match["args"] for match in AUDIT_RECORD.finditer(source)]

    assert [args for args in written_here if "Action.EXPORT" not in args] == []
