"""Run inside a web container (`manage.py shell < stack_risk.py`, PATIENT_ID set): the patient
answers a weekly check-in with PHQ-9 item 9 above zero, through the same service the page uses.
The alert is stored at once; its e-mail to the therapist is sent by the Celery worker."""

import os

from modules.outcomes import services
from modules.outcomes.instruments import GAD7, PEG, PHQ9
from paceway.accounts.models import User

patient = User.objects.get(pk=int(os.environ["PATIENT_ID"]))
answers = {i.code: 0 for i in PHQ9.items if i.scored}
answers.update({i.code: 0 for i in GAD7.items})
answers.update({i.code: 5 for i in PEG.items})
answers["44260-8"] = 1  # PHQ-9 item 9
submission = services.submit_response(
    actor=patient, patient=patient, questionnaire="weekly-check-in", answers=list(answers.items())
)
print(f"STACK_ALERT {submission.alert.pk if submission.alert else 'none'}")
