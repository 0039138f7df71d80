"""The identifier guard: text in a note that could identify someone in the network.

Before a note is shared, and before the author downloads their notes, the app
points out what could identify the person at the centre or the people around
them, so the author can edit it out or go ahead knowingly. A pure module: text
and the network's recorded names and reference in, findings (kind and offsets)
out. Nothing here logs, and a Finding's repr leaves its fragment out, so a
finding that reaches a log line or a traceback carries no note text.

What counts (each a `Kind`):

- NAME: a name recorded in the network (NetworkMember.name, the person at the
  centre included): whole words, any case, Unicode-aware. Both sides are
  folded the same way: casefolded, then NFKD with the combining marks dropped,
  so accents and diaeresis count for nothing ("Siobhán", "SIOBHAN" and
  "siobhan" are one name, and so are "Zoë", "ZOE" and "Zoe\u0308"; a name
  recorded without its accent is found with it); a curly apostrophe and a
  straight one are one. Letters with no decomposition stay themselves ("ø" is
  not "o", "ł" not "l"). A multi-word name is found across any whitespace or a
  hyphen between its words, either way round: "Mary Ann" recorded finds
  "Mary-Ann" and "MARY - ANN", "Mary-Jane" recorded finds "Mary Jane"; but
  never inside a longer word ("Mary Anne", "Rosemary Ann"). Names shorter than
  2 characters are skipped, and so are roles recorded as names ("Mum",
  "housing officer": every word in ROLE_WORDS). Decision for names that are
  also everyday words ("Hope", "Will", "Grace", WORD_NAMES): they match only
  where the text writes them with a capital, so "I hope we meet again" passes
  and "Hope spoke first" is flagged (at the start of a sentence the ordinary
  word is flagged too: warning once too often is the cheaper mistake).
- REFERENCE: the network's pseudonymous reference, matched like a name.
- NHS_NUMBER: 10 digits that pass the modulus 11 check (`nhs_number_is_valid`),
  written together or as 3-3-4 groups with up to three spaces, dots, hyphens
  or slashes between groups, in any mix ("9434765919", "943 476 5919",
  "943.476.5919", "943 4765919", "943  476-5919", "943/476/5919"), and in
  full-width digits (below). Ten digits that fail the check are not flagged:
  they are not an NHS number. Digits straight before or after (a longer
  number, "12 943 476 5919") mean it is not one either.
- PHONE: a UK number: trunk 0 or +44 / 0044 (with an optional "(0)"), then ten
  digits in the usual groupings, with spaces, hyphens or brackets ("07700 900123",
  "+44 (0)20 7946 0958", "(0161) 496 0000", "0800-123-4567"); or any country's
  number written internationally: "+" or "00", a country code, then 7 to 14
  more digits in groups ("+353 87 123 4567", "+1 415 555 2671", "0033 6 12 34
  56 78"). A number written with "+" or "00" in front is a phone number even
  when its last ten digits pass as an NHS number ("+1 415 555 2671" does). A
  foreign number written without its country code ("087 123 4567" in Ireland)
  is not recognised.
- EMAIL: something@domain.tld. A domain without a dot ("jay@localhost") is
  deliberately left alone: it reaches no one outside one machine, and "@" is
  common in ordinary writing ("@home").
- POSTCODE: a UK postcode by the official pattern (outward code, optional space,
  inward code), in any case ("SW1A 1AA", "m1 1ae"). The inward letters never
  include M, so "4pm" cannot end one.
- DATE_OF_BIRTH: a full date (day, month and year: "12/03/1985", "12.03.85",
  "1985-03-12", "3 March 1985", "March 3rd, 1985") whose year is at least
  DOB_MIN_AGE_YEARS before `today` (a recent date is a meeting's, not a birth);
  and any date, with or without a year, soon after a word about birth ("born",
  "birthday", "DOB", "date of birth") in the same sentence. Part of a date is
  flagged too when it comes soon after a birth word (within
  PARTIAL_DATE_REACH characters, in the same sentence, with no other number
  between): a month and year ("born March 1990", "DOB 03/1979"), a year alone
  from 1900 to this year ("born in 1990", "DOB 1990"; not after "birthday",
  which comes every year: "her birthday party in 2019"), or a full month name
  alone ("birthday in May"; "May" and "March" only with a capital). Two-digit
  years are read as the most recent such year ("85" is 1985, "24" is 2024).
  "On 3 March", "in 1985" with no birth word before it, "10:30" and "90
  minutes" are not dates of birth; "born in Glasgow but moved in 2001" is
  (wrongly) read as a birth year.

Numbers, emails, postcodes and dates are looked for in the text after NFKC
normalisation, so full-width characters ("\uff19\uff14\uff13", "\uff20") and
no-break or ideographic spaces count as their plain forms; offsets still point
into the text as given (below).

Where two findings overlap (a name inside an email address), the longer one is
kept, so each fragment is reported once. Offsets are into the NFC form of the
text (what browsers send; `fragment` is that text's slice): the normalised and
folded forms searched are mapped back character by character.

It runs on every share, export and save of a shared note, so it is kept fast:
a 20,000-character note checked against 30 names takes around 10 ms (each
name's search skips straight to its first letter; overlaps are resolved in
n log n).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache


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
# How far before part of a date ("March 1990", "1990", "May") a word about
# birth must be: closer, as a year alone is a weaker sign.
PARTIAL_DATE_REACH = 25
MIN_BIRTH_YEAR = 1900


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
    folded = _View(text, _fold_char)
    for name in names:
        candidates += _find_words(folded, name, Kind.NAME)
    for reference in references:
        candidates += _find_words(folded, reference, Kind.REFERENCE, capitalised_only=False)
    # The patterns read the text NFKC-normalised ("\uff19" is "9", "\uff20" is
    # "@", a no-break space a space), then report offsets into `text`.
    compatible = _View(text, _compatible_char)
    phones = _phones(compatible.text)
    international = [span for span in phones if compatible.text.startswith(("+", "00"), span[0])]
    spans = (
        [(Kind.EMAIL, *span) for span in _emails(compatible.text)]
        # A number written with "+" or "00" in front is a phone number, even
        # when its last ten digits would pass as an NHS number.
        + [
            (Kind.NHS_NUMBER, *span)
            for span in _nhs_numbers(compatible.text)
            if not any(_overlap(span, phone) for phone in international)
        ]
        + [(Kind.PHONE, *span) for span in phones]
        + [(Kind.POSTCODE, *span) for span in _postcodes(compatible.text)]
        + [(Kind.DATE_OF_BIRTH, *span) for span in _dates_of_birth(compatible.text, today)]
    )
    for kind, start, end in spans:
        start, end = compatible.span(start, end)
        candidates.append(Finding(kind, start, end, text[start:end]))
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
# Between the words of a name, a hyphen and whitespace are one: "Mary Ann" is
# "Mary-Ann", and "Mary-Jane" is "Mary Jane".
NAME_WORD_BREAK = re.compile(r"[\s\-\u2010-\u2013]+")
NAME_WORD_JOIN = r"(?:\s*[\-\u2010-\u2013]\s*|\s+)"


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """One character as names are compared: casefolded, then NFKD with the
    combining marks dropped ("\u00e1" is "a", "\u00df" is "ss", "\uff32" is "r")."""
    decomposed = unicodedata.normalize("NFKD", char.translate(APOSTROPHES).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _fold(value: str) -> str:
    return "".join(_fold_char(char) for char in unicodedata.normalize("NFC", value))


@lru_cache(maxsize=4096)
def _compatible_char(char: str) -> str:
    return unicodedata.normalize("NFKC", char)


class _View:
    """`text` transformed character by character, with a map from offsets in
    the transformed text back to offsets in `text` (a transform may change the
    length: casefolded, "\u00df" is "ss"; a combining mark folds to nothing)."""

    def __init__(self, text: str, transform) -> None:
        self.original = text
        table = {}
        for char in set(text):
            changed = transform(char)
            if changed != char:
                table[ord(char)] = changed
        self.text = text.translate(table) if table else text
        # Most text keeps its length (ASCII always does): offsets are the same.
        self.origin: list[int] | None = None
        self.vanishing = frozenset(chr(key) for key, value in table.items() if not value)
        if any(len(value) != 1 for value in table.values()):
            origin: list[int] = []
            for index, char in enumerate(text):
                origin.extend([index] * len(table.get(ord(char), char)))
            self.origin = origin

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The stretch of `text` that `self.text[start:end]` came from (not empty)."""
        if self.origin is None:
            return start, end
        start, end = self.origin[start], self.origin[end - 1] + 1
        # A combining mark that folded to nothing belongs to the letter before it.
        while end < len(self.original) and self.original[end] in self.vanishing:
            end += 1
        return start, end


def _find_words(
    view: _View, name: str, kind: Kind, *, capitalised_only: bool | None = None
) -> list[Finding]:
    words = [word for word in NAME_WORD_BREAK.split(_fold(name)) if word]
    if len("".join(words)) < NAME_MIN_LENGTH:
        return []
    if kind == Kind.NAME and all(word in ROLE_WORDS for word in words):
        return []
    if capitalised_only is None:
        capitalised_only = len(words) == 1 and words[0] in WORD_NAMES
    joined = NAME_WORD_JOIN.join(re.escape(word) for word in words)
    # "(?<!\w)" placed after the first letter rather than before it, so the
    # search can skip ahead to that letter (the same test, many times faster).
    pattern = re.escape(words[0][0]) + r"(?<!\w(?s:.))" + joined[len(re.escape(words[0][0])) :]
    pattern += r"(?!\w)"
    text = view.original
    found = []
    for match in re.finditer(pattern, view.text):
        start, end = view.span(match.start(), match.end())
        if capitalised_only and not text[start].isupper():
            continue
        found.append(Finding(kind, start, end, text[start:end]))
    return found


# Patterns ----------------------------------------------------------------------

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)

# Between the 3-3-4 groups of an NHS number: up to three spaces, dots, hyphens
# or slashes, in any mix ("943 476 5919", "943.476.5919", "943  476-5919").
NHS_SEPARATOR = r"[ \t./\-\u2010-\u2015]"
NHS_NUMBER = re.compile(
    rf"""
    (?<![0-9+])(?<![0-9]{NHS_SEPARATOR})     # not the tail of a longer number
    [0-9]{{3}}{NHS_SEPARATOR}{{0,3}}[0-9]{{3}}{NHS_SEPARATOR}{{0,3}}[0-9]{{4}}
    (?![0-9]|{NHS_SEPARATOR}[0-9])           # nor its head
    """,
    re.VERBOSE,
)

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

# Any country's number: "+" or "00", the country code, then the rest in groups
# ("+353 87 123 4567", "+1 (415) 555-2671", "0033 6 12 34 56 78").
INTERNATIONAL_PHONE = re.compile(
    r"""
    (?<![\w+])
    (?:\+|00)[ ]?[1-9][0-9]{0,2}             # "+" or "00", then the country code
    (?:[ .\-]?(?:\(0\)|\([0-9]{1,5}\)|[0-9]{1,5}))+
    (?![\w]|[ .\-]?[0-9])
    """,
    re.VERBOSE,
)
# Digits after the "+" or "00": a country code of 1 to 3, then 7 to 14 more.
INTERNATIONAL_DIGITS = range(8, 18)

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
    r"(?<!\w)(?:born|(?P<birthday>birthday)|birth\s+date|date\s+of\s+birth|d\.?o\.?b\.?)(?!\w)",
    re.IGNORECASE,
)
# Part of a date, a date of birth only right after a birth word: "March 1990",
# "03/1990", "1990" or "May".
PARTIAL_DATE = re.compile(
    rf"""
    (?<![\w£$€])
    (?:
        {MONTH}(?:,?\s+(?:of\s+)?(?P<year>[0-9]{{4}}|'[0-9]{{2}}))?
        | (?P<month>[0-9]{{1,2}})[/.-](?P<month_year>[0-9]{{4}})
        | (?P<lone_year>[0-9]{{4}})
    )
    (?![\w]|[/.,-][0-9])
    """,
    re.IGNORECASE | re.VERBOSE,
)
FULL_MONTHS = frozenset(name for name in MONTHS if len(name) > 4 or name in ("may", "june", "july"))
# Month names that are also everyday words: alone, only with a capital.
WORD_MONTHS = frozenset({"may", "march"})


def _emails(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in EMAIL.finditer(text)]


def _nhs_numbers(text: str) -> list[tuple[int, int]]:
    return [
        match.span()
        for match in NHS_NUMBER.finditer(text)
        if nhs_number_is_valid(re.sub(r"[^0-9]", "", match.group()))
    ]


def _phones(text: str) -> list[tuple[int, int]]:
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
            found.append(match.span())
    for match in INTERNATIONAL_PHONE.finditer(text):
        digits = re.sub(r"[^0-9]", "", match.group().replace("(0)", ""))
        if match.group().startswith("00"):
            digits = digits[2:]
        if len(digits) in INTERNATIONAL_DIGITS:
            found.append(match.span())
    return found


def _postcodes(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in POSTCODE.finditer(text)]


def _dates_of_birth(text: str, today: date) -> list[tuple[int, int]]:
    cues = list(BIRTH_CUE.finditer(text))
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
                0 <= match.start() - cue.end() <= BIRTH_CUE_REACH
                and not SENTENCE_END.search(text, cue.end(), match.start())
                for cue in cues
            )
            long_ago = year is not None and year <= today.year - DOB_MIN_AGE_YEARS
            if after_cue or long_ago:
                found.append(match.span())
    for cue in cues:
        span = _partial_date_after(text, cue, today)
        if span:
            found.append(span)
    return found


def _partial_date_after(text: str, cue: re.Match, today: date) -> tuple[int, int] | None:
    """The month and year, the year or the month soon after a birth word ("born
    in March 1990", "DOB 1990", "birthday in May"): the first thing after it
    that looks like one, with no other number and no sentence end between."""
    match = PARTIAL_DATE.search(text, cue.end(), cue.end() + PARTIAL_DATE_REACH + 20)
    if not match or match.start() - cue.end() > PARTIAL_DATE_REACH:
        return None
    # Searched within a window: the match must be the same in the whole text.
    if (whole := PARTIAL_DATE.match(text, match.start())) is None or whole.end() != match.end():
        return None
    if any(char.isdigit() for char in text[cue.end() : match.start()]):
        return None
    if SENTENCE_END.search(text, cue.end(), match.start()):
        return None
    parts = match.groupdict()
    if parts["lone_year"]:
        # A birthday comes every year: "her birthday in 2019" is not a birth.
        year, plausible = int(parts["lone_year"]), not cue.group("birthday")
    elif parts["month_year"]:
        year, plausible = int(parts["month_year"]), 1 <= int(parts["month"]) <= 12
    elif parts["year"]:
        year, plausible = _year(parts["year"], today), True
    else:
        # A month alone: its full name, and "May" and "March" with a capital.
        name = parts["month_name"]
        year = today.year
        plausible = name.lower() in FULL_MONTHS
        if name.lower() in WORD_MONTHS:
            plausible = name[0].isupper()
    if not plausible or year is None or not MIN_BIRTH_YEAR <= year <= today.year:
        return None
    return match.span()


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


def _overlap(one: tuple[int, int], other: tuple[int, int]) -> bool:
    return one[0] < other[1] and other[0] < one[1]


def _without_overlaps(candidates: list[Finding]) -> list[Finding]:
    """Each stretch of text once: of overlapping findings the longest stays
    (then the earliest, then the first kind found)."""
    # The kept findings never overlap, so sorted by start they are sorted by
    # end too: one look either side of where a finding would go is enough.
    starts: list[int] = []
    kept: list[Finding] = []
    order = sorted(
        enumerate(candidates), key=lambda item: (-(item[1].end - item[1].start), item[1].start)
    )
    for _, finding in order:
        at = bisect_left(starts, finding.end)
        if at and kept[at - 1].end > finding.start:
            continue
        starts.insert(at, finding.start)
        kept.insert(at, finding)
    return kept
