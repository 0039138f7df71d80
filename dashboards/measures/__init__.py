"""The role-clarity measures: one module each, in page order.

A measure module holds its query (`rows`, for the monthly rollup), its section
(`section`, for the page and the CSV) and its words (TITLE, DEFINITION,
WHAT_IT_TELLS): see dashboards/measures/base.py. Adding a measure is one module
here, listed in MEASURES, and (only if it needs its own layout) one template.
"""

from __future__ import annotations

from types import ModuleType

from dashboards.measures import (
    co_working,
    continuity,
    disclosure,
    first_meetings,
    immediate_help,
    intervision_sessions,
    intervision_summaries,
    participation,
    peer_present,
    peer_time,
    person_present,
    principles,
    reflecting_conversations,
    self_check,
    supervision,
)

MEASURES: list[ModuleType] = [
    peer_present,
    person_present,
    first_meetings,
    immediate_help,
    continuity,
    peer_time,
    co_working,
    reflecting_conversations,
    self_check,
    participation,
    principles,
    disclosure,
    supervision,
    intervision_sessions,
    intervision_summaries,
]
