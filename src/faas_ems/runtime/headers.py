"""The headers faas-ems puts on a message it moves: retried, dead-lettered or replayed.

One set of names for the connector, the hub and dead-letters, which write and read them.
"""

PREFIX = "x-ems-"
REASON = "x-ems-reason"  # why it was dead-lettered
TOPIC = "x-ems-topic"  # its routing key on ``ems`` (a retry or dead queue loses it)
ATTEMPT = "x-ems-attempt"  # the retry it is on
ATTEMPTS = "x-ems-attempts"  # how many it took before it was dead-lettered
FUNCTION = "x-ems-function"  # the function that refused it
REPLAY_OF = "x-ems-replay-of"  # the dead letter it replays
HEADERS_DROPPED = "x-ems-headers-dropped"  # its own headers, too large to carry along
