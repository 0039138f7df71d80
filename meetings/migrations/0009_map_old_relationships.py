"""The old kinds of network member mapped to the new list.

"Family" becomes "Other family": which family member was not recorded. An agency
becomes the professional of its agency type ("other", or none, is "Other
professional"). Reversed, each new kind goes back to the nearest old one; the
kinds the old list did not have cannot be told apart again.
"""

from django.db import migrations

FORWARD = {
    "family": "other_family",
    "partner": "partner",
    "friend": "friend",
    "neighbour": "neighbour",
}
AGENCY_FORWARD = {
    "housing": "professional_housing",
    "gp": "professional_gp",
    "school": "professional_school",
    "employment": "professional_employment",
    "other": "professional_other",
    "": "professional_other",
}

# Reversed: (old relationship, old agency type) for each new kind.
BACKWARD = {
    "parent": ("family", ""),
    "child": ("family", ""),
    "sibling": ("family", ""),
    "other_family": ("family", ""),
    "carer": ("family", ""),
    "partner": ("partner", ""),
    "friend": ("friend", ""),
    "colleague": ("friend", ""),
    "peer_supporter": ("friend", ""),
    "neighbour": ("neighbour", ""),
    "interpreter": ("agency", "other"),
    "advocate": ("agency", "other"),
    "professional_housing": ("agency", "housing"),
    "professional_gp": ("agency", "gp"),
    "professional_school": ("agency", "school"),
    "professional_employment": ("agency", "employment"),
    "professional_social_care": ("agency", "other"),
    "professional_other": ("agency", "other"),
}


def map_forward(apps, schema_editor):
    NetworkMember = apps.get_model("meetings", "NetworkMember")
    for old, new in FORWARD.items():
        NetworkMember.objects.filter(relationship=old).update(relationship=new, agency_type="")
    for agency_type, new in AGENCY_FORWARD.items():
        NetworkMember.objects.filter(relationship="agency", agency_type=agency_type).update(
            relationship=new, agency_type=""
        )
    # An agency type the old list never had: still a professional.
    NetworkMember.objects.filter(relationship="agency").update(
        relationship="professional_other", agency_type=""
    )


def map_backward(apps, schema_editor):
    NetworkMember = apps.get_model("meetings", "NetworkMember")
    for new, (old, agency_type) in BACKWARD.items():
        NetworkMember.objects.filter(relationship=new).update(
            relationship=old, agency_type=agency_type
        )


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0008_relationships"),
    ]

    operations = [
        migrations.RunPython(map_forward, map_backward),
    ]
