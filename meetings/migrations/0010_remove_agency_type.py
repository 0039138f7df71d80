"""The agency type now lives in the relationship (0009 mapped it)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0009_map_old_relationships"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="networkmember",
            name="agency_type",
        ),
    ]
