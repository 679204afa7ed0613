import pytest

from warmbee.accounts.models import Role
from warmbee.core.models import AuditAction, AuditEntry
from warmbee.factories import YANGQU_CODE, StationFactory, VisitFactory, make_user
from warmbee.workers import errors
from warmbee.workers.access import access_worker_file, open_sensitive_file
from warmbee.workers.choices import NoticeKind
from warmbee.workers.permissions import list_visible_profiles
from warmbee.workers.services import withdraw_consent
from warmbee.workers.tests.factories import give_consent, make_worker

pytestmark = pytest.mark.django_db

REASON = "家属来电核实紧急联系人"


@pytest.fixture
def visited():
    """A worker who visited one station twice; the station has its own staff."""
    station = StationFactory()
    staff = make_user(Role.STATION_STAFF)
    station.staff.add(staff)
    profile = make_worker(id_number="110101199003077571")
    VisitFactory.create_batch(2, station=station, worker=profile.user)
    return profile, station, staff


def test_staff_see_files_of_workers_who_used_their_stations_only(visited):
    profile, _station, staff = visited
    other_staff = make_user(Role.STATION_STAFF)
    other_staff_station = StationFactory()
    other_staff_station.staff.add(other_staff)
    assert list(list_visible_profiles(staff)) == [profile]
    assert list(list_visible_profiles(other_staff)) == []


def test_county_admin_sees_files_of_their_county_only(visited):
    profile, _station, _staff = visited
    assert list(list_visible_profiles(make_user(Role.COUNTY_ADMIN))) == [profile]
    assert list(list_visible_profiles(make_user(Role.DEPARTMENT_HANDLER))) == []
    assert list(list_visible_profiles(make_user(Role.WORKER))) == []


def test_doctors_see_files_of_workers_with_health_consent_only(visited):
    profile, _station, _staff = visited
    doctor = make_user(Role.DOCTOR)
    assert list(list_visible_profiles(doctor)) == []
    give_consent(profile.user, NoticeKind.HEALTH)
    assert list(list_visible_profiles(doctor)) == [profile]


def test_staff_reading_visits_writes_an_audit_entry(visited):
    profile, _station, staff = visited
    view = access_worker_file(viewer=staff, profile_id=profile.pk)
    visits = [entry for entry in view.timeline if entry.kind == "visit"]
    assert len(visits) == 2
    assert view.sensitive is None
    entry = AuditEntry.objects.get(action=AuditAction.READ_SENSITIVE)
    assert (entry.actor, entry.target_id, entry.fields) == (
        staff,
        str(profile.pk),
        ["visits"],
    )
    assert entry.county.code == YANGQU_CODE  # the county of the staff's station


def test_staff_see_only_visits_at_their_own_stations(visited):
    profile, _station, staff = visited
    VisitFactory(station=StationFactory(), worker=profile.user)
    view = access_worker_file(viewer=staff, profile_id=profile.pk)
    assert len([entry for entry in view.timeline if entry.kind == "visit"]) == 2


def test_admin_sees_no_visits_and_writes_nothing_without_a_reason(visited):
    profile, _station, _staff = visited
    view = access_worker_file(
        viewer=make_user(Role.COUNTY_ADMIN), profile_id=profile.pk
    )
    assert [entry for entry in view.timeline if entry.kind == "visit"] == []
    assert view.may_open_sensitive
    assert not AuditEntry.objects.filter(action=AuditAction.READ_SENSITIVE).exists()


def test_admin_opens_sensitive_parts_with_a_reason_and_it_is_logged(visited):
    profile, _station, _staff = visited
    admin = make_user(Role.COUNTY_ADMIN)
    view = open_sensitive_file(viewer=admin, profile_id=profile.pk, reason=REASON)
    assert view.sensitive.phone == profile.user.phone
    assert view.sensitive.id_number == "110101199003077571"
    assert len([entry for entry in view.timeline if entry.kind == "visit"]) == 2
    entry = AuditEntry.objects.get(action=AuditAction.READ_SENSITIVE)
    assert entry.actor == admin
    assert entry.reason == REASON
    assert entry.county.code == YANGQU_CODE
    assert entry.fields == ["emergency_contact_phone", "id_number", "phone", "visits"]


@pytest.mark.parametrize("reason", ["", "   ", "看看"])
def test_a_missing_or_too_short_reason_opens_nothing(visited, reason):
    profile, _station, _staff = visited
    with pytest.raises(errors.ReasonRequiredError):
        open_sensitive_file(
            viewer=make_user(Role.COUNTY_ADMIN), profile_id=profile.pk, reason=reason
        )
    assert not AuditEntry.objects.filter(action=AuditAction.READ_SENSITIVE).exists()


@pytest.mark.parametrize("role", [Role.STATION_STAFF, Role.DOCTOR, Role.WORKER])
def test_other_roles_cannot_open_sensitive_parts(visited, role):
    profile, _station, staff = visited
    viewer = staff if role == Role.STATION_STAFF else make_user(role)
    with pytest.raises(errors.SensitiveAccessDeniedError):
        open_sensitive_file(viewer=viewer, profile_id=profile.pk, reason=REASON)
    assert not AuditEntry.objects.filter(action=AuditAction.READ_SENSITIVE).exists()


def test_a_file_outside_the_scope_is_not_found(visited):
    profile, _station, _staff = visited
    stranger = make_user(Role.STATION_STAFF)
    with pytest.raises(errors.WorkerFileNotFoundError):
        access_worker_file(viewer=stranger, profile_id=profile.pk)
    with pytest.raises(errors.WorkerFileNotFoundError):
        access_worker_file(viewer=make_user(Role.COUNTY_ADMIN), profile_id=999_999)


def test_withdrawing_consent_hides_the_file_from_staff_but_not_from_admins(visited):
    profile, _station, staff = visited
    withdraw_consent(worker=profile.user, kind=NoticeKind.GENERAL)
    assert list(list_visible_profiles(staff)) == []
    assert list(list_visible_profiles(make_user(Role.COUNTY_ADMIN))) == [profile]


def test_staff_see_the_files_they_registered_before_any_visit():
    staff = make_user(Role.STATION_STAFF)
    StationFactory().staff.add(staff)
    profile = make_worker(registered_by=staff)
    assert list(list_visible_profiles(staff)) == [profile]
