"""What domain code raises when it refuses, without knowing about HTTP.

Each refusal carries a machine-readable ``code``, a sentence for people and, for
invalid input, what is wrong with each field. ``faas_ems.runtime.web`` answers each
kind with its status; a consumer or a script can catch them just as well.
"""

from __future__ import annotations


class Refusal(Exception):
    """The request cannot be done as asked; the caller can tell why."""

    default_code = "refused"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, str] | None = None,
        retry_after: int | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.fields = fields
        self.retry_after = retry_after


class NotFound(Refusal):
    """No such thing, or not one the caller may see (the two are not told apart)."""

    default_code = "not_found"

    def __init__(self, what: str = "resource"):
        super().__init__(f"{what} not found")


class Invalid(Refusal):
    """The input breaks a rule; ``fields`` names each field and what is wrong."""

    default_code = "validation_failed"


class Conflict(Refusal):
    """The input is fine but clashes with what is stored (taken, last of its kind, ...)."""

    default_code = "conflict"


class Unavailable(Refusal):
    """Something this depends on cannot answer now; the same call may work later."""

    default_code = "unavailable"
