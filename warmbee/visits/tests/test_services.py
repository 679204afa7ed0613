import datetime as dt
import uuid

import pytest
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone

from warmbee.accounts.models import Role
from warmbee.core.models import AuditAction, AuditEntry
from warmbee.factories import YANGQU_CODE, StationFactory, make_user
from warmbee.stations import errors as station_errors
from warmbee.visits import errors
from warmbee.visits.models import Visit, VisitChannel
from warmbee.visits.services import check_in, record_walk_in, record_walk_ins
from warmbee.workers.tests.factories import give_consent

pytestmark = pytest.mark.django_db


def _local(*parts: int) -> dt.datetime:
    """Return an aware datetime in Asia/Shanghai."""
    return timezone.make_aware(dt.datetime(*parts))  # noqa: DTZ001


# An ordinary Wednesday morning.
NOW = (2026, 3, 4, 10, 0)


@pytest.fixture(autouse=True)
def _max_delay(settings):
    settings.VISIT_MAX_DELAY_HOURS = 72


@pytest.fixture
def station():
    return StationFactory(opening_hours="Mo-Su 08:00-18:00")


def _check_in(station, **overrides):
    fields = {
        "client_id": uuid.uuid4(),
        "station": station,
        "visited_at": _local(*NOW) - dt.timedelta(minutes=1),
        "service_codes": [],
        "visitor": None,
        "now": _local(*NOW),
    }
    fields.update(overrides)
    return check_in(**fields)


def _visits():
    return list(
        Visit.objects.order_by("pk").values_list(
            "client_id", "station", "visited_at", "worker", "channel", "recorded_by"
        )
    )


# --- check-in ------------------------------------------------------------------------


def test_check_in_records_an_anonymous_visit(station):
    client_id = uuid.uuid4()
    visited_at = _local(2026, 3, 4, 9, 58)

    outcome = _check_in(
        station,
        client_id=client_id,
        visited_at=visited_at,
        service_codes=["hot_water", "microwave"],
    )

    assert outcome.created is True
    visit = Visit.objects.get()
    assert outcome.visit == visit
    assert (visit.client_id, visit.station, visit.visited_at) == (
        client_id,
        station,
        visited_at,
    )
    assert (visit.worker, visit.channel, visit.recorded_by) == (
        None,
        VisitChannel.QR,
        None,
    )
    assert sorted(visit.services.values_list("code", flat=True)) == [
        "hot_water",
        "microwave",
    ]


def test_check_in_twice_with_the_same_client_id_counts_once(station):
    client_id = uuid.uuid4()
    first = _check_in(station, client_id=client_id, service_codes=["toilet"])

    second = _check_in(
        station,
        client_id=client_id,
        visited_at=_local(*NOW),
        service_codes=["hot_water"],
    )

    assert (first.created, second.created) == (True, False)
    assert second.visit == first.visit
    assert Visit.objects.count() == 1
    visit = Visit.objects.get()
    assert visit.visited_at == _local(*NOW) - dt.timedelta(minutes=1)
    assert list(visit.services.values_list("code", flat=True)) == ["toilet"]


def test_resending_a_recorded_check_in_is_answered_even_after_the_delay_limit(
    station,
):
    client_id = uuid.uuid4()
    _check_in(station, client_id=client_id)

    again = _check_in(
        station, client_id=client_id, now=_local(*NOW) + dt.timedelta(hours=100)
    )

    assert again.created is False
    assert Visit.objects.count() == 1


def test_same_client_id_at_another_station_is_refused_and_changes_nothing(station):
    client_id = uuid.uuid4()
    _check_in(station, client_id=client_id)
    before = _visits()
    other = StationFactory()

    with pytest.raises(errors.ClientIdReusedError) as raised:
        _check_in(other, client_id=client_id)

    assert (raised.value.status_code, raised.value.code) == (409, "client_id_reused")
    assert _visits() == before


def test_check_in_at_a_closed_station_is_refused(station):
    evening = _local(2026, 3, 4, 20, 0)

    with pytest.raises(station_errors.StationClosedError) as raised:
        _check_in(station, visited_at=evening, now=evening)

    assert (raised.value.status_code, raised.value.code) == (409, "station_closed")
    assert raised.value.params == {"station": station.name}
    assert Visit.objects.count() == 0


def test_check_in_during_a_temporary_closure_is_refused():
    station = StationFactory(
        opening_hours="24/7",
        closed_until=_local(2026, 3, 5, 12, 0),
        closure_reason="停水检修",
    )

    with pytest.raises(station_errors.StationClosedError):
        _check_in(station)

    assert Visit.objects.count() == 0


def test_a_queued_check_in_sent_later_keeps_its_original_time(station):
    # Checked in at 17:55 without signal; the phone sends it at 20:00, after closing.
    visited_at = _local(2026, 3, 4, 17, 55)

    outcome = _check_in(station, visited_at=visited_at, now=_local(2026, 3, 4, 20, 0))

    assert outcome.created is True
    assert Visit.objects.get().visited_at == visited_at


def test_a_check_in_queued_for_almost_the_whole_delay_is_accepted(station):
    now = _local(*NOW)
    visited_at = now - dt.timedelta(hours=72)

    _check_in(station, visited_at=visited_at, now=now)

    assert Visit.objects.get().visited_at == visited_at


def test_a_check_in_older_than_the_delay_limit_is_refused(station):
    now = _local(*NOW)

    with pytest.raises(errors.VisitTooOldError) as raised:
        _check_in(station, visited_at=now - dt.timedelta(hours=72, seconds=1), now=now)

    assert raised.value.code == "visit_too_old"
    assert raised.value.params == {"hours": 72}
    assert Visit.objects.count() == 0


def test_the_delay_limit_comes_from_settings(station, settings):
    settings.VISIT_MAX_DELAY_HOURS = 24
    now = _local(*NOW)

    with pytest.raises(errors.VisitTooOldError) as raised:
        _check_in(station, visited_at=now - dt.timedelta(hours=25), now=now)

    assert raised.value.params == {"hours": 24}
    assert Visit.objects.count() == 0


def test_a_check_in_up_to_five_minutes_ahead_is_accepted(station):
    now = _local(*NOW)

    _check_in(station, visited_at=now + dt.timedelta(minutes=5), now=now)

    assert Visit.objects.get().visited_at == now + dt.timedelta(minutes=5)


def test_a_check_in_more_than_five_minutes_in_the_future_is_refused(station):
    now = _local(*NOW)

    with pytest.raises(errors.VisitTimeInFutureError) as raised:
        _check_in(station, visited_at=now + dt.timedelta(minutes=5, seconds=1), now=now)

    assert raised.value.code == "visit_time_in_future"
    assert Visit.objects.count() == 0


def test_an_unknown_service_is_refused_and_nothing_is_recorded(station):
    with pytest.raises(station_errors.UnknownAmenityError) as raised:
        _check_in(station, service_codes=["hot_water", "spa", "sauna"])

    assert raised.value.params == {"codes": "sauna, spa"}
    assert Visit.objects.count() == 0
    assert Visit.services.through.objects.count() == 0


def test_a_signed_in_worker_checks_in_on_their_file(station):
    worker = make_user(Role.WORKER)
    give_consent(worker)

    outcome = _check_in(station, visitor=worker)

    assert outcome.visit.worker == worker
    assert Visit.objects.get().worker == worker


def test_a_worker_who_withdrew_consent_is_counted_anonymously(station):
    worker = make_user(Role.WORKER)
    now = timezone.now()
    give_consent(worker, granted_at=now - dt.timedelta(hours=1), withdrawn_at=now)

    outcome = _check_in(station, visitor=worker)

    assert outcome.created is True
    assert Visit.objects.get().worker is None


@pytest.mark.parametrize(
    "role", [Role.STATION_STAFF, Role.COUNTY_ADMIN, Role.DOCTOR, Role.PROVINCE_ADMIN]
)
def test_staff_scanning_a_poster_are_counted_anonymously(station, role):
    user = make_user(role)

    outcome = _check_in(station, visitor=user)

    assert outcome.created is True
    visit = Visit.objects.get()
    assert (visit.worker, visit.channel, visit.recorded_by) == (
        None,
        VisitChannel.QR,
        None,
    )


# --- walk-ins recorded by staff ------------------------------------------------------


@pytest.fixture
def staff(station):
    user = make_user(Role.STATION_STAFF)
    station.staff.add(user)
    return user


def test_walk_in_by_staff_is_recorded_on_the_staff_channel(station, staff):
    client_id = uuid.uuid4()
    visited_at = _local(2026, 3, 4, 9, 30)

    outcome = record_walk_in(
        actor=staff,
        client_id=client_id,
        station=station,
        visited_at=visited_at,
        service_codes=["first_aid"],
        now=_local(*NOW),
    )

    assert outcome.created is True
    visit = Visit.objects.get()
    assert (visit.client_id, visit.station, visit.visited_at) == (
        client_id,
        station,
        visited_at,
    )
    assert (visit.worker, visit.channel, visit.recorded_by) == (
        None,
        VisitChannel.STAFF,
        staff,
    )
    assert list(visit.services.values_list("code", flat=True)) == ["first_aid"]


def test_walk_in_is_recorded_outside_opening_hours(station, staff):
    evening = _local(2026, 3, 4, 20, 0)

    record_walk_in(
        actor=staff,
        client_id=uuid.uuid4(),
        station=station,
        visited_at=evening,
        service_codes=[],
        now=evening,
    )

    assert Visit.objects.get().visited_at == evening


@pytest.mark.parametrize("role", [Role.WORKER, Role.DOCTOR, Role.STATION_STAFF])
def test_walk_in_by_anyone_but_the_stations_managers_is_refused(station, role):
    outsider = make_user(role)  # station staff, but of another station

    with pytest.raises(station_errors.NotStationStaffError):
        record_walk_in(
            actor=outsider,
            client_id=uuid.uuid4(),
            station=station,
            visited_at=_local(*NOW),
            service_codes=[],
            now=_local(*NOW),
        )

    assert Visit.objects.count() == 0


def test_walk_in_time_is_checked_like_a_check_in(station, staff):
    now = _local(*NOW)

    with pytest.raises(errors.VisitTimeInFutureError):
        record_walk_in(
            actor=staff,
            client_id=uuid.uuid4(),
            station=station,
            visited_at=now + dt.timedelta(hours=1),
            service_codes=[],
            now=now,
        )

    assert Visit.objects.count() == 0


def test_a_batch_of_walk_ins_counts_once_when_resubmitted(station, staff):
    batch_id = uuid.uuid4()
    now = _local(*NOW)

    first = record_walk_ins(
        actor=staff,
        batch_id=batch_id,
        station=station,
        visitor_count=3,
        service_codes=["hot_water"],
        now=now,
    )
    again = record_walk_ins(
        actor=staff,
        batch_id=batch_id,
        station=station,
        visitor_count=3,
        service_codes=["hot_water"],
        now=now,
    )

    assert [outcome.created for outcome in first] == [True, True, True]
    assert [outcome.created for outcome in again] == [False, False, False]
    assert Visit.objects.count() == 3
    assert set(Visit.objects.values_list("channel", "recorded_by", "visited_at")) == {
        (VisitChannel.STAFF, staff.pk, now)
    }


def test_a_batch_of_walk_ins_with_an_unknown_service_records_none(station, staff):
    with pytest.raises(station_errors.UnknownAmenityError):
        record_walk_ins(
            actor=staff,
            batch_id=uuid.uuid4(),
            station=station,
            visitor_count=3,
            service_codes=["sauna"],
            now=_local(*NOW),
        )

    assert Visit.objects.count() == 0


# --- audit log -----------------------------------------------------------------------


def _last_entry_pk():
    return AuditEntry.objects.order_by("pk").values_list("pk", flat=True).last() or 0


def _new_entries(before_pk):
    return list(AuditEntry.objects.filter(pk__gt=before_pk).order_by("pk"))


def _walk_in(station, staff, client_id, **overrides):
    fields = {
        "actor": staff,
        "client_id": client_id,
        "station": station,
        "visited_at": _local(*NOW),
        "service_codes": ["hot_water"],
        "now": _local(*NOW),
    }
    return record_walk_in(**(fields | overrides))


def test_a_walk_in_writes_one_entry_in_the_stations_county(station, staff):
    before = _last_entry_pk()
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.5")

    _walk_in(station, staff, uuid.uuid4(), request=request)

    [entry] = _new_entries(before)
    assert (
        entry.actor,
        entry.action,
        entry.target_type,
        entry.target_id,
        entry.fields,
        entry.county.code,
        entry.ip_address,
    ) == (
        staff,
        AuditAction.CREATE,
        "stations.station",
        str(station.pk),
        ["visits"],
        YANGQU_CODE,
        "203.0.113.5",
    )


def test_a_resubmitted_walk_in_writes_no_second_entry(station, staff):
    client_id = uuid.uuid4()
    _walk_in(station, staff, client_id)
    before = _last_entry_pk()

    outcome = _walk_in(station, staff, client_id)

    assert outcome.created is False
    assert _new_entries(before) == []


def test_a_refused_walk_in_writes_no_entry(station):
    before = _last_entry_pk()

    with pytest.raises(station_errors.NotStationStaffError):
        _walk_in(station, make_user(Role.DOCTOR), uuid.uuid4())

    assert _new_entries(before) == []


def test_a_batch_of_walk_ins_writes_one_entry_and_none_when_resubmitted(station, staff):
    batch_id = uuid.uuid4()
    before = _last_entry_pk()
    batch = {
        "actor": staff,
        "batch_id": batch_id,
        "station": station,
        "visitor_count": 3,
        "service_codes": ["hot_water"],
        "now": _local(*NOW),
    }

    record_walk_ins(**batch)
    [entry] = _new_entries(before)
    record_walk_ins(**batch)

    assert _new_entries(before) == [entry]
    assert (entry.actor, entry.target_id, entry.county.code) == (
        staff,
        str(station.pk),
        YANGQU_CODE,
    )


def test_a_refused_batch_writes_nothing(station):
    before = _last_entry_pk()

    with pytest.raises(station_errors.NotStationStaffError):
        record_walk_ins(
            actor=make_user(Role.WORKER),
            batch_id=uuid.uuid4(),
            station=station,
            visitor_count=2,
            service_codes=[],
            now=_local(*NOW),
        )

    assert (Visit.objects.count(), _new_entries(before)) == (0, [])


class _RollbackError(Exception):
    """Raised to roll back the transaction around a service call in a test."""


def _walk_in_calls(station, staff):
    return {
        "walk_in": lambda: _walk_in(station, staff, uuid.uuid4()),
        "walk_ins": lambda: record_walk_ins(
            actor=staff,
            batch_id=uuid.uuid4(),
            station=station,
            visitor_count=2,
            service_codes=["hot_water"],
            now=_local(*NOW),
        ),
    }


@pytest.mark.parametrize("service", ["walk_in", "walk_ins"])
def test_a_rolled_back_walk_in_leaves_no_entry(station, staff, service):
    call = _walk_in_calls(station, staff)[service]
    before = _last_entry_pk()

    with pytest.raises(_RollbackError), transaction.atomic():
        call()
        assert len(_new_entries(before)) == 1
        raise _RollbackError

    assert (Visit.objects.count(), _new_entries(before)) == (0, [])


@pytest.mark.parametrize("service", ["walk_in", "walk_ins"])
def test_a_failed_audit_write_records_no_walk_in(station, staff, service, monkeypatch):
    call = _walk_in_calls(station, staff)[service]

    def fail(**kwargs):
        raise _RollbackError

    monkeypatch.setattr("warmbee.stations.services.record_audit", fail)
    with pytest.raises(_RollbackError):
        call()

    assert Visit.objects.count() == 0
