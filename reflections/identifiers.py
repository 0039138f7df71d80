"""The identifier guard: text in a note that could identify someone in the network.

Before a note is shared, and before the author downloads their notes, the app
points out what could identify the person at the centre or the people around
them, so the author can edit it out or go ahead knowingly. A pure module: text
and the network's recorded names and reference in, findings (kind and offsets)
out. Nothing here logs, and a Finding's repr leaves its fragment out, so a
finding that reaches a log line or a traceback carries no note text.

What counts (each a `Kind`):

- NAME: a name recorded in the network (NetworkMember.name, the person at the
  centre included): whole words, any case, Unicode-aware (both sides NFC and
  casefolded, so "ZOË", "zoë" and "Zoe\u0308" are one name; a curly apostrophe
  and a straight one are one), a multi-word name across any whitespace. Names
  shorter than 2 characters are skipped, and so are roles recorded as names
  ("Mum", "housing officer": every word in ROLE_WORDS). Decision for names that
  are also everyday words ("Hope", "Will", "Grace", WORD_NAMES): they match
  only where the text writes them with a capital, so "I hope we meet again"
  passes and "Hope spoke first" is flagged (at the start of a sentence the
  ordinary word is flagged too: warning once too often is the cheaper mistake).
- REFERENCE: the network's pseudonymous reference, matched like a name.
- NHS_NUMBER: 10 digits, written together or as 3-3-4 with spaces or hyphens
  (one separator throughout), that pass the modulus 11 check
  (`nhs_number_is_valid`). Ten digits that fail it are not flagged: they are
  not an NHS number.
- PHONE: a UK number: trunk 0 or +44 / 0044 (with an optional "(0)"), then ten
  digits in the usual groupings, with spaces, hyphens or brackets ("07700 900123",
  "+44 (0)20 7946 0958", "(0161) 496 0000", "0800-123-4567").
- EMAIL: something@domain.tld.
- POSTCODE: a UK postcode by the official pattern (outward code, optional space,
  inward code), in any case ("SW1A 1AA", "m1 1ae"). The inward letters never
  include M, so "4pm" cannot end one.
- DATE_OF_BIRTH: a full date (day, month and year: "12/03/1985", "12.03.85",
  "1985-03-12", "3 March 1985", "March 3rd, 1985") whose year is at least
  DOB_MIN_AGE_YEARS before `today` (a recent date is a meeting's, not a birth);
  and any date, with or without a year, soon after a word about birth ("born",
  "birthday", "DOB", "date of birth") in the same sentence. Two-digit years
  are read as the most recent such year ("85" is 1985, "24" is 2024). "On 3
  March", "in 1985", "10:30" and "90 minutes" are not dates of birth.

Where two findings overlap (a name inside an email address), the longer one is
kept, so each fragment is reported once. Offsets are into the NFC form of the
text (what browsers send; `fragment` is that text's slice).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Kind(StrEnum):
    NAME = "name"
    REFERENCE = "reference"
    NHS_NUMBER = "nhs_number"
    PHONE = "phone"
    EMAIL = "email"
    POSTCODE = "postcode"
    DATE_OF_BIRTH = "date_of_birth"

    @property
    def label(self) -> str:
        """What it is, for the author: "a name recorded in this network"."""
        return KIND_LABELS[self]


KIND_LABELS = {
    Kind.NAME: "a name recorded in this network",
    Kind.REFERENCE: "the network's reference",
    Kind.NHS_NUMBER: "an NHS number",
    Kind.PHONE: "a phone number",
    Kind.EMAIL: "an email address",
    Kind.POSTCODE: "a postcode",
    Kind.DATE_OF_BIRTH: "a date that may be a date of birth",
}

# Names that are also everyday English words: matched only when capitalised.
_WORD_NAMES = """
april august autumn bill bob buck carol chance chase crystal dawn dean
destiny faith fern frank grace heath heather holly honey hope iris ivy jack
jade jay joy june justice king lily mark marsh may melody miles misty
patience pearl penny pat rich robin rose ruby rusty sage scott sky skye star
storm summer sunny terry violet will willow windy winter
"""
WORD_NAMES = frozenset(_WORD_NAMES.split())

# Members recorded by role rather than name ("Mum", "housing officer"): a name
# made only of these words names nobody, so it is not looked for.
_ROLE_WORDS = """
mum mom mother mam dad father parent nan nana nanna gran granny grandma
grandmother grandad granddad grandpa grandfather grandparent brother sister
sibling son daughter child partner husband wife aunt auntie uncle cousin
niece nephew stepmum stepdad stepmother stepfather friend neighbour carer
colleague advocate interpreter housing officer key worker support social
care coordinator gp doctor nurse teacher tutor boss manager landlord the my
her his their
"""
ROLE_WORDS = frozenset(_ROLE_WORDS.split())

NAME_MIN_LENGTH = 2
# A full date with a year at least this many years before today may be a birth.
DOB_MIN_AGE_YEARS = 10
# How far before a date a word about birth still makes it a date of birth.
BIRTH_CUE_REACH = 40


@dataclass(frozen=True)
class Finding:
    """One stretch of text that could identify someone: `text[start:end]` (NFC)."""

    kind: Kind
    start: int
    end: int
    # The matched text, for the author's own page only; never in a repr or a log.
    fragment: str = field(repr=False, compare=False, default="")

    @property
    def kind_label(self) -> str:
        return self.kind.label


@dataclass(frozen=True)
class FieldFindings:
    """The findings in one part of a note, with the part's label as the author
    sees it ("What happened between us")."""

    label: str
    findings: tuple[Finding, ...]


def count_by_kind(groups: Iterable[FieldFindings]) -> dict[str, int]:
    """How many findings of each kind: {"name": 2, "nhs_number": 1}. No text."""
    counts = Counter(finding.kind.value for group in groups for finding in group.findings)
    return dict(sorted(counts.items()))


def check_fields(
    fields: Iterable[tuple[str, str]],
    *,
    names: Iterable[str] = (),
    references: Iterable[str] = (),
    today: date | None = None,
) -> list[FieldFindings]:
    """`find_identifiers` over (label, text) pairs: one FieldFindings per part
    with findings, in the order given; an empty list when nothing was found."""
    names, references = list(names), list(references)
    groups = []
    for label, text in fields:
        found = find_identifiers(text or "", names=names, references=references, today=today)
        if found:
            groups.append(FieldFindings(label, tuple(found)))
    return groups


def find_identifiers(
    text: str,
    *,
    names: Iterable[str] = (),
    references: Iterable[str] = (),
    today: date | None = None,
) -> list[Finding]:
    """Everything in `text` that could identify someone, in order of position.

    `names` are the network's recorded names, `references` its reference(s);
    `today` (default: the date today) decides which dates are too recent to be
    a birth. Never raises on any text; returns [] for empty text.
    """
    if not text:
        return []
    text = unicodedata.normalize("NFC", text)
    today = today or date.today()
    candidates: list[Finding] = []
    folded = _Folded(text)
    for name in names:
        candidates += folded.find_words(name, Kind.NAME)
    for reference in references:
        candidates += folded.find_words(reference, Kind.REFERENCE, capitalised_only=False)
    candidates += _emails(text)
    candidates += _nhs_numbers(text)
    candidates += _phones(text)
    candidates += _postcodes(text)
    candidates += _dates_of_birth(text, today)
    return _without_overlaps(candidates)


def nhs_number_is_valid(digits: str) -> bool:
    """The NHS number's modulus 11 check, on exactly ten digits.

    Multiply the first nine digits by 10, 9, ..., 2 and add them up; the check
    digit is 11 minus the remainder of that sum divided by 11, where 11 counts
    as 0 and 10 means no valid NHS number has these nine digits. Valid when
    the tenth digit is the check digit. "943 476 5919" is valid.
    """
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    total = sum(
        int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True)
    )
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10:
        return False
    return check == int(digits[9])


# Names and references ---------------------------------------------------------

APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def _fold(value: str) -> str:
    return unicodedata.normalize("NFC", value).translate(APOSTROPHES).casefold()


class _Folded:
    """The text casefolded character by character, with a map back to the
    original offsets (casefolding can change the length: "ß" is "ss")."""

    def __init__(self, text: str) -> None:
        self.text = text
        parts, origin = [], []
        for index, char in enumerate(text):
            folded = _fold(char)
            parts.append(folded)
            origin.extend([index] * len(folded))
        self.folded = "".join(parts)
        self.origin = origin

    def find_words(self, name: str, kind: Kind, *, capitalised_only: bool | None = None) -> list:
        words = _fold(name).split()
        if len("".join(words)) < NAME_MIN_LENGTH:
            return []
        if kind == Kind.NAME and all(word in ROLE_WORDS for word in words):
            return []
        if capitalised_only is None:
            capitalised_only = len(words) == 1 and words[0] in WORD_NAMES
        pattern = r"(?<!\w)" + r"\s+".join(re.escape(word) for word in words) + r"(?!\w)"
        found = []
        for match in re.finditer(pattern, self.folded):
            start = self.origin[match.start()]
            end = self.origin[match.end() - 1] + 1
            if capitalised_only and not self.text[start].isupper():
                continue
            found.append(Finding(kind, start, end, self.text[start:end]))
        return found


# Patterns ----------------------------------------------------------------------

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)

# Ten digits, together or 3-3-4 with one kind of separator throughout.
NHS_NUMBER = re.compile(r"(?<![\d+])\d{3}([ -]?)\d{3}\1\d{4}(?![\d]|[ -]\d)")

PHONE = re.compile(
    r"""
    (?<![\w+])
    (?:
        (?:\+44|0044)[ ]?(?:\(0\)[ ]?)?     # international, perhaps with (0)
        | \(?0                                # or the trunk 0, perhaps bracketed
    )
    \d{1,4}\)?                                # area or mobile prefix
    (?:[ -]?\d{2,4}){1,3}                     # the rest, in groups
    (?![\w]|[ -]?\d)
    """,
    re.VERBOSE,
)

# The UK Government Data Standards postcode pattern, outward then inward code.
POSTCODE = re.compile(
    r"""
    (?<![\w])
    (?:
        GIR[ ]?0AA
        | [A-PR-UWYZ](?:\d[A-HJKPSTUW]?|\d\d|[A-HK-Y]\d[ABEHMNPRV-Y]?|[A-HK-Y]\d\d)
          [ ]?\d[ABD-HJLNP-UW-Z]{2}
    )
    (?!\w)
    """,
    re.VERBOSE | re.IGNORECASE,
)

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
# A full month name, or an abbreviation with or without its full stop.
MONTH = (
    r"(?P<month_name>"
    + "|".join(
        name if len(name) > 4 or name in ("may", "june", "july") else rf"{name}\.?"
        for name in sorted(MONTHS, key=len, reverse=True)
    )
    + ")"
)
ORDINAL = r"(?:st|nd|rd|th)?"
YEAR = r"(?P<year>\d{4}|'?\d{2})"

DATE_PATTERNS = [
    # 12/03/1985, 12.03.85, 12-3-1985 (day first, as in the UK)
    re.compile(
        r"(?<![\d/.-])(?P<day>\d{1,2})(?P<sep>[/.-])(?P<month>\d{1,2})(?P=sep)"
        r"(?P<year>\d{4}|\d{2})(?![\d/-]|\.\d)"
    ),
    # 1985-03-12
    re.compile(r"(?<![\d-])(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?![\d-])"),
    # 3 March 1985, 3rd of March, 85 (the year optional: then only after a birth word)
    re.compile(
        rf"(?<![\w])(?P<day>\d{{1,2}}){ORDINAL}\s+(?:of\s+)?{MONTH}(?:,?\s+{YEAR})?(?![\w])",
        re.IGNORECASE,
    ),
    # March 3rd, 1985; March 3 (the year optional, as above)
    re.compile(
        rf"(?<![\w]){MONTH}\s+(?P<day>\d{{1,2}}){ORDINAL}(?:,?\s+{YEAR})?(?![\w:])",
        re.IGNORECASE,
    ),
]
# A birth word makes a date a birth's only within its own sentence.
SENTENCE_END = re.compile(r"[.;!?\n]\s")
BIRTH_CUE = re.compile(
    r"(?<!\w)(?:born|birthday|birth\s+date|date\s+of\s+birth|d\.?o\.?b\.?)(?!\w)", re.IGNORECASE
)


def _emails(text: str) -> list[Finding]:
    return [Finding(Kind.EMAIL, m.start(), m.end(), m.group()) for m in EMAIL.finditer(text)]


def _nhs_numbers(text: str) -> list[Finding]:
    found = []
    for match in NHS_NUMBER.finditer(text):
        if nhs_number_is_valid(re.sub(r"\D", "", match.group())):
            found.append(Finding(Kind.NHS_NUMBER, match.start(), match.end(), match.group()))
    return found


def _phones(text: str) -> list[Finding]:
    found = []
    for match in PHONE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if digits.startswith("0044"):
            digits = digits[4:]
        elif digits.startswith("44") and match.group().startswith("+"):
            digits = digits[2:]
        # What is left after the country code: perhaps the (0), then ten digits
        # starting 1, 2, 3, 5, 7, 8 or 9 (UK numbers in use).
        national = digits[1:] if digits.startswith("0") else digits
        if len(national) == 10 and national[0] in "1235789":
            found.append(Finding(Kind.PHONE, match.start(), match.end(), match.group()))
    return found


def _postcodes(text: str) -> list[Finding]:
    return [Finding(Kind.POSTCODE, m.start(), m.end(), m.group()) for m in POSTCODE.finditer(text)]


def _dates_of_birth(text: str, today: date) -> list[Finding]:
    cues = [match.end() for match in BIRTH_CUE.finditer(text)]
    found = []
    for pattern in DATE_PATTERNS:
        for match in pattern.finditer(text):
            parts = match.groupdict()
            year = _year(parts.get("year"), today)
            month = (
                MONTHS[parts["month_name"].lower().rstrip(".")]
                if parts.get("month_name")
                else int(parts["month"])
            )
            if not _is_date(year or 2000, month, int(parts["day"])):
                continue
            after_cue = any(
                0 <= match.start() - cue <= BIRTH_CUE_REACH
                and not SENTENCE_END.search(text, cue, match.start())
                for cue in cues
            )
            long_ago = year is not None and year <= today.year - DOB_MIN_AGE_YEARS
            if after_cue or long_ago:
                found.append(Finding(Kind.DATE_OF_BIRTH, match.start(), match.end(), match.group()))
    return found


def _year(written: str | None, today: date) -> int | None:
    if not written:
        return None
    written = written.lstrip("'")
    year = int(written)
    if len(written) == 2:
        century = today.year // 100 * 100
        year = century + year if century + year <= today.year else century - 100 + year
    return year


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _without_overlaps(candidates: list[Finding]) -> list[Finding]:
    """Each stretch of text once: of overlapping findings the longest stays
    (then the earliest, then the first kind found)."""
    kept: list[Finding] = []
    order = sorted(
        enumerate(candidates), key=lambda item: (-(item[1].end - item[1].start), item[1].start)
    )
    for _, finding in order:
        if all(finding.end <= other.start or finding.start >= other.end for other in kept):
            kept.append(finding)
    return sorted(kept, key=lambda finding: finding.start)
