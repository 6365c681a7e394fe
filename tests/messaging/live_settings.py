"""Settings for Daphne processes started by the live tests: the normal settings, with the send
rate limit raised so a 2,000-message stream is not throttled, and a faster periodic check."""

from paceway.settings import *  # noqa: F403

MESSAGING_SEND_RATE = (1_000_000, 10)
MESSAGING_MAX_CONNECTIONS = 50
MESSAGING_RECHECK_SECONDS = 2
