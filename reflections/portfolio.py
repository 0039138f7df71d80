"""My notes as a reflective account for a portfolio: a PDF (fpdf2) and a Word
document (python-docx), built from one layout description.

The app has no fields called "what I learned" or "what I will do differently",
so the account is laid out from what the author wrote, and says so on its first
page. Per note, in this order, each section only when the author wrote
something for it (nothing is made up to fill a heading):

- **What happened**: the note's text ("What happened between us"), as it is now:
  a finished note's edits are kept as versions, and the account shows the current one.
- **Added later**: the note's addenda (the author's own additions to a locked
  note), each with its date.
- **What I learned**: what the author wrote under each principle, headed by the
  principle ("Attunement").
- **My self-disclosure**: the disclosure details, only when the author ticks
  "Include my self-disclosure" (as for a share; otherwise the self-disclosure
  principle note and the details are left out everywhere), and then whatever
  they wrote, whether or not "Did I disclose?" was answered.
- **What I will do differently**: typed on the export page for this account
  only; never stored, never logged, never in the audit trail.
- **Which principles it relates to**: each principle with a note or "how
  present", and how present it was.

About the network only its pseudonymous reference and the meeting date appear,
as in the app; nothing about its members (no names, no attendance) unless the
author wrote it in their own text, which the identifier guard points out first
(reflections/identifiers.py, `portfolio_findings`). Not in the account: how the
author was after the meeting, whether they want to talk in supervision, shares,
responses, reads and earlier versions.

The PDF is drawn with fpdf2's text shaping (HarfBuzz, through uharfbuzz), so
right-to-left text (Hebrew, Arabic) reads in order, Arabic letters join and
combining marks sit on their letters. Shaping is turned on only for the
paragraphs that need it (`_needs_shaping`): on everywhere, it made a 200-note
account about three times slower and its file about seven times larger, and
Latin text gains nothing from it.

The page posts the notes as `note` ids: `NoteIdsField` keeps the distinct ones
that are whole numbers within the database's id range and ignores the rest, as
the view ignores other people's ids; the view refuses more than MAX_NOTES.

Shapes: `account(reflections, author, include_disclosure=, differently=)` returns
a list of `Block(kind, text)`, the one layout; `portfolio_pdf` and
`portfolio_docx` take the same arguments and return the file's bytes. At most MAX_NOTES notes per
account (the page refuses more). The fonts are DejaVu Sans, vendored in
reflections/fonts/ with their licence (no system font is needed); a character
they do not have (most CJK, some emoji) is printed in the PDF as U+FFFD, and
the Word document keeps it as typed. Nothing here logs note text: fontTools and
fpdf2 log glyph names and missing characters, so their loggers are kept quiet.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

from django import forms
from django.conf import settings
from django.db import connections, router
from django.db.models import Prefetch
from django.utils import timezone

from pod_site.forms import DesignSystemMixin
from principles.models import SELF_DISCLOSURE
from reflections.identifiers import FieldFindings, check_fields
from reflections.models import PrincipleNote, Reflection, ReflectionQuerySet
from teams.models import User

# fontTools logs the glyph names it keeps while subsetting (INFO), and fpdf2 names
# the characters a font lacks (WARNING): both would put what a note says, letter by
# letter, into the logs. pod_site/settings.py LOGGING keeps only their errors.

MAX_NOTES = 200
# What the author types per note for this account only ("what I will do differently").
MAX_DIFFERENTLY = 5_000

FONTS = Path(__file__).resolve().parent / "fonts"
REGULAR_FONT = FONTS / "DejaVuSans.ttf"
BOLD_FONT = FONTS / "DejaVuSans-Bold.ttf"
REPLACEMENT = "\ufffd"

PDF = "pdf"
DOCX = "docx"
FORMATS = {
    PDF: ("PDF", "application/pdf", "pdf"),
    DOCX: (
        "Word document",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
}

WHAT_HAPPENED = "What happened"
ADDED_LATER = "Added later"
WHAT_I_LEARNED = "What I learned"
MY_SELF_DISCLOSURE = "My self-disclosure"
DIFFERENTLY = "What I will do differently"
PRINCIPLES = "Which principles it relates to"

BlockKind = Literal["title", "heading", "section", "subsection", "text", "meta", "item"]


@dataclass(frozen=True)
class Block:
    """One piece of the layout. `title` (the account's), `heading` (a note's;
    each starts a new page), `section` ("What happened"), `subsection` (a
    principle), `text` (one paragraph the author wrote), `meta` (small print)
    and `item` (a bullet point)."""

    kind: BlockKind
    text: str


_ID = re.compile(r"[0-9]{1,20}")


class NoteIdsField(forms.Field):
    """The `note` ids posted (the page's own checkboxes, so a hidden field here):
    the distinct ones that are whole numbers (ASCII digits) within the range of
    the database's ids for notes, in the order posted. Anything else cannot be
    one of the author's notes and is ignored, as another person's id is: it is
    never looked up, so never an OverflowError (SQLite) or a DataError
    (PostgreSQL). Never refuses: how many is the view's to say."""

    widget = forms.MultipleHiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[int]:
        if value in self.empty_values:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        low, high = _id_range()
        ids: dict[int, None] = {}
        for item in values:
            if isinstance(item, str) and _ID.fullmatch(item) and low <= int(item) <= high:
                ids[int(item)] = None
        return list(ids)


def _id_range() -> tuple[int, int]:
    """The ids a note can have in the database it is read from: 1 up to the
    largest its primary key's column holds."""
    pk = Reflection._meta.pk
    connection = connections[router.db_for_read(Reflection)]
    low, high = connection.ops.integer_field_range(pk.get_internal_type())
    return max(1, low or 1), high if high is not None else 2**63 - 1


class PortfolioForm(DesignSystemMixin, forms.Form):
    """The export's choices. The notes themselves come as `note` ids (checkboxes
    on the page, read by NoteIdsField) and each note's "what I will do
    differently" as `differently_<id>`; the view reads those against the
    author's own notes."""

    note = NoteIdsField()

    format = forms.ChoiceField(
        label="Format",
        choices=[(key, label) for key, (label, _, _) in FORMATS.items()],
        widget=forms.RadioSelect,
        initial=PDF,
        error_messages={"required": "Choose PDF or Word document."},
    )
    include_disclosure = forms.BooleanField(
        label="Include my self-disclosure",
        required=False,
        help_text="Your notes on the self-disclosure principle and your disclosure details. "
        "Left out unless you tick this.",
    )


def portfolio_notes(user: User) -> ReflectionQuerySet:
    """The author's notes that can go into an account (written ones, drafts
    included), oldest first, with everything the account and the identifier guard
    read: a fixed number of queries however many notes."""
    return (
        Reflection.objects.mine(user)
        .written()
        .select_related("meeting__network", "disclosure")
        .prefetch_related(
            Prefetch(
                "principle_notes",
                PrincipleNote.objects.select_related("principle__framework"),
            ),
            "addenda",
            "meeting__network__members",
        )
        .order_by("written_at", "pk")
    )


def portfolio_findings(
    reflection: Reflection, *, include_disclosure: bool, differently: str = ""
) -> list[FieldFindings]:
    """The identifier guard over what the account carries of this note: its
    text, principle notes, addenda and (when included) the disclosure, through
    `Reflection.identifier_findings`, and what the author typed for "What I will
    do differently", against the same names and reference. [] when nothing was
    found. Uses the prefetched members; logs nothing."""
    found = reflection.identifier_findings(include_disclosure=include_disclosure)
    if differently.strip():
        names, references = [], []
        if reflection.meeting_id:
            network = reflection.meeting.network
            names = [member.name for member in network.members.all()]
            references = [network.reference]
        found += check_fields([(DIFFERENTLY, differently)], names=names, references=references)
    return found


def label_of(reflection: Reflection) -> str:
    """What tells a note apart from the others on the export page (its checkbox's
    label): "Birch, written 12 March 2026 at 14:05", or "General reflection,
    written 12 March 2026 at 14:05"."""
    where = reflection.meeting.network.reference if reflection.meeting else "General reflection"
    return f"{where}, written {timezone.localtime(reflection.written_at):%-d %B %Y at %H:%M}"


def heading_of(reflection: Reflection) -> str:
    """A note's heading: "12 March 2026, network meeting (Birch)", or "12 March
    2026, general reflection" (the date it was written)."""
    if reflection.meeting is None:
        return f"{timezone.localtime(reflection.written_at):%-d %B %Y}, general reflection"
    when = timezone.localtime(reflection.meeting.starts_at)
    return f"{when:%-d %B %Y}, network meeting ({reflection.meeting.network.reference})"


def account(
    reflections: Sequence[Reflection],
    author: User,
    *,
    include_disclosure: bool = False,
    differently: dict[int, str] | None = None,
    today: date | None = None,
) -> list[Block]:
    """The reflective account as blocks: a first page (title, author, dates,
    count, how it is laid out, where the principles come from), then each note
    in the order given. `differently` maps a note's id to what the author typed
    for it on the export page. Raises ValueError for more than MAX_NOTES notes."""
    if len(reflections) > MAX_NOTES:
        raise ValueError(f"An account holds at most {MAX_NOTES} notes.")
    differently = differently or {}
    today = today or timezone.localdate()
    dates = [timezone.localtime(_when(r)).date() for r in reflections]
    count = len(reflections)
    blocks = [
        Block("title", "Reflective account"),
        Block("text", str(author)),
        Block(
            "meta",
            f"{count} note{'' if count == 1 else 's'}"
            + (f", {min(dates):%-d %B %Y} to {max(dates):%-d %B %Y}" if dates else "")
            + f". Made on {today:%-d %B %Y} from {settings.SERVICE_NAME}.",
        ),
        Block("section", "How this account is laid out"),
        Block(
            "text",
            f"Each note is under its date, and its network's reference when it is about "
            f"a network meeting. “{WHAT_HAPPENED}” is what I wrote about what happened "
            f"between us, as it stands now; “{ADDED_LATER}” what I added to it later; "
            f"“{WHAT_I_LEARNED}” what I wrote under each principle; “{DIFFERENTLY}” "
            f"what I wrote for this account; “{PRINCIPLES}” the principles I noted and "
            "how present each was. A section I wrote nothing for is left out.",
        ),
        Block(
            "text",
            "Networks are named only by their reference; nothing is said about the "
            "people in them beyond what I wrote myself.",
        ),
    ]
    frameworks = {
        note.principle.framework
        for reflection in reflections
        for note in _principle_notes(reflection, include_disclosure)
    }
    if frameworks:
        blocks.append(Block("section", "Where the principles come from"))
        blocks += [
            Block("item", f"{f.name}: {f.citation}" if f.citation else f.name)
            for f in sorted(frameworks, key=lambda f: f.pk)
        ]
    for reflection in reflections:
        blocks += _note_blocks(
            reflection, include_disclosure, differently.get(reflection.pk, "").strip()
        )
    return blocks


def _when(reflection: Reflection):
    return reflection.meeting.starts_at if reflection.meeting else reflection.written_at


def _principle_notes(reflection: Reflection, include_disclosure: bool) -> list[PrincipleNote]:
    return [
        note
        for note in reflection.principle_notes.all()
        if (note.text.strip() or note.presence)
        and (include_disclosure or note.principle.slug != SELF_DISCLOSURE)
    ]


def _paragraphs(text: str) -> list[Block]:
    return [Block("text", line.strip()) for line in _clean(text).splitlines() if line.strip()]


def _note_blocks(reflection: Reflection, include_disclosure: bool, differently: str) -> list[Block]:
    written = timezone.localtime(reflection.written_at)
    changed = timezone.localtime(reflection.updated_at)
    state = "Draft" if reflection.is_draft else "Finished"
    meta = f"{state}. Written {written:%-d %B %Y}"
    if changed.date() != written.date():
        meta += f"; last changed {changed:%-d %B %Y}"
    blocks = [Block("heading", heading_of(reflection)), Block("meta", meta + ".")]
    if reflection.text.strip():
        blocks += [Block("section", WHAT_HAPPENED), *_paragraphs(reflection.text)]
    addenda = [addendum for addendum in reflection.addenda.all() if addendum.text.strip()]
    if addenda:
        blocks.append(Block("section", ADDED_LATER))
        for addendum in addenda:
            added = timezone.localtime(addendum.created_at)
            blocks += [Block("meta", f"Added {added:%-d %B %Y}:"), *_paragraphs(addendum.text)]
    notes = _principle_notes(reflection, include_disclosure)
    learned = [note for note in notes if note.text.strip()]
    if learned:
        blocks.append(Block("section", WHAT_I_LEARNED))
        for note in learned:
            blocks += [Block("subsection", note.principle.name), *_paragraphs(note.text)]
    disclosure = getattr(reflection, "disclosure", None)
    items = _disclosure_items(disclosure) if include_disclosure and disclosure else []
    if items:
        blocks += [Block("section", MY_SELF_DISCLOSURE), *items]
    if differently:
        blocks += [Block("section", DIFFERENTLY), *_paragraphs(differently)]
    if notes:
        blocks.append(Block("section", PRINCIPLES))
        blocks += [
            Block(
                "item",
                note.principle.name
                + (f": {note.get_presence_display().lower()}" if note.presence else ""),
            )
            for note in notes
        ]
    return blocks


def _disclosure_items(disclosure) -> list[Block]:
    answers = [
        ("Did I disclose", disclosure.get_disclosed_display() if disclosure.disclosed else ""),
        ("What I shared", disclosure.what_shared.strip()),
        ("What guided my decision", disclosure.what_guided.strip()),
        ("Did it feel safe", disclosure.get_felt_safe_display() if disclosure.felt_safe else ""),
        (
            "How colleagues responded",
            disclosure.get_colleague_response_display() if disclosure.colleague_response else "",
        ),
        (
            "Its emotional cost to me",
            f"{disclosure.emotional_cost} of 4" if disclosure.emotional_cost is not None else "",
        ),
    ]
    return [Block("item", f"{label}: {answer}") for label, answer in answers if answer]


# Characters XML (and so a .docx) cannot hold, and that no font draws: C0 controls
# other than tab and newline, lone surrogates, U+FFFE and U+FFFF.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    return _UNPRINTABLE.sub("", text)


# The PDF ------------------------------------------------------------------------


@cache
def _font_characters() -> frozenset[int]:
    """The code points both vendored fonts can draw."""
    from fontTools.ttLib import TTFont

    points = None
    for path in (REGULAR_FONT, BOLD_FONT):
        with TTFont(path, lazy=True) as font:
            mapped = frozenset(font.getBestCmap())
        points = mapped if points is None else points & mapped
    return points or frozenset()


def _printable(text: str) -> str:
    drawable = _font_characters()
    return "".join(
        char if ord(char) in drawable or char in "\n\t" else REPLACEMENT for char in _clean(text)
    )


def _needs_shaping(text: str) -> bool:
    """Whether a paragraph needs text shaping to be drawn right: it holds
    right-to-left letters or digits (Hebrew, Arabic) or combining marks (an
    accent typed after its letter, most Indic vowel signs)."""
    return any(
        unicodedata.bidirectional(char) in ("R", "AL", "AN") or unicodedata.category(char)[0] == "M"
        for char in text
    )


SIZES = {"title": 24, "heading": 16, "section": 13, "subsection": 11, "text": 11, "meta": 9}


def portfolio_pdf(reflections: Sequence[Reflection], author: User, **options: Any) -> bytes:
    """`account(reflections, author, **options)` as a PDF. Raises ValueError as
    `account` does."""
    return _pdf(account(reflections, author, **options), author)


def portfolio_docx(reflections: Sequence[Reflection], author: User, **options: Any) -> bytes:
    """`account(reflections, author, **options)` as a Word document. Raises
    ValueError as `account` does."""
    return _docx(account(reflections, author, **options), author)


def _pdf(blocks: Iterable[Block], author: User) -> bytes:
    """The account as a PDF (A4, DejaVu Sans embedded and subset, text shaped),
    each note on a page of its own and in the document outline, pages numbered."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    class AccountPDF(FPDF):
        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("DejaVu", size=8)
            self.set_text_color(80)
            self.cell(0, 10, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = AccountPDF(format="A4")
    pdf.set_title("Reflective account")
    pdf.set_author(_printable(str(author)))
    pdf.set_creator(settings.SERVICE_NAME)
    pdf.set_lang("en-GB")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_font("DejaVu", "", REGULAR_FONT)
    pdf.add_font("DejaVu", "B", BOLD_FONT)
    pdf.add_page()
    for block in blocks:
        text = _printable(block.text)
        bold = block.kind in ("title", "heading", "section", "subsection")
        pdf.set_font("DejaVu", "B" if bold else "", SIZES.get(block.kind, 11))
        pdf.set_text_color(80 if block.kind == "meta" else 0)
        # Bidi ordering and shaping (HarfBuzz): without it Hebrew and Arabic are
        # drawn in the order typed, backwards, and Arabic letters unjoined.
        pdf.set_text_shaping(_needs_shaping(text))
        if block.kind == "heading":
            pdf.add_page()
            pdf.start_section(text, level=0)
        elif block.kind in ("section", "subsection"):
            pdf.ln(3 if block.kind == "section" else 1)
        line_height = SIZES.get(block.kind, 11) * 0.5
        if block.kind == "item":
            text = f"• {text}"
        pdf.multi_cell(0, line_height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1.5)
    return bytes(pdf.output())


# The Word document ----------------------------------------------------------------


def _docx(blocks: Iterable[Block], author: User) -> bytes:
    """The account as a Word document (.docx): Word's own Title and Heading 1 to
    3 styles (so its navigation pane lists the notes), each note from a new page."""
    from docx import Document
    from docx.shared import Pt

    document = Document()
    properties = document.core_properties
    properties.title = "Reflective account"
    properties.author = _clean(str(author))
    properties.language = "en-GB"
    properties.comments = f"Made with {settings.SERVICE_NAME}"
    levels = {"title": 0, "heading": 1, "section": 2, "subsection": 3}
    for block in blocks:
        text = _clean(block.text)
        if block.kind in levels:
            paragraph = document.add_heading(text, level=levels[block.kind])
            if block.kind == "heading":
                paragraph.paragraph_format.page_break_before = True
        elif block.kind == "item":
            document.add_paragraph(text, style="List Bullet")
        elif block.kind == "meta":
            run = document.add_paragraph().add_run(text)
            run.font.size = Pt(9)
        else:
            document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render(
    fmt: str, reflections: Sequence[Reflection], author: User, **options: Any
) -> tuple[bytes, str, str]:
    """The account in a format (PDF or DOCX): (bytes, content type, file
    extension). Raises KeyError for an unknown format, ValueError as `account`."""
    _, content_type, extension = FORMATS[fmt]
    maker = portfolio_pdf if fmt == PDF else portfolio_docx
    return maker(reflections, author, **options), content_type, extension
