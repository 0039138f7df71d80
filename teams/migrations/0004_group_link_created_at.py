"""When a group supervision link was made: a link dated back later reaches no
summary agreed before it was made. Links that exist already count as made at the
start of their first day (what they reached before this field)."""

from datetime import datetime, time

import django.utils.timezone
from django.db import migrations, models


def made_on_their_first_day(apps, schema_editor):
    Link = apps.get_model("teams", "GroupSupervisionLink")
    zone = django.utils.timezone.get_default_timezone()
    for link in Link.objects.all():
        link.created_at = datetime.combine(link.since, time.min, tzinfo=zone)
        link.save(update_fields=["created_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("teams", "0003_group_agreement_and_supervision"),
    ]

    operations = [
        migrations.AddField(
            model_name="groupsupervisionlink",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.RunPython(made_on_their_first_day, migrations.RunPython.noop),
    ]
