"""The relationships people actually have, in one list, with an optional word the
network uses. agency_type stays until 0009 has mapped it (0010 removes it)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0007_give_networks_a_person"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="networkmember",
            name="network_member_agency_type_for_agencies_only",
        ),
        migrations.AlterField(
            model_name="networkmember",
            name="relationship",
            field=models.CharField(
                choices=[
                    ("person", "The person at the centre"),
                    ("parent", "Parent"),
                    ("child", "Child"),
                    ("sibling", "Sibling"),
                    ("partner", "Partner"),
                    ("other_family", "Other family"),
                    ("friend", "Friend"),
                    ("neighbour", "Neighbour"),
                    ("carer", "Carer"),
                    ("colleague", "Colleague"),
                    ("peer_supporter", "Peer supporter from outside the team"),
                    ("interpreter", "Interpreter"),
                    ("advocate", "Advocate"),
                    ("professional_housing", "Professional: housing"),
                    ("professional_gp", "Professional: GP"),
                    ("professional_school", "Professional: school"),
                    ("professional_employment", "Professional: employment"),
                    ("professional_social_care", "Professional: social care"),
                    ("professional_other", "Other professional"),
                ],
                max_length=32,
            ),
        ),
        migrations.AddField(
            model_name="networkmember",
            name="label",
            field=models.CharField(
                blank=True,
                help_text="A word the network uses: 'Nan', 'key worker'.",
                max_length=40,
            ),
        ),
    ]
