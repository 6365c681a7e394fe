# "fr" becomes "fr-ca" (Canadian French, locale/fr_CA); the field offers settings.LANGUAGES.

from django.db import migrations, models


def to_canadian_french(apps, schema_editor):
    apps.get_model("screening", "intake").objects.filter(language__in=["fr", "fr-CA", "fr_CA"]).update(language="fr-ca")


def to_french(apps, schema_editor):
    apps.get_model("screening", "intake").objects.filter(language="fr-ca").update(language="fr")


class Migration(migrations.Migration):

    dependencies = [
        ('screening', '0003_seal_intake_free_text'),
    ]

    operations = [
        migrations.RunPython(to_canadian_french, to_french),
        migrations.AlterField(
            model_name='intake',
            name='language',
            field=models.CharField(choices=[('en', 'English'), ('fr-ca', 'Français')], max_length=8, verbose_name='language'),
        ),
    ]
