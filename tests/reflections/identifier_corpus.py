"""Hand-made sentences for the identifier guard (reflections/identifiers.py).

Each Case is a sentence as a practitioner might write it after a network
meeting, and what the guard should find in it: (kind, fragment) pairs. The
network: NAMES are its recorded members (the person at the centre, Robin, among
them; "Mum" and "housing officer" are roles recorded as names; "Chloe" is
recorded without the diaeresis she may be written with), REFERENCE its
reference, and TODAY fixes which dates are recent.

Some sentences are honest misses and near-misses the guard is not built for
(a name misspelt, a phone number written in words): they are marked `known`
and count against recall or precision like any other.
"""

from dataclasses import dataclass, field
from datetime import date

from reflections.identifiers import Kind

NAMES = (
    "Robin",
    "Zoë",
    "Hope",
    "Siobhán",
    "Mary-Jane",
    "Dev",
    "Jo",
    "Mum",
    "housing officer",
    "Mary Ann",
    "Chloe",
)
REFERENCE = "Birch"
TODAY = date(2026, 11, 30)

N, R, NHS, PH, EM, PC, DOB = (
    Kind.NAME,
    Kind.REFERENCE,
    Kind.NHS_NUMBER,
    Kind.PHONE,
    Kind.EMAIL,
    Kind.POSTCODE,
    Kind.DATE_OF_BIRTH,
)


def fw(text: str) -> str:
    """`text` in full-width characters ("943" as "\uff19\uff14\uff13"), as some
    phone keyboards type them."""
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


@dataclass(frozen=True)
class Case:
    text: str
    expected: tuple[tuple[Kind, str], ...] = ()
    # A case the guard is known to get wrong: kept, and counted.
    known: str = field(default="", compare=False)


CASES = [
    # Names recorded in the network ----------------------------------------------
    Case("Robin spoke first and the room went quiet.", ((N, "Robin"),)),
    Case(
        "I noticed that robin's voice dropped when money came up.",
        ((N, "robin"),),
        known="a name that is also a word, written in lower case (WORD_NAMES)",
    ),
    Case("When ROBIN laughed, his brother joined in.", ((N, "ROBIN"),)),
    Case("Zoë asked whether the team would come back next week.", ((N, "Zoë"),)),
    Case("zoe\u0308 sat by the window the whole time.", ((N, "zoe\u0308"),)),
    Case("I could feel how much ZOË wanted to be heard.", ((N, "ZOË"),)),
    Case("Hope talked about the night she left the flat.", ((N, "Hope"),)),
    Case("I hope we can hold the uncertainty a little longer.", ()),
    Case("There was hope in the room by the end.", ()),
    Case("Siobhán\u2019s sister said she was scared.", ((N, "Siobhán"),)),
    Case("siobhan did not come this time.", ((N, "siobhan"),)),
    Case("Siobhan said the mornings were the worst.", ((N, "Siobhan"),)),
    Case("SIOBHAN and Zoe arrived late.", ((N, "SIOBHAN"), (N, "Zoe"))),
    Case("zoe asked for a break halfway through.", ((N, "zoe"),)),
    Case("Chloë spoke about school and the bus.", ((N, "Chloë"),)),
    Case("Chloe's teacher had written to the family.", ((N, "Chloe"),)),
    Case("Zoey from the school came along as well.", ()),
    Case("The zoetrope in the waiting room kept the children busy.", ()),
    Case("Mary-Jane brought tea and stayed for the reflecting conversation.", ((N, "Mary-Jane"),)),
    Case("mary-jane's question about medication stayed with me.", ((N, "mary-jane"),)),
    Case("Mary Jane asked to go first this time.", ((N, "Mary Jane"),)),
    Case("Mary-Ann brought the photographs from the holiday.", ((N, "Mary-Ann"),)),
    Case("I noticed mary ann laughed at that, then went quiet.", ((N, "mary ann"),)),
    Case("Mary Ann\u2019s son said nothing the whole hour.", ((N, "Mary Ann"),)),
    Case("Mary Anne from next door came in at the end.", ()),
    Case("Ann-Marie from the church came with her.", ()),
    Case("Rosemary Ann from the church helped with the children.", ()),
    Case("Dev was quieter than last time.", ((N, "Dev"),)),
    Case("The development of trust took most of the hour.", ()),
    Case("Jo said the phone calls at night were the hardest.", ((N, "Jo"),)),
    Case("I noticed Jo's hands shaking when we spoke about the hospital.", ((N, "Jo"),)),
    Case("We talked about the job centre appointment.", ()),
    Case("Robbin was not in the room.", ((N, "Robbin"),), known="a misspelt name"),
    Case(
        "Robin and Dev disagreed about the move, and both were heard.", ((N, "Robin"), (N, "Dev"))
    ),
    Case("After the meeting Zoë and Hope walked to the bus together.", ((N, "Zoë"), (N, "Hope"))),
    Case("Mum cried when we reflected on the first crisis.", ()),
    Case("My own mum comes to mind when I sit with families like this.", ()),
    Case("The housing officer explained the repairs timeline.", ()),
    Case("I felt moved when Robin thanked his grandmother.", ((N, "Robin"),)),
    Case("It was Robin\u2019s idea to meet in the garden.", ((N, "Robin"),)),
    Case("Devon was where the family used to go on holiday.", ()),
    Case("Joanne from the GP surgery phoned during the meeting.", ()),
    # The network's reference ------------------------------------------------------
    Case("The Birch network asked for fewer professionals in the room.", ((R, "Birch"),)),
    Case("In birch meetings the pace is always slow.", ((R, "birch"),)),
    Case(
        "We met under the birch trees in the park.",
        (),
        known="a reference that is also an everyday word is flagged as the reference",
    ),
    Case("Notes for BIRCH: the family wants a second practitioner.", ((R, "BIRCH"),)),
    Case("The birchwood estate is where the flat is.", ()),
    # NHS numbers, valid (modulus 11) and not ------------------------------------
    Case("His NHS number is 943 476 5919, I wrote it down by mistake.", ((NHS, "943 476 5919"),)),
    Case("The referral letter quoted 9434765919.", ((NHS, "9434765919"),)),
    Case("On the form: 943-476-5919.", ((NHS, "943-476-5919"),)),
    Case("Number 678 698 1984 was on the discharge summary.", ((NHS, "678 698 1984"),)),
    Case("I saw 6346484850 on the letter from the ward.", ((NHS, "6346484850"),)),
    Case("It read 716-073-3134 at the top of the page.", ((NHS, "716-073-3134"),)),
    Case("The reference on the invoice was 623 286 0129.", ()),  # fails the check
    Case("A long number, 7251027346, was on the parking permit.", ()),  # fails the check
    Case("The code 4000000080 came from the benefits office.", ()),  # check digit would be 10
    Case("Ticket 468-695-8969 for the bus pass renewal.", ()),  # fails the check
    Case("The letter had 943.476.5919 in the corner.", ((NHS, "943.476.5919"),)),
    Case("Written as 943 4765919 on the form.", ((NHS, "943 4765919"),)),
    Case("She read out 943  476  5919 slowly.", ((NHS, "943  476  5919"),)),
    Case("It was 943/476/5919 on the old card.", ((NHS, "943/476/5919"),)),
    Case("943 476-5919 was on the discharge note.", ((NHS, "943 476-5919"),)),
    Case("The label said 678 - 698 - 1984 in pen.", ((NHS, "678 - 698 - 1984"),)),
    Case(f"The scan showed {fw('943 476 5919')} at the top.", ((NHS, fw("943 476 5919")),)),
    Case("The invoice said 623.286.0129 at the bottom.", ()),  # fails the check
    Case("Order 943/476/5910 was delayed again.", ()),  # fails the check
    Case("The printer was at 192.168.100.200 on the network.", ()),
    Case("The order number 9434765919123 was on the parcel.", ()),
    Case("We counted 12 345 people at the festival, Robin said.", ((N, "Robin"),)),
    # Phone numbers ------------------------------------------------------------------
    Case("Her mobile is 07700 900123 if the team needs it.", ((PH, "07700 900123"),)),
    Case("He gave me 07700900456 to pass on.", ((PH, "07700900456"),)),
    Case("Call +44 7700 900789 after six.", ((PH, "+44 7700 900789"),)),
    Case("The number was +44 (0)20 7946 0958.", ((PH, "+44 (0)20 7946 0958"),)),
    Case("The crisis line at (0161) 496 0000 was engaged.", ((PH, "(0161) 496 0000"),)),
    Case("Her landline, 020 7946 0123, rang during the meeting.", ((PH, "020 7946 0123"),)),
    Case("The housing office is on 0800-123-4567.", ((PH, "0800-123-4567"),)),
    Case("Text 0044 7700 900321 with updates.", ((PH, "0044 7700 900321"),)),
    Case("01632 960001 is the neighbour's number.", ((PH, "01632 960001"),)),
    Case(
        "Ring oh-seven-seven-double-oh nine-double-oh one-two-three.",
        ((PH, "oh-seven-seven-double-oh nine-double-oh one-two-three"),),
        known="a phone number written in words",
    ),
    Case("Her cousin in Cork is on +353 87 123 4567.", ((PH, "+353 87 123 4567"),)),
    Case("He called from +1 415 555 2671 late last night.", ((PH, "+1 415 555 2671"),)),
    Case("Her sister's number is 00353 87 123 4567.", ((PH, "00353 87 123 4567"),)),
    Case("The card said +1 943 476 5919 under the name.", ((PH, "+1 943 476 5919"),)),
    Case("Ring +33 6 12 34 56 78 to reach the aunt in Lyon.", ((PH, "+33 6 12 34 56 78"),)),
    Case("Text +14155552671 instead of calling.", ((PH, "+14155552671"),)),
    Case(f"Her mobile is {fw('07700 900123')}.", ((PH, fw("07700 900123")),)),
    Case("His mobile, 07700\u00a0900654, is on the fridge.", ((PH, "07700\u00a0900654"),)),
    Case(
        "Her Irish mobile is 087 123 4567.",
        ((PH, "087 123 4567"),),
        known="a foreign number written without its country code",
    ),
    Case("The score went up +12 points over the month.", ()),
    Case("Temperatures were +3 to +5 all week.", ()),
    Case("Flight 0012 leaves at 9 from Belfast.", ()),
    Case("At 10:00 12 people came to the hall.", ()),
    Case("We spoke for 45 minutes and agreed to meet in 2 weeks.", ()),
    Case("Extension 4412 at the GP surgery is the one to ask for.", ()),
    # Email addresses ------------------------------------------------------------------
    Case(
        "She emailed me from robin.smith@example.org afterwards.",
        ((EM, "robin.smith@example.org"),),
    ),
    Case(
        "Send the letter to family.birch@example.co.uk please.",
        ((EM, "family.birch@example.co.uk"),),
    ),
    Case("His address is dev+notes@example.net.", ((EM, "dev+notes@example.net"),)),
    Case("I replied to J.Osei@example.com late at night.", ((EM, "J.Osei@example.com"),)),
    Case(
        "Her email was jo.osei\uff20example.org, typed on her phone.",
        ((EM, "jo.osei\uff20example.org"),),
    ),
    Case(f"Write to {fw('jay@example.com')} please.", ((EM, fw("jay@example.com")),)),
    # No dot in the domain: left alone (the module docstring).
    Case("The test account jay@localhost was only ever a test.", ()),
    Case("See you @ the café, she wrote.", ()),
    Case("The word @home was on her T-shirt.", ()),
    Case("We used the shared inbox, not personal email, to arrange it.", ()),
    # Postcodes -------------------------------------------------------------------------
    Case("The flat is at SW1A 1AA, near the station.", ((PC, "SW1A 1AA"),)),
    Case("They moved to M1 1AE last spring.", ((PC, "M1 1AE"),)),
    Case("Her mum lives in b33 8th now.", ((PC, "b33 8th"),)),
    Case("Post it to CR2 6XH.", ((PC, "CR2 6XH"),)),
    Case("The surgery at DN551PT closed.", ((PC, "DN551PT"),)),
    Case("We met at EC1A 1BB in the café.", ((PC, "EC1A 1BB"),)),
    Case("We met at 4pm on the A1 side of town.", ()),
    Case("The M25 was closed so two of us were late.", ()),
    Case("She is on ward B2 for now.", ()),
    # Dates of birth ------------------------------------------------------------------
    Case("Her date of birth is 12/03/1985.", ((DOB, "12/03/1985"),)),
    Case("Born 3 March 1990, he said, as if it mattered.", ((DOB, "3 March 1990"),)),
    Case("DOB 12.03.85 was on the top of the form.", ((DOB, "12.03.85"),)),
    Case("He was born on 3 March and always celebrates with his nan.", ((DOB, "3 March"),)),
    Case("Her birthday is on the 14th of February.", ((DOB, "14th of February"),)),
    Case("It says 1985-03-12 on the letter.", ((DOB, "1985-03-12"),)),
    Case("March 3rd, 1985 is the date she gave the ward.", ((DOB, "March 3rd, 1985"),)),
    Case("Her son was born 2 June 2019.", ((DOB, "2 June 2019"),)),
    Case("The letter gave 7/11/1962, which shocked me.", ((DOB, "7/11/1962"),)),
    Case(
        "Their wedding was on 20 August 1994.",
        (),
        known="any full date ten or more years ago is flagged as a possible birth",
    ),
    Case("He was born March 1990, the youngest of four.", ((DOB, "March 1990"),)),
    Case("She was born in 1990 in a hospital that has since closed.", ((DOB, "1990"),)),
    Case("DOB 1990 is all the form said.", ((DOB, "1990"),)),
    Case("Her birthday in May is always hard for the family.", ((DOB, "May"),)),
    Case("Born in the spring of 1988, he is the eldest.", ((DOB, "1988"),)),
    Case("Date of birth: 03/1979 on the old file.", ((DOB, "03/1979"),)),
    Case("She was born in Leeds in 1990.", ((DOB, "1990"),)),
    Case("He was born Sept. 1985 in Cork.", ((DOB, "Sept. 1985"),)),
    Case("Her birthday is in June, the week of the exams.", ((DOB, "June"),)),
    Case("In 1990 the service opened its doors.", ()),
    Case("He was born in Glasgow and moved to Leeds in 2001.", ()),
    Case("Her birthday party in 2019 was the last time they all met.", ()),
    Case("She was born in spring; in 1990 the family moved.", ()),
    Case("The baby born last week may need extra care.", ()),
    Case("We met in May and again in June.", ()),
    Case("He said he was born about 40 years ago.", ()),
    Case(
        "She was born in Glasgow but moved in 2001.",
        (),
        known="a year soon after a birth word is read as the birth year",
    ),
    Case("We first met on 3 March 2025 at the family home.", ()),
    Case("The next meeting is on 12/12/2026.", ()),
    Case("The review is on 3.12.26 at the clinic.", ()),
    Case("We met on 3 March, a week after the crisis.", ()),
    Case("In 1985 the family moved from Glasgow.", ()),
    Case("Since March 2020 she has not left the house much.", ()),
    Case("The first crisis was in the winter of 2019.", ()),
    # Ordinary reflective sentences: nothing to find ------------------------------------
    Case("We met at 10:30 for 90 minutes.", ()),
    Case("There were 6 people in the room and 2 practitioners.", ()),
    Case("The reflecting conversation lasted about 15 minutes.", ()),
    Case("I noticed the silence after the question about the future.", ()),
    Case("Her father spoke about his own time in hospital.", ()),
    Case("I felt the pull to fix things and stayed with not knowing.", ()),
    Case("I shared a little of my own experience of voices.", ()),
    Case("It cost me more than I expected; I was tired for two days.", ()),
    Case("The colleague seemed uncomfortable when I disclosed.", ()),
    Case("We will grace the next meeting with more patience.", ()),
    Case("I will bring this to supervision on Thursday.", ()),
    Case("May I say that this was one of the hardest meetings?", ()),
    Case("The neighbour said the family had been through a lot since 2018.", ()),
    Case("Three generations were present, from 9 to 87 years old.", ()),
    Case("The meeting was in room 3B at the community centre.", ()),
    Case("It took 1 hour 20 minutes to get there by bus.", ()),
    Case("Score 3 out of 4 for how present attunement was.", ()),
    Case("We booked 2 more meetings, on 10 and 17 December.", ()),
    Case("The rent is £450 a month and the arrears are £1,200.", ()),
    Case("I noticed how often the word 'should' came up.", ()),
    Case("Everyone spoke at least once, which felt like progress.", ()),
    Case("The interpreter helped the grandmother join in.", ()),
    Case("The GP letter used a diagnosis I chose not to repeat here.", ()),
    Case("We left at 12.15 and I wrote this at 1pm.", ()),
    Case("We have met 14 times since the network opened.", ()),
    Case("The 24/7 crisis line was mentioned as a backstop.", ()),
    Case("There were 3/4 of the family present this time.", ()),
    Case("She counted 1 2 3 4 5 to calm her breathing.", ()),
    Case("Version 2.3.1 of the care plan was discussed.", ()),
    Case("I felt warmth, then doubt, then warmth again.", ()),
    Case("The team met on Monday 3rd and again on the 10th.", ()),
    Case("Our peer group meets every 2nd Tuesday at 9am.", ()),
    Case("The bus number 38 goes past the house.", ()),
    Case("In 2 years the network has changed a great deal.", ()),
    Case("I wondered if my own story took up too much space.", ()),
]
