"""Pluggable SMS backends, like Django's e-mail backends; no domain logic here.

``settings.SMS_BACKEND`` names the backend class by dotted path. The console backend
(the default) prints each message; the locmem backend keeps them in :data:`outbox` for
tests. A real provider is a subclass of :class:`BaseSmsBackend` in deployment code.
"""

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TextIO

from django.conf import settings
from django.utils.module_loading import import_string

from warmbee.accounts.models import mask_phone


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    text: str
    template: str = ""
    params: Mapping[str, str] = field(default_factory=dict)


# Messages the locmem backend has "sent", oldest first; tests clear it.
outbox: list[SmsMessage] = []


class BaseSmsBackend:
    """Send one text message to a mainland mobile number.

    Subclasses implement :meth:`send` and raise an exception when the provider refuses or
    cannot be reached, so that the caller can tell the user. Chinese providers (Aliyun,
    Tencent Cloud…) only send pre-approved templates: such a backend maps ``template``
    (for example ``"one_time_code"``) to its template id and sends ``params``; the
    ready-made ``text`` is for backends that send free text.
    """

    def send(
        self,
        phone: str,
        message: str,
        *,
        template: str = "",
        params: Mapping[str, str] | None = None,
    ) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Write each message to a stream (standard output by default): for development."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(
        self,
        phone: str,
        message: str,
        *,
        template: str = "",
        params: Mapping[str, str] | None = None,
    ) -> None:
        stream = self.stream or sys.stdout
        stream.write(f"SMS to {mask_phone(phone)}: {message}\n")
        stream.flush()


class LocmemSmsBackend(BaseSmsBackend):
    """Keep each message in :data:`outbox` instead of sending it: for tests."""

    def send(
        self,
        phone: str,
        message: str,
        *,
        template: str = "",
        params: Mapping[str, str] | None = None,
    ) -> None:
        outbox.append(SmsMessage(phone, message, template, dict(params or {})))


def get_sms_backend() -> BaseSmsBackend:
    """Return an instance of the backend named by ``settings.SMS_BACKEND``."""
    backend_class = import_string(settings.SMS_BACKEND)
    backend = backend_class()
    if not isinstance(backend, BaseSmsBackend):
        raise TypeError(f"{settings.SMS_BACKEND} is not an SMS backend")
    return backend
