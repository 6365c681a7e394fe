"""Run against a database restored from a backup (`manage.py shell < stack_restore_check.py`): every
message of every conversation and every clinical note decrypts with the keys in the environment,
and the stack test's patient has all the messages the test exchanged (STACK_PATIENT_ID,
STACK_MESSAGES) and their note. Prints STACK_RESTORE ...; a message or note that does not decrypt
raises (a wrong key names the variable), a missing one exits 1."""

import os
import sys

from messaging.models import Conversation, Message
from messaging.sealing import key_for, open_message
from therapist.workspace.models import ClinicalNote
from therapist.workspace.selectors import clinical_notes

conversations = messages = 0
ours = 0
patient_id = int(os.environ.get("STACK_PATIENT_ID", "0"))
for conversation in Conversation.objects.filter(erased_at__isnull=True):
    conversations += 1
    key = key_for(conversation)
    for message in Message.objects.filter(conversation=conversation).order_by("seq"):
        body = open_message(key, message)
        messages += 1
        if conversation.patient_id == patient_id and "stack test message" in body:
            ours += 1
notes = 0
for patient in {note.patient for note in ClinicalNote.objects.select_related("patient")}:
    notes += len(clinical_notes(patient))
ours_notes = (
    [text for note, text in clinical_notes(patient_id) if text.startswith("stack test note")] if patient_id else []
)
print(
    f"STACK_RESTORE {conversations} conversations, {messages} messages and {notes} clinical notes decrypted; "
    f"the test patient's conversation has {ours} of its messages and {len(ours_notes)} note"
)
expected = int(os.environ.get("STACK_MESSAGES", "0"))
if patient_id and (ours != expected or len(ours_notes) != 1):
    print(f"STACK_RESTORE_MISSING expected {expected} messages and 1 note for patient {patient_id}")
    sys.exit(1)
