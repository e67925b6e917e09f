"""An event left in a context's outbox goes out without another call to flush it."""

import json
import uuid

from faas_ems.runtime.events import envelope
from tests.identity_helpers import EventTap


def test_an_event_left_behind_is_relayed_without_a_new_call(stack):
    stack.create_user()  # a flush in the users function starts its relay
    stranded = envelope("user.updated", {"id": str(uuid.uuid4()), "version": 1})
    with EventTap(stack, "user.updated") as tap:
        with stack.db("identity") as conn:
            conn.execute("INSERT INTO outbox (envelope) VALUES (%s)", [json.dumps(stranded)])
        tap.wait_for(1, lambda event: event["id"] == stranded["id"], timeout=20)
    with stack.db("identity") as conn:
        left = conn.execute(
            "SELECT count(*) FROM outbox WHERE envelope->>'id' = %s", [stranded["id"]]
        ).fetchone()[0]
    assert left == 0
