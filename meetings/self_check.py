"""The dialogic self-check's form: how present each Open Dialogue principle was.

The questions are in this project's own words (the principles' sources are cited
on their framework, principles/migrations/0002_seed_frameworks.py). The form
only asks: SelfCheck.record saves the answers and writes the audit row.
"""

from __future__ import annotations

from typing import Any

from django import forms

from meetings.models import HowPresent, SelfCheck
from pod_site.editing import EditFormMixin
from pod_site.forms import DesignSystemMixin, InlineRadioSelect
from principles.models import Principle

# What each principle looks like in one meeting, as a practitioner might notice it.
QUESTIONS = {
    "immediate-help": "We met soon enough for the network to talk while things were still fresh.",
    "social-network-perspective": (
        "The people who matter to the person were invited, and the network had a say in who came."
    ),
    "flexibility-and-mobility": (
        "The place, the timing and the way we met suited the network, not only the team."
    ),
    "responsibility": "We took charge of what happens next instead of passing people on.",
    "psychological-continuity": (
        "The practitioners the network knows were there, or the network knows they will be."
    ),
    "tolerance-of-uncertainty": (
        "We stayed with not knowing, without rushing to explanations, decisions or plans."
    ),
    "dialogism": (
        "Every voice had room, and we talked about what we heard in front of the network."
    ),
}
FIELD_PREFIX = "how_"


class SelfCheckForm(EditFormMixin, DesignSystemMixin, forms.Form):
    """One required "how present was this" question per principle, named
    `how_<slug>`. Answering, every question is required ("Not sure" is an
    answer); changing, a request may carry only some (pod_site/editing.py)."""

    marks_optional_fields = False

    def __init__(
        self, *args: Any, principles: list[Principle], check: SelfCheck | None, **kwargs: Any
    ) -> None:
        # EditFormMixin decides from the instance whether this answers or changes.
        self.instance = check or SelfCheck()
        super().__init__(*args, **kwargs)
        self.principles = principles
        saved = check.answers_by_slug() if check else {}
        for principle in principles:
            name = f"{FIELD_PREFIX}{principle.slug}"
            self.fields[name] = forms.ChoiceField(
                label=f"{principle.name}: how present was this in the meeting?",
                help_text=QUESTIONS.get(principle.slug, ""),
                choices=HowPresent.choices,
                widget=InlineRadioSelect,
                error_messages={
                    "required": f"Say how present {principle.name.lower()} was, or choose "
                    "“Not sure”."
                },
            )
            if principle.slug in saved:
                self.initial.setdefault(name, saved[principle.slug])
        self.style_widgets()

    def answers(self) -> dict[str, str]:
        """{principle slug: HowPresent value} for the questions this request answered."""
        return {
            name.removeprefix(FIELD_PREFIX): value
            for name, value in self.cleaned_data.items()
            if name.startswith(FIELD_PREFIX)
        }
