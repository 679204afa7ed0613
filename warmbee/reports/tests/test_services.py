"""Sending reports, moving them along, the reporter's feedback, and the worker's file."""

import datetime as dt
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from PIL import ExifTags, Image

from warmbee.accounts.models import Role
from warmbee.core.geo import station_cell
from warmbee.core.images import InvalidImageError
from warmbee.core.models import AppendOnlyError, AuditAction, AuditEntry
from warmbee.factories import community, make_user
from warmbee.reports import errors
from warmbee.reports.choices import (
    EventKind,
    Feedback,
    ReportCategory,
    ReportKind,
    ReportStatus,
)
from warmbee.reports.models import Report, ReportEvent, ReportPhoto
from warmbee.reports.services import (
    accept_report,
    add_progress_note,
    assign_report,
    feedback_is_open,
    give_feedback,
    resolve_report,
    return_report,
    submit_report,
)
from warmbee.reports.tests.factories import (
    make_department,
    make_handler,
    new_report,
    send_report,
)
from warmbee.workers import rights
from warmbee.workers.access import access_worker_file, open_sensitive_file
from warmbee.workers.identity import (
    ID_NUMBER_CHECK_CHARS,
    ID_NUMBER_WEIGHTS,
    id_number_lookup_hash,
)
from warmbee.workers.merging import merge_worker_files
from warmbee.workers.tests.factories import make_worker
from warmbee.workers.timeline import (
    OWNER_SCOPE,
    EntryKind,
    TimelineScope,
    list_timeline,
)

pytestmark = pytest.mark.django_db

STAFF_SCOPE = TimelineScope(
    visit_station_ids=None, include_health=True, include_consents=True
)


def audit_entries(report):
    return AuditEntry.objects.filter(
        target_type="reports.report", target_id=str(report.pk)
    )


def event_kinds(report):
    return list(report.events.values_list("kind", flat=True))


def history_size(report):
    return report.events.count(), audit_entries(report).count()


def jpeg_with_exif() -> bytes:
    """A small red JPEG that says which phone took it and where."""
    image = Image.new("RGB", (32, 24), (200, 30, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Spyphone"
    exif[ExifTags.Base.Model] = "Zhang San's phone"
    exif[ExifTags.IFD.GPSInfo] = {
        1: "N",
        2: (38.0, 3.0, 36.0),
        3: "E",
        4: (112.0, 40.0, 48.0),
    }
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def photo(name="zhangsan_home.jpg", content=None):
    return SimpleUploadedFile(
        name, jpeg_with_exif() if content is None else content, "image/jpeg"
    )


@pytest.fixture
def report(station, reporter, routed):
    """A damaged road in Xinyang, sent to ``department``."""
    return send_report(reporter)


@pytest.fixture
def accepted(report, handler):
    return accept_report(report=report, handler=handler)


@pytest.fixture
def resolved(accepted, handler):
    return resolve_report(report=accepted, handler=handler, note="已修补路面")


@pytest.fixture
def county_admin():
    return make_user(Role.COUNTY_ADMIN)


# Sending a report


def test_submit_records_the_report_routes_it_and_logs_it(
    station, reporter, routed, department, yangqu
):
    new = new_report(place_note="东风路口北侧")

    report = submit_report(reporter=reporter, new=new)

    report.refresh_from_db()
    assert report.client_id == new.client_id
    assert report.reporter == reporter
    assert (report.county, report.community) == (yangqu, station.community)
    assert (report.kind, report.category) == (
        ReportKind.HAZARD,
        ReportCategory.ROAD_DAMAGE,
    )
    assert (report.description, report.place_note) == ("路面塌了一个坑", "东风路口北侧")
    assert (report.lat_deg, report.lon_deg) == (38.0601, 112.6801)
    assert report.h3_cell == station_cell(38.0601, 112.6801)
    assert report.department == department
    assert report.status == ReportStatus.SUBMITTED
    assert report.resolved_at is None
    assert report.due_at - report.created_at == dt.timedelta(days=3)
    assert timezone.now() - report.created_at < dt.timedelta(minutes=1)
    events = list(report.events.values_list("kind", "actor", "department"))
    # The ledger names nobody for the sender (the report knows who it is).
    assert events == [
        (EventKind.SUBMITTED, None, None),
        (EventKind.ROUTED, None, department.pk),
    ]
    entry = audit_entries(report).get()
    assert entry.action == AuditAction.CREATE
    assert entry.actor == reporter
    assert (entry.actor_label, entry.ip_address, entry.user_agent) == (
        "reporter",
        None,
        "",
    )
    assert entry.county == yangqu


@pytest.mark.parametrize(
    ("category", "kind", "limit"),
    [
        (ReportCategory.MANHOLE, ReportKind.HAZARD, dt.timedelta(hours=24)),
        (ReportCategory.FALLING_OBJECT, ReportKind.HAZARD, dt.timedelta(hours=24)),
        (ReportCategory.EXPOSED_WIRE, ReportKind.HAZARD, dt.timedelta(hours=24)),
        (ReportCategory.ROAD_DAMAGE, ReportKind.HAZARD, dt.timedelta(days=3)),
        (ReportCategory.STREET_LIGHT, ReportKind.HAZARD, dt.timedelta(days=3)),
        (ReportCategory.OTHER_HAZARD, ReportKind.HAZARD, dt.timedelta(days=3)),
        (ReportCategory.PUBLIC_SERVICE, ReportKind.OPINION, dt.timedelta(days=7)),
        (ReportCategory.WORKER_RIGHTS, ReportKind.OPINION, dt.timedelta(days=7)),
        (ReportCategory.OTHER_OPINION, ReportKind.OPINION, dt.timedelta(days=7)),
    ],
)
def test_kind_and_time_limit_follow_the_category(
    station, reporter, category, kind, limit
):
    # The form gives the category as a plain string.
    report = send_report(reporter, category=str(category.value))
    report.refresh_from_db()
    assert report.kind == kind
    assert report.due_at - report.created_at == limit


def test_the_same_form_sent_twice_makes_one_report(station, reporter, routed):
    new = new_report()

    first = submit_report(reporter=reporter, new=new)
    second = submit_report(reporter=reporter, new=new)

    assert second.pk == first.pk
    assert Report.objects.count() == 1
    assert history_size(first) == (2, 1)


def test_a_client_id_of_another_reporter_is_refused(station, reporter, routed):
    client_id = uuid.uuid4()
    first = send_report(reporter, client_id=client_id)
    other = make_worker().user

    with pytest.raises(errors.ReportClientIdReusedError):
        send_report(other, client_id=client_id, description="别人的报告")

    assert list(Report.objects.values_list("pk", "reporter")) == [
        (first.pk, reporter.pk)
    ]


# Photos


def test_a_photo_is_stored_re_encoded_without_its_metadata(
    media, station, reporter, routed
):
    upload = photo()
    assert Image.open(io.BytesIO(upload.read())).getexif()  # the phone's data is there
    upload.seek(0)

    report = submit_report(reporter=reporter, new=new_report(), photos=[upload])

    stored = ReportPhoto.objects.get(report=report)
    assert stored.image.name.startswith("reports/")
    assert stored.image.name.endswith(".jpg")
    assert "zhangsan" not in stored.image.name
    path = media / stored.image.name
    assert stored.image.path == str(path)
    assert path.is_file()
    raw = path.read_bytes()
    assert b"Spyphone" not in raw
    assert b"Zhang San" not in raw
    with Image.open(path) as image:
        assert image.format == "JPEG"
        assert image.size == (32, 24)
        assert not image.getexif()
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert "exif" not in image.info


def test_a_file_that_is_no_image_is_refused_and_nothing_is_saved(
    media, station, reporter, routed
):
    fake = photo("notes.jpg", b"this is not a picture at all")
    with pytest.raises(InvalidImageError):
        submit_report(reporter=reporter, new=new_report(), photos=[photo(), fake])
    assert not Report.objects.exists()
    assert not ReportPhoto.objects.exists()
    assert not ReportEvent.objects.exists()
    assert not (media / "reports").exists() or not any((media / "reports").iterdir())


def test_three_photos_are_taken_four_are_refused(media, station, reporter, routed):
    with pytest.raises(errors.TooManyPhotosError) as caught:
        submit_report(
            reporter=reporter, new=new_report(), photos=[photo() for _ in range(4)]
        )
    assert caught.value.params == {"limit": 3}
    assert not Report.objects.exists()

    report = submit_report(
        reporter=reporter, new=new_report(), photos=[photo() for _ in range(3)]
    )
    assert report.photos.count() == 3


# The hourly limit


def test_the_sixth_report_within_an_hour_is_refused(
    settings, station, reporter, routed
):
    settings.REPORT_LIMIT_PER_HOUR = 5
    for _ in range(5):
        send_report(reporter)
    refused = new_report()

    with pytest.raises(errors.ReportRateLimitedError) as caught:
        submit_report(reporter=reporter, new=refused)

    assert caught.value.status_code == 429
    assert caught.value.params == {"limit": 5}
    assert Report.objects.count() == 5
    assert not Report.objects.filter(client_id=refused.client_id).exists()
    assert ReportEvent.objects.count() == 10
    # Another reporter has their own limit.
    send_report(make_worker().user)


def test_sending_the_same_form_again_does_not_count_against_the_limit(
    settings, station, reporter, routed
):
    settings.REPORT_LIMIT_PER_HOUR = 5
    first = new_report()
    submit_report(reporter=reporter, new=first)
    for _ in range(5):
        assert submit_report(reporter=reporter, new=first).client_id == first.client_id
    for _ in range(4):
        send_report(reporter)
    assert Report.objects.count() == 5

    # Repeating a sent form is still answered once the limit is reached.
    assert submit_report(reporter=reporter, new=first).client_id == first.client_id
    with pytest.raises(errors.ReportRateLimitedError):
        send_report(reporter)


# Handling: accept, progress notes, resolve


def test_the_department_accepts_a_report(report, handler, department, yangqu):
    before = history_size(report)

    accepted = accept_report(report=report, handler=handler, note="  已派人查看  ")

    accepted.refresh_from_db()
    assert accepted.status == ReportStatus.ACCEPTED
    assert history_size(report) == (before[0] + 1, before[1] + 1)
    event = report.events.last()
    assert (event.kind, event.actor, event.department, event.note) == (
        EventKind.ACCEPTED,
        handler,
        department,
        "已派人查看",
    )
    entry = audit_entries(report).order_by("id").last()
    assert (entry.action, entry.actor, entry.county) == (
        AuditAction.UPDATE,
        handler,
        yangqu,
    )


def test_accepting_twice_is_refused(report, handler):
    accept_report(report=report, handler=handler)
    before = history_size(report)

    with pytest.raises(errors.ReportMovedOnError):
        accept_report(report=report, handler=handler)

    assert history_size(report) == before


def test_a_report_that_moved_on_is_refused_from_a_stale_copy(report, handler):
    stale = Report.objects.get(pk=report.pk)
    resolve_report(report=report, handler=handler, note="已修好")
    assert stale.status == ReportStatus.SUBMITTED

    with pytest.raises(errors.ReportMovedOnError):
        accept_report(report=stale, handler=handler)
    report.refresh_from_db()
    assert report.status == ReportStatus.RESOLVED


@pytest.mark.parametrize("who", ["other_handler", "county_admin", "inactive_handler"])
def test_only_a_handler_of_the_report_department_acts_on_it(report, department, who):
    if who == "other_handler":
        user = make_handler(make_department("县交通局"))
    elif who == "county_admin":
        user = make_user(Role.COUNTY_ADMIN)
    else:
        user = make_handler(department)
        user.is_active = False
        user.save()
    before = history_size(report)

    with pytest.raises(errors.NotHandlerError):
        accept_report(report=report, handler=user)
    with pytest.raises(errors.NotHandlerError):
        resolve_report(report=report, handler=user, note="不是我的")
    with pytest.raises(errors.NotHandlerError):
        return_report(report=report, handler=user, note="不是我的")

    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert history_size(report) == before


def test_nobody_handles_a_report_without_a_department(station, reporter, handler):
    unrouted = send_report(reporter, category=ReportCategory.WATER_ICE)
    with pytest.raises(errors.NotHandlerError):
        accept_report(report=unrouted, handler=handler)


def test_a_progress_note_is_added_to_an_accepted_report(accepted, handler, department):
    before = history_size(accepted)

    add_progress_note(report=accepted, handler=handler, note=" 材料已采购 ")

    accepted.refresh_from_db()
    assert accepted.status == ReportStatus.ACCEPTED
    assert history_size(accepted) == (before[0] + 1, before[1] + 1)
    event = accepted.events.last()
    assert (event.kind, event.note, event.actor, event.department) == (
        EventKind.NOTE,
        "材料已采购",
        handler,
        department,
    )


def test_a_progress_note_needs_words(accepted, handler):
    before = history_size(accepted)
    with pytest.raises(errors.NoteRequiredError):
        add_progress_note(report=accepted, handler=handler, note="   ")
    assert history_size(accepted) == before


@pytest.mark.parametrize("state", ["submitted", "resolved"])
def test_a_progress_note_only_on_an_accepted_report(report, handler, state):
    if state == "resolved":
        resolve_report(report=report, handler=handler, note="已修好")
    before = history_size(report)
    with pytest.raises(errors.ReportMovedOnError):
        add_progress_note(report=report, handler=handler, note="进展")
    assert history_size(report) == before


def test_resolving_needs_a_note_and_records_when(accepted, handler):
    with pytest.raises(errors.NoteRequiredError):
        resolve_report(report=accepted, handler=handler, note="")
    accepted.refresh_from_db()
    assert accepted.status == ReportStatus.ACCEPTED
    assert accepted.resolved_at is None
    before = history_size(accepted)

    started = timezone.now()
    resolve_report(report=accepted, handler=handler, note="已修补路面")

    accepted.refresh_from_db()
    assert accepted.status == ReportStatus.RESOLVED
    assert started <= accepted.resolved_at <= timezone.now()
    assert history_size(accepted) == (before[0] + 1, before[1] + 1)
    event = accepted.events.last()
    assert (event.kind, event.note) == (EventKind.RESOLVED, "已修补路面")
    with pytest.raises(errors.ReportMovedOnError):
        resolve_report(report=accepted, handler=handler, note="再来一次")


# Returning and assigning


def test_a_department_returns_a_report_to_the_county(
    accepted, handler, department, county_admin
):
    before = history_size(accepted)

    return_report(report=accepted, handler=handler, note="这是交通局的事")

    accepted.refresh_from_db()
    assert accepted.department is None
    assert accepted.status == ReportStatus.SUBMITTED
    assert history_size(accepted) == (before[0] + 1, before[1] + 1)
    event = accepted.events.last()
    assert (event.kind, event.department, event.actor, event.note) == (
        EventKind.RETURNED,
        department,
        handler,
        "这是交通局的事",
    )
    # The department can no longer act on it.
    with pytest.raises(errors.NotHandlerError):
        accept_report(report=accepted, handler=handler)


def test_returning_needs_a_note(report, handler, department):
    with pytest.raises(errors.NoteRequiredError):
        return_report(report=report, handler=handler, note=" ")
    report.refresh_from_db()
    assert report.department == department


def test_the_county_admin_assigns_a_waiting_report(
    station, reporter, county_admin, department, handler
):
    waiting = send_report(reporter, category=ReportCategory.WATER_ICE)
    before = history_size(waiting)

    assign_report(report=waiting, admin=county_admin, department=department)

    waiting.refresh_from_db()
    assert waiting.department == department
    assert waiting.status == ReportStatus.SUBMITTED
    assert history_size(waiting) == (before[0] + 1, before[1] + 1)
    event = waiting.events.last()
    assert (event.kind, event.actor, event.department) == (
        EventKind.ASSIGNED,
        county_admin,
        department,
    )
    accept_report(report=waiting, handler=handler)


def test_a_returned_report_is_assigned_to_another_department(
    accepted, handler, county_admin
):
    return_report(report=accepted, handler=handler, note="不归我们管")
    transport = make_department("县交通局")
    transport_handler = make_handler(transport)

    assign_report(report=accepted, admin=county_admin, department=transport)

    accepted.refresh_from_db()
    assert accepted.department == transport
    assert accepted.status == ReportStatus.SUBMITTED
    accept_report(report=accepted, handler=transport_handler)
    assert event_kinds(accepted)[-3:] == [
        EventKind.RETURNED,
        EventKind.ASSIGNED,
        EventKind.ACCEPTED,
    ]


def test_an_accepted_report_can_be_reassigned_and_waits_again(accepted, county_admin):
    transport = make_department("县交通局")
    assign_report(report=accepted, admin=county_admin, department=transport)
    accepted.refresh_from_db()
    assert (accepted.department, accepted.status) == (
        transport,
        ReportStatus.SUBMITTED,
    )


def test_a_province_admin_may_assign(report, department):
    province_admin = make_user(Role.PROVINCE_ADMIN)
    transport = make_department("县交通局")
    assign_report(report=report, admin=province_admin, department=transport)
    report.refresh_from_db()
    assert report.department == transport


@pytest.mark.parametrize("who", ["other_county_admin", "handler", "worker"])
def test_only_the_report_county_admin_assigns(report, department, qingxu, who):
    if who == "other_county_admin":
        user = make_user(Role.COUNTY_ADMIN, region=qingxu)
    elif who == "handler":
        user = make_handler(department)
    else:
        user = report.reporter
    transport = make_department("县交通局")
    before = history_size(report)

    with pytest.raises(errors.ReportNotFoundError):
        assign_report(report=report, admin=user, department=transport)

    report.refresh_from_db()
    assert report.department == department
    assert history_size(report) == before


@pytest.mark.parametrize("which", ["other_county", "inactive"])
def test_only_an_active_department_of_the_report_county_is_assigned(
    report, department, county_admin, qingxu, which
):
    if which == "other_county":
        target = make_department("清徐县住建局", county=qingxu)
    else:
        target = make_department("旧工作站", is_active=False)
    before = history_size(report)

    with pytest.raises(errors.DepartmentNotInCountyError):
        assign_report(report=report, admin=county_admin, department=target)

    report.refresh_from_db()
    assert report.department == department
    assert history_size(report) == before


def test_a_resolved_report_is_not_assigned(resolved, county_admin):
    with pytest.raises(errors.ReportMovedOnError):
        assign_report(
            report=resolved,
            admin=county_admin,
            department=make_department("县交通局"),
        )
    resolved.refresh_from_db()
    assert resolved.status == ReportStatus.RESOLVED


def test_every_change_appends_one_event_and_one_audit_entry(
    report, handler, reporter, county_admin, department
):
    steps = [
        (EventKind.ACCEPTED, lambda: accept_report(report=report, handler=handler)),
        (
            EventKind.NOTE,
            lambda: add_progress_note(report=report, handler=handler, note="进展"),
        ),
        (
            EventKind.RESOLVED,
            lambda: resolve_report(report=report, handler=handler, note="已修好"),
        ),
        (
            EventKind.REOPENED,
            lambda: give_feedback(
                report=report,
                reporter=reporter,
                feedback=Feedback.NOT_SATISFIED,
                note="还是坏的",
            ),
        ),
        (
            EventKind.RETURNED,
            lambda: return_report(report=report, handler=handler, note="不归我们"),
        ),
        (
            EventKind.ASSIGNED,
            lambda: assign_report(
                report=report, admin=county_admin, department=department
            ),
        ),
    ]
    for kind, step in steps:
        events, audits = history_size(report)
        step()
        assert history_size(report) == (events + 1, audits + 1), kind
        assert report.events.last().kind == kind
        assert audit_entries(report).order_by("id").last().action == AuditAction.UPDATE


# The history is append-only


def test_report_events_cannot_be_changed_or_removed(report):
    event = report.events.first()
    event.note = "rewritten"

    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        ReportEvent.objects.filter(pk=event.pk).update(note="rewritten")
    with pytest.raises(AppendOnlyError):
        ReportEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        report.events.update(note="rewritten")
    with pytest.raises(AppendOnlyError):
        report.events.all().delete()

    assert ReportEvent.objects.count() == 2
    assert set(ReportEvent.objects.values_list("note", flat=True)) == {""}


def test_a_new_event_cannot_overwrite_an_existing_one(report):
    first = report.events.first()
    forged = ReportEvent(
        pk=first.pk,
        report=report,
        at=timezone.now(),
        kind=EventKind.RESOLVED,
        note="forged",
    )
    with pytest.raises((AppendOnlyError, IntegrityError)), transaction.atomic():
        forged.save()
    assert ReportEvent.objects.get(pk=first.pk).kind == EventKind.SUBMITTED


# The reference quoted by reporters and departments


def test_the_reference_is_the_date_sent_and_the_number(report):
    sent = dt.datetime(2026, 11, 29, 6, 0, tzinfo=dt.UTC)  # 14:00 in Beijing
    Report.objects.filter(pk=report.pk).update(created_at=sent)
    report.refresh_from_db()
    assert report.reference == f"20261129-{report.pk}"


def test_the_reference_carries_the_local_date_it_was_sent(report):
    sent = dt.datetime(2026, 11, 29, 23, 30, tzinfo=dt.UTC)  # 30 Nov 07:30 in Beijing
    Report.objects.filter(pk=report.pk).update(created_at=sent)
    report.refresh_from_db()
    assert timezone.localtime(report.created_at).date() == dt.date(2026, 11, 30)
    assert report.reference == f"20261130-{report.pk}"


# Feedback from the reporter


def test_feedback_only_on_a_resolved_report(accepted, reporter):
    assert not feedback_is_open(accepted)
    before = history_size(accepted)
    with pytest.raises(errors.ReportMovedOnError):
        give_feedback(report=accepted, reporter=reporter, feedback=Feedback.SATISFIED)
    assert history_size(accepted) == before


def test_a_satisfied_reporter_closes_the_feedback(resolved, reporter):
    assert feedback_is_open(resolved)

    give_feedback(
        report=resolved, reporter=reporter, feedback=Feedback.SATISFIED, note=" 谢谢 "
    )

    resolved.refresh_from_db()
    assert resolved.status == ReportStatus.RESOLVED
    event = resolved.events.last()
    assert (event.kind, event.actor, event.note) == (
        EventKind.SATISFIED,
        None,
        "谢谢",
    )
    assert not feedback_is_open(resolved)
    before = history_size(resolved)
    with pytest.raises(errors.FeedbackClosedError):
        give_feedback(
            report=resolved,
            reporter=reporter,
            feedback=Feedback.NOT_SATISFIED,
            note="x",
        )
    assert history_size(resolved) == before


def test_not_satisfied_needs_a_note(resolved, reporter):
    with pytest.raises(errors.NoteRequiredError):
        give_feedback(
            report=resolved,
            reporter=reporter,
            feedback=Feedback.NOT_SATISFIED,
            note="  ",
        )
    resolved.refresh_from_db()
    assert resolved.status == ReportStatus.RESOLVED
    assert resolved.resolved_at is not None
    assert event_kinds(resolved)[-1] == EventKind.RESOLVED


def test_not_satisfied_reopens_the_report_with_a_new_time_limit(
    resolved, reporter, handler, department
):
    Report.objects.filter(pk=resolved.pk).update(
        due_at=timezone.now() - dt.timedelta(days=1)
    )
    started = timezone.now()

    give_feedback(
        report=resolved,
        reporter=reporter,
        feedback=Feedback.NOT_SATISFIED,
        note="坑还在",
    )

    resolved.refresh_from_db()
    assert resolved.status == ReportStatus.ACCEPTED
    assert resolved.resolved_at is None
    assert resolved.department == department
    limit = dt.timedelta(days=3)
    assert started + limit <= resolved.due_at <= timezone.now() + limit
    event = resolved.events.last()
    assert (event.kind, event.actor, event.note, event.department) == (
        EventKind.REOPENED,
        None,
        "坑还在",
        department,
    )
    assert not feedback_is_open(resolved)
    # The department works on it again and the reporter can answer again.
    add_progress_note(report=resolved, handler=handler, note="重新修补")
    resolve_report(report=resolved, handler=handler, note="已重新修补")
    resolved.refresh_from_db()
    assert feedback_is_open(resolved)


@pytest.mark.parametrize(
    ("days_ago", "is_open"), [(13, True), (15, False)], ids=["day13", "day15"]
)
def test_feedback_closes_after_the_feedback_days(resolved, reporter, days_ago, is_open):
    Report.objects.filter(pk=resolved.pk).update(
        resolved_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    resolved.refresh_from_db()

    assert feedback_is_open(resolved) is is_open
    if is_open:
        give_feedback(report=resolved, reporter=reporter, feedback=Feedback.SATISFIED)
        assert event_kinds(resolved)[-1] == EventKind.SATISFIED
    else:
        before = history_size(resolved)
        with pytest.raises(errors.FeedbackClosedError) as caught:
            give_feedback(
                report=resolved,
                reporter=reporter,
                feedback=Feedback.NOT_SATISFIED,
                note="坑还在",
            )
        assert caught.value.params == {"days": 14}
        resolved.refresh_from_db()
        assert resolved.status == ReportStatus.RESOLVED
        assert history_size(resolved) == before


def test_only_the_reporter_gives_feedback(resolved, handler):
    someone = make_worker().user
    for user in (someone, handler):
        with pytest.raises(errors.ReportNotFoundError):
            give_feedback(report=resolved, reporter=user, feedback=Feedback.SATISFIED)
    assert event_kinds(resolved)[-1] == EventKind.RESOLVED


# The worker's file: deletion, merging, export, timeline


def test_deleting_the_account_keeps_the_reports_without_the_reporter(station, routed):
    profile = make_worker()
    report = send_report(profile.user)
    other = send_report(make_worker().user)

    rights.delete_my_account(worker=profile.user, confirmation="DELETE")

    report.refresh_from_db()
    assert report.reporter is None
    assert report.events.count() == 2
    assert Report.objects.count() == 2
    other.refresh_from_db()
    assert other.reporter is not None


def test_anonymising_a_file_detaches_its_reports(station, routed):
    profile = make_worker()
    report = send_report(profile.user)

    rights.anonymise_worker(profile=profile, actor=None, reason="长期未使用")

    report.refresh_from_db()
    assert report.reporter_id is None
    assert Report.objects.filter(pk=report.pk).exists()


def _id_number(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_NUMBER_WEIGHTS, strict=True))
    return first17 + ID_NUMBER_CHECK_CHARS[total % 11]


def _file_in_yangqu(number: str):
    profile = make_worker(
        id_number=number, id_number_hash=id_number_lookup_hash(number)
    )
    profile.work_communities.add(community())
    return profile


def test_merging_files_moves_the_reports_to_the_kept_file(
    station, routed, county_admin
):
    number = _id_number("14012219900307757")
    keep, duplicate = _file_in_yangqu(number), _file_in_yangqu(number)
    kept_report = send_report(keep.user)
    moved = send_report(duplicate.user)

    merge_worker_files(
        actor=county_admin,
        keep=keep,
        duplicate=duplicate,
        reason="同一人用两个号码注册",
    )

    moved.refresh_from_db()
    kept_report.refresh_from_db()
    assert moved.reporter_id == keep.user_id
    assert kept_report.reporter_id == keep.user_id
    assert not Report.objects.filter(reporter_id=duplicate.user_id).exists()
    entry = AuditEntry.objects.get(action=AuditAction.MERGE, target_id=str(keep.pk))
    # Moved, but not counted: a count on a named file says how many reports they sent.
    assert "reports" in entry.fields
    assert not any(field.startswith("reports:") for field in entry.fields)


def test_the_export_document_holds_the_worker_reports(
    media, station, routed, department
):
    profile = make_worker()
    report = submit_report(
        reporter=profile.user, new=new_report(place_note="路口"), photos=[photo()]
    )
    send_report(make_worker().user)  # someone else's

    document = rights.build_export_document(profile)

    assert document["reports"] == [
        {
            "reference": report.reference,
            "category": ReportCategory.ROAD_DAMAGE,
            "description": "路面塌了一个坑",
            "place_note": "路口",
            "lat_deg": 38.0601,
            "lon_deg": 112.6801,
            "sent_at": report.created_at.isoformat(),
            "status": ReportStatus.SUBMITTED,
            "department": department.name,
            "photos": 1,
        }
    ]


def test_the_owner_sees_reports_in_the_timeline_and_staff_do_not(station, routed):
    profile = make_worker()
    send_report(profile.user)

    owner_kinds = [entry.kind for entry in list_timeline(profile, OWNER_SCOPE)]
    staff_kinds = [entry.kind for entry in list_timeline(profile, STAFF_SCOPE)]

    assert owner_kinds.count(EntryKind.REPORT) == 1
    assert EntryKind.REPORT not in staff_kinds
    assert EntryKind.REGISTRATION in staff_kinds


def test_an_administrator_opening_the_file_is_not_shown_the_reports(
    station, routed, county_admin
):
    profile = _file_in_yangqu("")
    send_report(profile.user)

    seen = access_worker_file(viewer=county_admin, profile_id=profile.pk)
    opened = open_sensitive_file(
        viewer=county_admin, profile_id=profile.pk, reason="核实登记信息是否正确"
    )

    for view in (seen, opened):
        kinds = [entry.kind for entry in view.timeline]
        assert EntryKind.REGISTRATION in kinds
        assert EntryKind.REPORT not in kinds
