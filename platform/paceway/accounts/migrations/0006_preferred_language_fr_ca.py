# "fr" becomes "fr-ca" (Canadian French, locale/fr_CA); the field offers settings.LANGUAGES.

from django.db import migrations, models


def to_canadian_french(apps, schema_editor):
    apps.get_model("accounts", "user").objects.filter(preferred_language__in=["fr", "fr-CA", "fr_CA"]).update(preferred_language="fr-ca")


def to_french(apps, schema_editor):
    apps.get_model("accounts", "user").objects.filter(preferred_language="fr-ca").update(preferred_language="fr")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_privacy_officer_no_superusers'),
    ]

    operations = [
        migrations.RunPython(to_canadian_french, to_french),
        migrations.AlterField(
            model_name='user',
            name='preferred_language',
            field=models.CharField(choices=[('en', 'English'), ('fr-ca', 'Français')], default='en', max_length=8, verbose_name='language'),
        ),
    ]
