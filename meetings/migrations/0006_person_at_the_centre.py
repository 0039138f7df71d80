"""The person at the centre: a network member of their own kind, one per network,
and whether they attended each meeting (empty for meetings logged before)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0005_network_first_contact"),
    ]

    operations = [
        migrations.AlterField(
            model_name="networkmember",
            name="relationship",
            field=models.CharField(
                choices=[
                    ("person", "The person at the centre"),
                    ("family", "Family"),
                    ("partner", "Partner"),
                    ("friend", "Friend"),
                    ("neighbour", "Neighbour"),
                    ("agency", "Agency"),
                ],
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="networkmember",
            name="name",
            field=models.CharField(
                help_text=(
                    "A first or chosen name, or a role, as the network uses it. Never a "
                    "surname, a date of birth or an identifier."
                ),
                max_length=80,
            ),
        ),
        migrations.AddConstraint(
            model_name="networkmember",
            constraint=models.UniqueConstraint(
                condition=models.Q(("relationship", "person")),
                fields=("network",),
                name="network_has_one_person_at_the_centre",
                violation_error_message="A network has exactly one person at the centre.",
            ),
        ),
        migrations.AddField(
            model_name="networkmeeting",
            name="person_attendance",
            field=models.CharField(
                blank=True,
                choices=[
                    ("in_person", "In person"),
                    ("online", "Online"),
                    ("phone", "By phone"),
                    ("absent", "Not present"),
                ],
                max_length=16,
                null=True,
                verbose_name="did the person at the centre attend?",
            ),
        ),
        migrations.AddConstraint(
            model_name="networkmeeting",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("person_attendance__isnull", True),
                    ("person_attendance__in", ["in_person", "online", "phone", "absent"]),
                    _connector="OR",
                ),
                name="meeting_person_attendance_valid",
                violation_error_message="Choose how the person at the centre attended.",
            ),
        ),
    ]
