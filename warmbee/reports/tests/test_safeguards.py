"""What keeps reports from being lost, doubled, misrouted or traced to their sender."""

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from warmbee.accounts.models import Role
from warmbee.core.images import InvalidImageError, sanitize_image
from warmbee.factories import make_user
from warmbee.reports import errors, services
from warmbee.reports.choices import EventKind, Feedback, ReportCategory, ReportStatus
from warmbee.reports.models import Report, RoutingRule
from warmbee.reports.selectors import count_hazard_positions, list_hazard_positions
from warmbee.reports.services import (
    accept_report,
    assign_report,
    give_feedback,
    resolve_report,
    submit_report,
)
from warmbee.reports.tests.factories import make_department, new_report, send_report
from warmbee.reports.tests.test_services import photo
from warmbee.workers.models import Consent

pytestmark = pytest.mark.django_db


def test_the_same_form_id_with_other_content_is_refused_not_swallowed(
    station, reporter, routed
):
    first = new_report()
    submit_report(reporter=reporter, new=first)
    changed = new_report(client_id=first.client_id, description="另一个坑，在桥下")

    with pytest.raises(errors.ReportClientIdReusedError):
        submit_report(reporter=reporter, new=changed)

    assert Report.objects.count() == 1


def test_a_worker_who_withdrew_consent_cannot_send_a_report(station, reporter, routed):
    Consent.objects.filter(worker=reporter).update(withdrawn_at=timezone.now())

    with pytest.raises(errors.ReportConsentNeededError):
        send_report(reporter)

    assert Report.objects.count() == 0


def test_the_form_says_the_consent_is_needed(client, station, reporter):
    Consent.objects.filter(worker=reporter).update(withdrawn_at=timezone.now())
    client.force_login(reporter)

    response = client.get(reverse("reports:new"))

    assert response.status_code == 403
    assert b'data-testid="report-consent-needed"' in response.content
    assert b'data-testid="report-form"' not in response.content


def test_a_failed_save_leaves_no_photo_file_and_gives_the_hourly_count_back(
    media, station, reporter, routed, monkeypatch
):
    def broken_audit(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "_audit_by_reporter", broken_audit)
    cache.clear()

    with pytest.raises(RuntimeError):
        submit_report(reporter=reporter, new=new_report(), photos=[photo()])

    assert Report.objects.count() == 0
    assert not any(path.is_file() for path in media.rglob("*"))
    assert cache.get(f"reports:sent:{reporter.pk}") == 0


def test_reopening_when_the_department_no_longer_receives_goes_to_the_county(
    station, routed, handler, department, reporter
):
    report = send_report(reporter)
    accept_report(report=report, handler=handler)
    resolve_report(report=report, handler=handler, note="已修补")
    department.is_active = False
    department.save()

    give_feedback(
        report=report,
        reporter=reporter,
        feedback=Feedback.NOT_SATISFIED,
        note="还是坑",
    )

    report.refresh_from_db()
    assert (report.status, report.department) == (ReportStatus.SUBMITTED, None)
    kinds = list(report.events.values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.REOPENED, EventKind.UNROUTED]


def test_an_assigned_report_gets_a_new_time_limit(station, reporter, yangqu):
    report = send_report(reporter)  # no rule: waits for the county
    Report.objects.filter(pk=report.pk).update(
        due_at=timezone.now() - dt.timedelta(days=1)
    )
    department = make_department("县城管局")
    admin = make_user(Role.COUNTY_ADMIN)

    assign_report(report=report, admin=admin, department=department)

    report.refresh_from_db()
    limit = dt.timedelta(days=3)
    assert report.due_at > timezone.now() + limit - dt.timedelta(minutes=1)


def test_the_hazard_layer_leaves_out_reports_placed_at_a_chosen_station(
    station, reporter, yangqu
):
    send_report(reporter, lat_deg=38.0611, lon_deg=112.6812)
    send_report(
        reporter,
        lat_deg=station.lat_deg,
        lon_deg=station.lon_deg,
        position_from_station=True,
    )
    since = timezone.now() - dt.timedelta(days=1)

    assert list_hazard_positions(yangqu, since) == [(38.0611, 112.6812)]
    assert count_hazard_positions(yangqu, since) == 1


def test_a_rule_cannot_send_one_countys_reports_to_anothers_department(yangqu, qingxu):
    theirs = make_department("清徐县城管局", county=qingxu)
    rule = RoutingRule(
        county=yangqu, category=ReportCategory.MANHOLE, department=theirs
    )

    with pytest.raises(ValidationError) as refused:
        rule.full_clean()

    assert set(refused.value.message_dict) == {"department"}


def test_a_rule_for_a_community_of_another_county_is_refused(yangqu, qingxu):
    ours = make_department("县城管局")
    rule = RoutingRule(
        county=yangqu,
        category=ReportCategory.MANHOLE,
        community=qingxu.children.get(),
        department=ours,
    )

    with pytest.raises(ValidationError) as refused:
        rule.full_clean()

    assert set(refused.value.message_dict) == {"community"}


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_tiny_file_claiming_too_many_pixels_is_refused_before_decoding():
    bomb = SimpleUploadedFile("bomb.png", _png(14_000, 14_000), "image/png")
    assert bomb.size is not None and bomb.size < 100_000

    with pytest.raises(InvalidImageError):
        sanitize_image(bomb)


def test_a_large_photo_is_kept_at_most_2560_pixels_wide():
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 3000), (90, 90, 90)).save(buffer, "JPEG")
    upload = SimpleUploadedFile("big.jpg", buffer.getvalue(), "image/jpeg")

    clean = sanitize_image(upload)

    assert Image.open(io.BytesIO(clean.read())).size == (2560, 1920)
