"""Seed the two frameworks of practice principles and their reflective prompts.

1. The four peer practice principles of Hendy, Tew and Carr (2023),
   doi:10.3389/fpsyg.2023.1176839 (CC BY 4.0).
2. The seven Open Dialogue treatment principles of Seikkula, Arnkil and
   Eriksson (2003), doi:10.1111/j.1545-5300.2003.42201.x.

The summaries and prompts are written in this project's own words; the sources
are cited on each framework rather than quoted.

Running the migration again is safe: frameworks and principles are updated in
place (keyed on slug, and on framework + slug), and each seeded principle's
prompts are replaced. Reversing it deletes both frameworks with their
principles and prompts; if reflections already hold notes on a principle,
the PROTECT foreign key on those notes stops the reversal, on purpose.
"""

from django.db import migrations

PEER_PRACTICE = "peer-practice"
OPEN_DIALOGUE = "open-dialogue"

FRAMEWORKS = [
    {
        "slug": PEER_PRACTICE,
        "name": "Peer practice principles in Open Dialogue",
        "citation": (
            "Hendy C, Tew J and Carr S (2023) Conceptualizing the peer contribution in "
            "Open Dialogue practice. Front. Psychol. 14:1176839."
        ),
        "doi_url": "https://doi.org/10.3389/fpsyg.2023.1176839",
        "principles": [
            {
                "slug": "attunement",
                "name": "Attunement",
                "summary": (
                    "Having lived through distress themselves, peer practitioners are often "
                    "quick to sense the feelings in the room and to hear what lies behind the "
                    "words people choose. They can notice what has not yet been said and help "
                    "quieter members of the network find their way into the conversation. "
                    "Knowing themselves well keeps their own story from steering what they hear."
                ),
                "prompts": [
                    "What did I sense in the room that had not yet been put into words?",
                    "Whose feelings did I tune in to, and how did I respond to what I picked up?",
                    "Was there a quieter voice in the network that I helped, or could have "
                    "helped, into the conversation?",
                    "Where might my own experience have coloured what I thought I was noticing?",
                ],
            },
            {
                "slug": "validation",
                "name": "Validation",
                "summary": (
                    "Peer practitioners can recognise and affirm what someone is living "
                    "through now, especially when others see them only through a label or "
                    "when they have started to doubt their own thoughts and feelings. Being "
                    "believed, rather than met with disbelief, can help people recover a sense "
                    "of their own worth and of hope. That includes accepting that where someone "
                    "is today is an acceptable place to be."
                ),
                "prompts": [
                    "Whose experience did I affirm when others in the room doubted it?",
                    "Was anyone seen only through a label, and how did I respond to the person "
                    "behind it?",
                    "Did someone doubt their own thoughts or feelings, and how did I show that I "
                    "took them seriously?",
                    "Did I let people be where they are, without pressing them to feel better?",
                ],
            },
            {
                "slug": "connection-and-mutuality",
                "name": "Connection and mutuality",
                "summary": (
                    "Peer practitioners can meet people more as equals, letting it show when "
                    "they are moved by what is shared. By staying steady alongside strong "
                    "feelings they show there is nothing to fear in them, and they keep the "
                    "meeting about being with people rather than rushing to fix things. "
                    "Connection grows over time: being there from the first network meeting and "
                    "staying with the network makes a difference."
                ),
                "prompts": [
                    "Was I moved by what I heard, and did I let that show?",
                    "When strong feelings came up, did I stay with them or reach for a solution?",
                    "Did I feel we were learning together rather than me helping, and what made "
                    "it so?",
                    "Have I been with this network since its first meeting, and how has staying "
                    "with it shaped our connection?",
                ],
            },
            {
                "slug": "self-disclosure",
                "name": "Self-disclosure",
                "summary": (
                    "Being introduced as a peer practitioner already tells people that you have "
                    "your own experience of mental distress. In a meeting, peers weigh up, with "
                    "judgement and intuition, whether sharing something of their own story would "
                    "open space for other voices, and share only when it feels safe and useful. "
                    "Disclosing takes something out of the person who shares, and a supportive "
                    "team makes that easier to carry."
                ),
                "prompts": [
                    "Did I share anything of my own experience, and what guided my choice to "
                    "share or to hold back?",
                    "Did it feel safe to disclose, for me and for the others in the room?",
                    "How did my colleagues and the network respond to what I shared, and did it "
                    "bring other voices in?",
                    "What did disclosing cost me emotionally, and what support do I need now?",
                ],
            },
        ],
    },
    {
        "slug": OPEN_DIALOGUE,
        "name": "Open Dialogue treatment principles",
        "citation": (
            "Seikkula J, Arnkil TE and Eriksson E (2003) Postmodern society and social "
            "networks: open and anticipation dialogues in network meetings. Family Process "
            "42(2):185-203."
        ),
        "doi_url": "https://doi.org/10.1111/j.1545-5300.2003.42201.x",
        "principles": [
            {
                "slug": "immediate-help",
                "name": "Immediate help",
                "summary": (
                    "The team responds as soon as a crisis begins, usually arranging a first "
                    "network meeting within a day. Meeting early lets the network talk while "
                    "what is happening is still fresh and words for it can be found together."
                ),
                "prompts": [
                    "How soon after the crisis began did we first meet, and what difference did "
                    "the timing make?",
                    "What could be said at this early stage that might be harder to say later?",
                ],
            },
            {
                "slug": "social-network-perspective",
                "name": "Social network perspective",
                "summary": (
                    "The person is never met alone: family, friends and others who matter, "
                    "including services such as housing or employment, are invited from the "
                    "first meeting. The network itself helps decide who should take part."
                ),
                "prompts": [
                    "Who was in the room, and who else might the person want to invite next time?",
                    "How did members of the network support one another, and not only the "
                    "person at the centre?",
                    "Is there someone from outside the family, such as work or housing, who "
                    "could help?",
                ],
            },
            {
                "slug": "flexibility-and-mobility",
                "name": "Flexibility and mobility",
                "summary": (
                    "The response adapts to what each network needs as it changes, in how often "
                    "the team meets and in what form. Meetings happen at home or wherever the "
                    "network prefers."
                ),
                "prompts": [
                    "Did the place and timing of this meeting suit the network, and who chose "
                    "them?",
                    "What might the network need us to change before we meet again?",
                ],
            },
            {
                "slug": "responsibility",
                "name": "Responsibility",
                "summary": (
                    "Whoever is first contacted makes sure a first meeting is arranged, and the "
                    "team that meets the network takes charge of the whole response instead of "
                    "passing people on."
                ),
                "prompts": [
                    "Did we take ownership of what happens next, or were we tempted to refer on?",
                    "Does everyone in the network know who will arrange the next meeting?",
                ],
            },
            {
                "slug": "psychological-continuity",
                "name": "Psychological continuity",
                "summary": (
                    "The same practitioners stay with the network for as long as support is "
                    "needed, wherever it takes place. Trust can build, and nobody has to retell "
                    "their story to strangers."
                ),
                "prompts": [
                    "Were the same practitioners here as in earlier meetings, and if not, how "
                    "did the network experience the change?",
                    "What have I come to understand about this network by staying with it over "
                    "time?",
                ],
            },
            {
                "slug": "tolerance-of-uncertainty",
                "name": "Tolerance of uncertainty",
                "summary": (
                    "The team holds back from early conclusions and ready-made plans, staying "
                    "with not knowing until a shared understanding emerges. Meeting often helps "
                    "everyone feel safe enough to bear the uncertainty."
                ),
                "prompts": [
                    "Where did I feel the urge to find an answer, and what did I do with it?",
                    "What helped the network and me to stay with not knowing?",
                    "Did we make any decision sooner than the network was ready for?",
                ],
            },
            {
                "slug": "dialogism",
                "name": "Dialogism",
                "summary": (
                    "The heart of the meeting is the dialogue itself: every voice is heard, and "
                    "the network and practitioners find new words and meanings together. "
                    "Practitioners reflect with each other in front of the network, never "
                    "behind closed doors."
                ),
                "prompts": [
                    "Whose voice was heard least today, and how might I make room for it?",
                    "In our reflecting conversation, did we speak tentatively and in everyday "
                    "language?",
                    "What new way of talking about what is happening emerged between us?",
                ],
            },
        ],
    },
]


def seed_frameworks(apps, schema_editor):
    Framework = apps.get_model("principles", "Framework")
    Principle = apps.get_model("principles", "Principle")
    Prompt = apps.get_model("principles", "Prompt")

    for framework_data in FRAMEWORKS:
        framework, _ = Framework.objects.update_or_create(
            slug=framework_data["slug"],
            defaults={
                "name": framework_data["name"],
                "citation": framework_data["citation"],
                "doi_url": framework_data["doi_url"],
            },
        )
        for order, principle_data in enumerate(framework_data["principles"], start=1):
            principle, _ = Principle.objects.update_or_create(
                framework=framework,
                slug=principle_data["slug"],
                defaults={
                    "name": principle_data["name"],
                    "summary": principle_data["summary"],
                    "order": order,
                },
            )
            Prompt.objects.filter(principle=principle).delete()
            Prompt.objects.bulk_create(
                Prompt(principle=principle, text=text, order=prompt_order)
                for prompt_order, text in enumerate(principle_data["prompts"], start=1)
            )


def remove_frameworks(apps, schema_editor):
    Framework = apps.get_model("principles", "Framework")
    Framework.objects.filter(slug__in=[PEER_PRACTICE, OPEN_DIALOGUE]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("principles", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed_frameworks, remove_frameworks),
    ]
