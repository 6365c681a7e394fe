"""Run against a database restored from a backup (`manage.py shell < stack_restore_check.py`):
every message of every conversation decrypts with the keys in the environment. Prints
STACK_RESTORE conversations=N messages=M; a message that does not decrypt raises."""

from messaging.models import Conversation, Message
from messaging.services import _key_for, open_message

conversations = messages = 0
for conversation in Conversation.objects.filter(erased_at__isnull=True):
    conversations += 1
    key = _key_for(conversation)
    for message in Message.objects.filter(conversation=conversation).order_by("seq"):
        open_message(key, message)
        messages += 1
print(f"STACK_RESTORE conversations={conversations} messages={messages}")
