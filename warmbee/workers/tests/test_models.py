import datetime as dt

import pytest
from django.db import IntegrityError, connection
from django.utils import timezone, translation

from warmbee.workers.choices import NoticeKind
from warmbee.workers.models import PrivacyNotice
from warmbee.workers.tests.factories import give_consent, make_worker

pytestmark = pytest.mark.django_db


def test_version_one_of_every_notice_is_published_in_both_languages():
    notices = PrivacyNotice.objects.order_by("kind")
    assert [(notice.kind, notice.version) for notice in notices] == [
        (NoticeKind.GENERAL, 1),
        (NoticeKind.HEALTH, 1),
        (NoticeKind.LOCATION, 1),
    ]
    location = notices[2]
    assert "0.7平方公里" in location.text_zh
    assert "0.7 km²" in location.text_en
    general = notices[0]
    assert "阳曲县社区建设工委" in general.text_zh
    assert "community-building work committee" in general.text_en
    with translation.override("en"):
        assert general.text == general.text_en
    assert general.text == general.text_zh


def test_the_database_holds_no_plaintext_of_encrypted_fields():
    profile = make_worker(
        emergency_contact_phone="13912345678", id_number="14012219900101123X"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT emergency_contact_phone, id_number FROM workers_workerprofile "
            "WHERE id = %s",
            [profile.pk],
        )
        raw_phone, raw_id = cursor.fetchone()
    assert "13912345678" not in raw_phone
    assert "14012219900101123X" not in raw_id
    profile.refresh_from_db()
    assert profile.emergency_contact_phone == "13912345678"


def test_one_standing_consent_per_worker_and_notice():
    profile = make_worker()
    with pytest.raises(IntegrityError):
        give_consent(profile.user)


def test_consent_cannot_be_withdrawn_before_it_was_given():
    profile = make_worker()
    now = timezone.now()
    with pytest.raises(IntegrityError):
        give_consent(
            profile.user,
            NoticeKind.HEALTH,
            granted_at=now,
            withdrawn_at=now - dt.timedelta(minutes=1),
        )
