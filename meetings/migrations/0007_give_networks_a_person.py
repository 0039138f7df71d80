"""Every existing network gets its person at the centre, named by the network's
reference until the team changes it (a first or chosen name)."""

from django.db import migrations

PERSON = "person"


def give_each_network_a_person(apps, schema_editor):
    Network = apps.get_model("meetings", "Network")
    NetworkMember = apps.get_model("meetings", "NetworkMember")
    max_length = NetworkMember._meta.get_field("name").max_length
    with_person = NetworkMember.objects.filter(relationship=PERSON).values("network_id")
    NetworkMember.objects.bulk_create(
        NetworkMember(network_id=pk, name=reference[:max_length], relationship=PERSON)
        for pk, reference in Network.objects.exclude(pk__in=with_person)
        .order_by("pk")
        .values_list("pk", "reference")
        .iterator()
    )


def remove_the_people_at_the_centre(apps, schema_editor):
    """Back to before: no member of this kind existed. Attendance rows go with them."""
    NetworkMember = apps.get_model("meetings", "NetworkMember")
    NetworkMember.objects.filter(relationship=PERSON).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0006_person_at_the_centre"),
    ]

    operations = [
        migrations.RunPython(give_each_network_a_person, remove_the_people_at_the_centre),
    ]
