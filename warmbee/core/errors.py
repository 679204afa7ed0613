"""The base of every domain error: a translatable message, an HTTP status and a code."""

from typing import Any

from django.utils.functional import Promise


class DomainError(Exception):
    status_code = 400
    code = "invalid"
    message: str | Promise = ""

    def __init__(self, message: str | Promise | None = None, **params: Any) -> None:
        self.params = params
        if message is not None:
            self.message = message
        super().__init__(str(self.message))

    @property
    def detail(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text


class NotFoundError(DomainError):
    status_code = 404
    code = "not_found"


class PermissionDeniedError(DomainError):
    status_code = 403
    code = "permission_denied"


class ConflictError(DomainError):
    status_code = 409
    code = "conflict"
