import uuid

import pytest

from warmbee.accounts.models import Role
from warmbee.core.models import AuditAction, AuditEntry
from warmbee.factories import StationFactory, make_user
from warmbee.stations import errors as station_errors
from warmbee.visits import errors
from warmbee.visits.models import Visit, VisitChannel
from warmbee.visits.services import record_card_check_in
from warmbee.workers.choices import NoticeKind
from warmbee.workers.services import withdraw_consent
from warmbee.workers.tests.factories import make_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def staffed_station():
    station = StationFactory()
    staff = make_user(Role.STATION_STAFF)
    station.staff.add(staff)
    return station, staff


def _scan(station, staff, worker, client_id=None, services=()):
    return record_card_check_in(
        actor=staff,
        client_id=client_id or uuid.uuid4(),
        station=station,
        worker=worker,
        service_codes=list(services),
    )


def test_a_scanned_card_puts_the_visit_on_the_workers_file(staffed_station):
    station, staff = staffed_station
    worker = make_worker().user
    outcome = _scan(station, staff, worker, services=["hot_water"])
    visit = Visit.objects.get()
    assert (visit.worker, visit.channel, visit.recorded_by) == (
        worker,
        VisitChannel.CARD,
        staff,
    )
    assert [amenity.code for amenity in visit.services.all()] == ["hot_water"]
    assert outcome.created
    assert (
        AuditEntry.objects.filter(action=AuditAction.CREATE, actor=staff).count() == 1
    )


def test_a_second_tap_does_not_count_twice(staffed_station):
    station, staff = staffed_station
    worker = make_worker().user
    client_id = uuid.uuid4()
    _scan(station, staff, worker, client_id)
    outcome = _scan(station, staff, worker, client_id)
    assert not outcome.created
    assert Visit.objects.count() == 1


def test_staff_of_another_station_cannot_record_it(staffed_station):
    station, _staff = staffed_station
    with pytest.raises(station_errors.NotStationStaffError):
        _scan(station, make_user(Role.STATION_STAFF), make_worker().user)
    assert not Visit.objects.exists()


def test_a_worker_who_withdrew_consent_is_not_put_on_file(staffed_station):
    station, staff = staffed_station
    worker = make_worker().user
    withdraw_consent(worker=worker, kind=NoticeKind.GENERAL)
    with pytest.raises(errors.WorkerNotOnFileError):
        _scan(station, staff, worker)
    assert not Visit.objects.exists()
