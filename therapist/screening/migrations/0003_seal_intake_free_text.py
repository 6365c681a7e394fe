"""Seal the intake's free text (pain condition, other care) under the patient's key."""

from django.db import migrations

import paceway.keyring.fields

FIELDS = ("pain_condition", "care_other")


def seal_existing(apps, schema_editor):
    Intake = apps.get_model("screening", "Intake")
    for intake in Intake.objects.order_by("pk").iterator(chunk_size=500):
        for name in FIELDS:
            setattr(intake, name, getattr(intake, f"plain_{name}"))
        intake.save(update_fields=list(FIELDS))


def unseal_existing(apps, schema_editor):
    Intake = apps.get_model("screening", "Intake")
    for intake in Intake.objects.order_by("pk").iterator(chunk_size=500):
        for name in FIELDS:
            setattr(intake, f"plain_{name}", getattr(intake, name))
        intake.save(update_fields=[f"plain_{name}" for name in FIELDS])


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0002_consent_text_v1"),
        ("keyring", "0003_patient_key"),
    ]

    operations = [
        *(migrations.RenameField("intake", name, f"plain_{name}") for name in FIELDS),
        migrations.AddField(
            "intake",
            "pain_condition",
            paceway.keyring.fields.SealedTextField(max_length=300, null=True, verbose_name="pain condition"),
        ),
        migrations.AddField(
            "intake",
            "care_other",
            paceway.keyring.fields.SealedTextField(blank=True, max_length=300, null=True, verbose_name="other care"),
        ),
        migrations.RunPython(seal_existing, unseal_existing),
        *(migrations.RemoveField("intake", f"plain_{name}") for name in FIELDS),
    ]
