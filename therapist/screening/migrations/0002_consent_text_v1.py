"""Publish consent text version 1 (a frozen copy: later versions are published by the service)."""

from django.db import migrations
from django.utils import timezone

CONSENT_TEXT_V1 = 'Consent to internet-delivered CBT for chronic pain\n\nWhat this is\nPaceway offers internet-delivered cognitive behavioural therapy (iCBT) for chronic pain. You work through short online lessons and exercises at your own pace, about one module a week for about 8 weeks. A therapist trained in chronic pain follows your progress and writes to you each week.\n\nIt works with your other care\niCBT is one part of your care, not a replacement for it. Keep seeing your family doctor and your other care providers, tell them you are taking part, and do not change your medicines without talking to them.\n\nYour information\nOnly you and the therapist caring for you can see your answers, exercises and messages. Administrators manage accounts but do not see your health information. Each time someone looks at or changes your health information, it is recorded. You can download your questionnaire answers.\n\nQuestionnaires\nYou will answer short questionnaires about pain, mood and worry. If an answer suggests you may be at risk, your therapist or the clinical team is alerted and will contact you.\n\nMessages are not monitored 24/7\nYour therapist reads and answers messages during working hours, not around the clock.\n\nIn a crisis, do not wait for a reply\nIf you are thinking about harming yourself or are in danger: call or text 9-8-8 (Canada and the US) any time, day or night, or call 911 or go to your nearest emergency department.\n\nYou can stop at any time\nTaking part is your choice. You can withdraw your consent at any time on this page, without giving a reason. Withdrawing does not affect the other care you receive.\n'


def publish_v1(apps, schema_editor):
    ConsentText = apps.get_model("screening", "ConsentText")
    if not ConsentText.objects.filter(version=1).exists():
        ConsentText.objects.create(version=1, text=CONSENT_TEXT_V1, published_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_initial")]

    operations = [migrations.RunPython(publish_v1, migrations.RunPython.noop)]
