"""The first consent text, in plain language. Version 1 is published by migration 0002 (which
keeps its own frozen copy); later versions are published with services.publish_consent_text."""

CONSENT_TEXT_V1 = """\
Consent to internet-delivered CBT for chronic pain

What this is
Paceway offers internet-delivered cognitive behavioural therapy (iCBT) for chronic pain. You work \
through short online lessons and exercises at your own pace, about one module a week for about 8 \
weeks. A therapist trained in chronic pain follows your progress and writes to you each week.

It works with your other care
iCBT is one part of your care, not a replacement for it. Keep seeing your family doctor and your \
other care providers, tell them you are taking part, and do not change your medicines without \
talking to them.

Your information
Only you and the therapist caring for you can see your answers, exercises and messages. \
Administrators manage accounts but do not see your health information. Each time someone looks at \
or changes your health information, it is recorded. You can download your questionnaire answers.

Questionnaires
You will answer short questionnaires about pain, mood and worry. If an answer suggests you may be \
at risk, your therapist or the clinical team is alerted and will contact you.

Messages are not monitored 24/7
Your therapist reads and answers messages during working hours, not around the clock.

In a crisis, do not wait for a reply
If you are thinking about harming yourself or are in danger: call or text 9-8-8 (Canada and the US) \
any time, day or night, or call 911 or go to your nearest emergency department.

You can stop at any time
Taking part is your choice. You can withdraw your consent at any time on this page, without giving \
a reason. Withdrawing does not affect the other care you receive.
"""
