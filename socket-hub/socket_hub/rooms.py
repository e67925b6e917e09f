"""Room names: one per user, and one that every administrator joins."""

ADMINS = "admins"


def user_room(user_id: object) -> str:
    return f"user:{user_id}"
