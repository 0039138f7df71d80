"""The relationships people actually have: one list, an optional word the network
uses, and the old kinds (family, agency with its type) mapped by a data migration."""

import pytest
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from meetings.forms import NetworkMemberForm
from meetings.models import RELATIONSHIP_GROUPS, NetworkMember, Relationship
from tests.factories import NetworkFactory, NetworkMemberFactory

pytestmark = pytest.mark.django_db

SCHEMA_CHANGED = ("meetings", "0008_relationships")
MAPPED = ("meetings", "0009_map_old_relationships")
PERSON_GIVEN = ("meetings", "0007_give_networks_a_person")

# Every old kind (relationship, agency type) and the new kind it becomes.
OLD_TO_NEW = [
    ("family", "", "other_family"),
    ("partner", "", "partner"),
    ("friend", "", "friend"),
    ("neighbour", "", "neighbour"),
    ("agency", "housing", "professional_housing"),
    ("agency", "gp", "professional_gp"),
    ("agency", "school", "professional_school"),
    ("agency", "employment", "professional_employment"),
    ("agency", "other", "professional_other"),
    ("agency", "", "professional_other"),
]


def test_the_list_has_the_relationships_people_have():
    assert Relationship.values == [
        "person",
        "parent",
        "child",
        "sibling",
        "partner",
        "other_family",
        "friend",
        "neighbour",
        "carer",
        "colleague",
        "peer_supporter",
        "interpreter",
        "advocate",
        "professional_housing",
        "professional_gp",
        "professional_school",
        "professional_employment",
        "professional_social_care",
        "professional_other",
    ]
    assert Relationship.PERSON.label == "The person at the centre"
    assert Relationship.PEER_SUPPORTER.label == "Peer supporter from outside the team"


def test_every_kind_but_the_person_is_under_exactly_one_heading():
    grouped = [kind for _, kinds in RELATIONSHIP_GROUPS for kind in kinds]

    assert sorted(grouped) == sorted(set(Relationship.values) - {"person"})


def test_one_field_and_an_optional_word_the_network_uses():
    with pytest.raises(FieldDoesNotExist):
        NetworkMember._meta.get_field("agency_type")
    label = NetworkMember._meta.get_field("label")
    assert (label.max_length, label.blank) == (40, True)
    assert label.help_text == "A word the network uses: 'Nan', 'key worker'."


def test_the_word_the_network_uses_is_at_most_40_characters(network):
    member = NetworkMember(
        network=network, name="Gran", relationship=Relationship.OTHER_FAMILY, label="N" * 41
    )

    with pytest.raises(ValidationError) as excinfo:
        member.full_clean()

    assert "label" in excinfo.value.message_dict


def test_the_member_form_offers_every_kind_but_the_person(network):
    form = NetworkMemberForm(instance=NetworkMember(network=network))

    assert list(form.fields) == ["name", "relationship", "label"]
    offered = [value for value, _ in form.fields["relationship"].choices]
    assert offered == [value for value in Relationship.values if value != "person"]
    assert not form.fields["label"].required


def test_a_member_is_added_with_a_kind_and_a_word(login, author, network):
    response = login(author).post(
        reverse("meetings:member_create", args=[network.pk]),
        {"member-name": "Ann", "member-relationship": "carer", "member-label": "key worker"},
    )

    assert response.status_code == 302
    ann = NetworkMember.objects.get(name="Ann")
    assert (ann.relationship, ann.label) == ("carer", "key worker")


def test_the_network_page_lists_members_under_headings(login, author, team):
    network = NetworkFactory(team=team, person="Kai")
    NetworkMemberFactory(network=network, name="Rose", relationship="other_family", label="Nan")
    NetworkMemberFactory(network=network, name="Dad", relationship="parent")
    NetworkMemberFactory(
        network=network, name="Housing officer", relationship="professional_housing"
    )

    page = login(author).get(network.get_absolute_url()).content.decode()

    members = page[page.index('id="members"') : page.index('id="meetings"')]
    assert members.index("Family") < members.index("Dad") < members.index("Rose")
    assert "Other family (Nan)" in members
    assert members.index("Professionals from other services") < members.index("Housing officer")
    assert "Professional: housing" in members
    assert "Friends and community" not in members  # no empty headings
    # The person at the centre first, on their own, then everyone around them.
    table = members[members.index("<table") :]
    assert table.index("The person at the centre") < table.index("Kai") < table.index("Family")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_data_migration_maps_every_old_kind_and_back():
    # transaction=True: SQLite's schema editor refuses to run inside the atomic
    # block an ordinary django_db test is wrapped in.
    executor = MigrationExecutor(connection)
    if MAPPED not in executor.loader.applied_migrations:
        pytest.skip("test database was built without migrations (--nomigrations)")
    # With the wider field and without the old check, so that an agency without a
    # type (which the check used to refuse) can be made too.
    executor.migrate([SCHEMA_CHANGED])
    old = executor.loader.project_state([SCHEMA_CHANGED]).apps
    team = old.get_model("teams", "Team").objects.create(name="Riverside")
    network = old.get_model("meetings", "Network").objects.create(team=team, reference="Birch")
    OldMember = old.get_model("meetings", "NetworkMember")
    OldMember.objects.create(network=network, name="Birch", relationship="person")
    for index, (relationship, agency_type, _) in enumerate(OLD_TO_NEW):
        OldMember.objects.create(
            network=network, name=f"M{index}", relationship=relationship, agency_type=agency_type
        )
    before = OldMember.objects.count()

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert before == NetworkMember.objects.count() == len(OLD_TO_NEW) + 1
    mapped = dict(NetworkMember.objects.values_list("name", "relationship"))
    assert mapped == {
        "Birch": "person",
        **{f"M{index}": new for index, (_, _, new) in enumerate(OLD_TO_NEW)},
    }

    # Reversed, each goes back to the nearest old kind (an agency without a type
    # comes back as "other").
    NetworkMember.objects.filter(name="M0").update(relationship="sibling")
    NetworkMember.objects.filter(name="M1").update(relationship="professional_social_care")
    executor = MigrationExecutor(connection)
    executor.migrate([PERSON_GIVEN])
    OldMember = executor.loader.project_state([PERSON_GIVEN]).apps.get_model(
        "meetings", "NetworkMember"
    )
    back = dict(OldMember.objects.values_list("name", "relationship"))
    types = dict(OldMember.objects.values_list("name", "agency_type"))
    assert back["M0"] == "family" and types["M0"] == ""
    assert (back["M1"], types["M1"]) == ("agency", "other")
    for index, (relationship, agency_type, _) in enumerate(OLD_TO_NEW[2:], start=2):
        assert back[f"M{index}"] == relationship
        assert types[f"M{index}"] == (agency_type or ("other" if relationship == "agency" else ""))
    assert back["Birch"] == "person"
    assert OldMember.objects.count() == before

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert NetworkMember.objects.count() == before
