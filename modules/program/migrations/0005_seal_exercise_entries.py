"""Seal every exercise entry's data under its patient's key (paceway.keyring.fields)."""

from django.db import migrations

import paceway.keyring.fields


def seal_existing(apps, schema_editor):
    Entry = apps.get_model("modules", "ExerciseEntry")
    for entry in Entry.objects.order_by("pk").iterator(chunk_size=500):
        entry.data = entry.plain_data
        entry.save(update_fields=["data"])


def unseal_existing(apps, schema_editor):
    Entry = apps.get_model("modules", "ExerciseEntry")
    for entry in Entry.objects.order_by("pk").iterator(chunk_size=500):
        entry.plain_data = entry.data
        entry.save(update_fields=["plain_data"])


class Migration(migrations.Migration):
    dependencies = [
        ("modules", "0004_enrolment_end_review_sleep_problem_solving"),
        ("keyring", "0003_patient_key"),
    ]

    operations = [
        migrations.RenameField("exerciseentry", "data", "plain_data"),
        migrations.AddField("exerciseentry", "data", paceway.keyring.fields.SealedJSONField(null=True)),
        migrations.RunPython(seal_existing, unseal_existing),
        migrations.RemoveField("exerciseentry", "plain_data"),
        migrations.AlterField("exerciseentry", "data", paceway.keyring.fields.SealedJSONField(default=dict, null=True)),
    ]
