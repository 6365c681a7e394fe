"""Run inside a web container (`manage.py shell < stack_risk.py`, PATIENT_ID set): the patient
answers a weekly check-in with PHQ-9 item 9 above zero, through the same service the page uses.
The alert is stored at once; its e-mail to the therapist is sent by the Celery worker."""

import os

from modules.outcomes import services
from modules.outcomes.instruments import QUESTIONNAIRES, WEEKLY_CHECK_IN
from paceway.accounts.models import User

patient = User.objects.get(pk=int(os.environ["PATIENT_ID"]))
items = QUESTIONNAIRES[WEEKLY_CHECK_IN].items_by_code
answers = {code: min(item.values) for code, (_instrument, item) in items.items() if item.required}
answers["44260-8"] = 1  # PHQ-9 item 9: thoughts of self-harm on several days
submission = services.submit_response(
    actor=patient, patient=patient, questionnaire=WEEKLY_CHECK_IN, answers=list(answers.items())
)
print(f"STACK_ALERT {submission.alert.pk if submission.alert else 'none'}")
