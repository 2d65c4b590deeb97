"""Typed errors; ``api/`` maps them to HTTP status codes in one place."""


class AssistantError(Exception):
    """Base class for errors the service reports to users."""


class IngestError(AssistantError):
    """A file could not be turned into a document; the message says why."""


class NotFound(AssistantError):
    """The requested document or object does not exist (or is not visible)."""


class AccessDenied(AssistantError):
    """The caller may not see or do this."""


class BackendUnavailable(AssistantError):
    """A backend (LLM server, Chroma server) did not answer."""


class Conflict(AssistantError):
    """The request breaks the state of what it acts on (a reply after the meeting started, a stale version)."""


class IndexLocked(AssistantError):
    """Another process is writing to this embedded index."""


class InvalidInput(AssistantError):
    """A request is malformed or incomplete; the message says what to fix."""


class Unauthenticated(AssistantError):
    """No API key, or one that is unknown or revoked."""


class PayloadTooLarge(InvalidInput):
    """An upload is over the size limit."""


class UnsupportedType(InvalidInput):
    """An upload's content is not a type we read (or not the type its name says)."""


class RateLimited(AssistantError):
    """Too many requests from one key; ``retry_after`` says when the next one is accepted (seconds)."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after
