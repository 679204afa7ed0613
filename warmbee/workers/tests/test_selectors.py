import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from warmbee.accounts.models import Role
from warmbee.factories import make_user
from warmbee.workers import errors, selectors
from warmbee.workers.choices import NoticeKind
from warmbee.workers.models import PrivacyNotice
from warmbee.workers.tests.factories import (
    WorkerProfileFactory,
    give_consent,
    make_worker,
)

pytestmark = pytest.mark.django_db


def _publish(version, kind=NoticeKind.GENERAL, at=None):
    return PrivacyNotice.objects.create(
        kind=kind,
        version=version,
        text_zh=f"第{version}版",
        text_en=f"Version {version}",
        published_at=at or timezone.now() - dt.timedelta(seconds=1),
    )


def test_current_notice_is_the_newest_published_version():
    _publish(3, at=timezone.now() + dt.timedelta(days=1))  # not yet published
    second = _publish(2)
    assert selectors.find_current_notice(NoticeKind.GENERAL) == second
    assert selectors.get_current_notice(NoticeKind.HEALTH).version == 1


def test_no_published_notice_is_an_error():
    PrivacyNotice.objects.filter(kind=NoticeKind.HEALTH).delete()
    assert selectors.find_current_notice(NoticeKind.HEALTH) is None
    with pytest.raises(errors.NoticeNotPublishedError):
        selectors.get_current_notice(NoticeKind.HEALTH)


def test_has_consent_only_for_the_current_version_not_withdrawn():
    worker = WorkerProfileFactory().user
    assert not selectors.has_consent(worker, NoticeKind.GENERAL)
    consent = give_consent(worker)
    assert selectors.has_consent(worker, NoticeKind.GENERAL)
    assert not selectors.has_consent(worker, NoticeKind.HEALTH)
    consent.withdrawn_at = timezone.now()
    consent.save()
    assert not selectors.has_consent(worker, NoticeKind.GENERAL)


def test_consent_to_an_older_version_needs_renewal():
    worker = make_worker().user
    _publish(2)
    assert not selectors.has_consent(worker, NoticeKind.GENERAL)
    general, health, location = selectors.summarise_consents(worker)
    assert (general.kind, general.notice.version) == (NoticeKind.GENERAL, 2)
    assert (general.is_given, general.needs_renewal) == (False, True)
    assert (health.kind, health.is_given, health.needs_renewal) == (
        NoticeKind.HEALTH,
        False,
        False,
    )
    assert (location.kind, location.is_given) == (NoticeKind.LOCATION, False)


def test_anonymous_visitors_have_no_consent():
    assert not selectors.has_consent(AnonymousUser(), NoticeKind.GENERAL)


def test_finds_a_card_whose_owner_consents():
    profile = make_worker()
    assert selectors.get_profile_by_card_code(profile.card_code) == profile


def test_a_card_stops_working_when_consent_is_withdrawn():
    profile = make_worker()
    profile.user.consents.update(withdrawn_at=timezone.now())
    with pytest.raises(errors.InvalidCardError):
        selectors.get_profile_by_card_code(profile.card_code)


def test_an_unknown_card_is_not_found():
    with pytest.raises(errors.InvalidCardError):
        selectors.get_profile_by_card_code("no-such-card")


def test_a_user_without_a_worker_file_has_no_profile():
    with pytest.raises(errors.WorkerProfileNotFoundError):
        selectors.get_worker_profile(make_user(Role.WORKER))
