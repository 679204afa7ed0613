"""Factories for worker files (tests only)."""

import re
import secrets

import factory
from django.utils import timezone

from warmbee.accounts import sms
from warmbee.accounts.models import Role
from warmbee.factories import UserFactory
from warmbee.workers.choices import (
    ConsentChannel,
    NoticeKind,
    Occupation,
    Platform,
    Vehicle,
)
from warmbee.workers.models import Consent, PrivacyNotice, WorkerProfile


class WorkerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkerProfile

    user = factory.SubFactory(UserFactory, role=Role.WORKER)
    name = factory.Sequence(lambda n: f"骑手{n}")
    occupation = Occupation.DELIVERY_RIDER
    platform = Platform.MEITUAN
    vehicle = Vehicle.EBIKE
    card_code = factory.LazyFunction(lambda: secrets.token_urlsafe(12))


def current_notice(kind=NoticeKind.GENERAL):
    return PrivacyNotice.objects.filter(kind=kind).order_by("-version").first()


def give_consent(user, kind=NoticeKind.GENERAL, **fields):
    fields.setdefault("granted_at", timezone.now())
    return Consent.objects.create(
        worker=user,
        notice=current_notice(kind),
        channel=ConsentChannel.PHONE,
        **fields,
    )


def make_worker(**fields):
    """Return a registered worker's profile with the general consent given."""
    profile = WorkerProfileFactory(**fields)
    give_consent(profile.user)
    return profile


def last_code(phone: str) -> str:
    """Return the code in the last text message sent to ``phone``."""
    text = [message.text for message in sms.outbox if message.phone == phone][-1]
    return re.search(r"\b(\d{6})\b", text).group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"
