import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone

from warmbee.accounts.models import Role
from warmbee.core import geo
from warmbee.core.models import AuditAction, AuditEntry
from warmbee.factories import StationFactory, community, make_user, set_amenities
from warmbee.regions.models import Region, RegionLevel
from warmbee.stations import errors
from warmbee.stations.choices import AmenityStatus, FlagStatus
from warmbee.stations.models import Amenity, AmenityFlag, Station, StationAmenity
from warmbee.stations.selectors import StationState, station_state_at
from warmbee.stations.services import (
    close_station_temporarily,
    create_station,
    flag_amenity,
    reopen_station,
    review_amenity_flag,
    save_station,
    set_amenity_status,
)

pytestmark = pytest.mark.django_db

YANGQU = (38.06, 112.68)


def _local(*parts: int) -> dt.datetime:
    """Return an aware datetime in Asia/Shanghai."""
    return timezone.make_aware(dt.datetime(*parts))  # noqa: DTZ001


def _station_fields(**overrides):
    fields = {
        "name": "黄寨驿站",
        "name_en": "Huangzhai station",
        "community": community(),
        "address": "黄寨镇",
        "lat_deg": YANGQU[0],
        "lon_deg": YANGQU[1],
        "opening_hours": "Mo-Fr 08:00-18:00; PH off",
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def station():
    return StationFactory()


@pytest.fixture
def staff(station):
    user = make_user(Role.STATION_STAFF)
    station.staff.add(user)
    return user


def _amenity_row(station, code):
    return StationAmenity.objects.get(station=station, amenity__code=code)


def _amenity_rows(station):
    return list(
        StationAmenity.objects.filter(station=station)
        .order_by("amenity__code")
        .values_list("amenity__code", "status", "verified_by", "verified_at")
    )


# --- creating and placing stations ---------------------------------------------------


def test_create_station_sets_h3_cells():
    station = create_station(**_station_fields())
    station.refresh_from_db()
    assert station.h3_cell == geo.station_cell(*YANGQU)
    assert station.h3_search_cell == geo.search_cell(*YANGQU)


def test_create_station_gives_every_amenity_as_unknown():
    station = create_station(**_station_fields())
    rows = StationAmenity.objects.filter(station=station)
    assert rows.count() == 16
    assert set(rows.values_list("amenity__code", flat=True)) == set(
        Amenity.objects.values_list("code", flat=True)
    )
    assert set(rows.values_list("status", flat=True)) == {AmenityStatus.UNKNOWN}
    assert set(rows.values_list("verified_by", "verified_at")) == {(None, None)}


def test_create_station_strips_the_opening_hours():
    station = create_station(**_station_fields(opening_hours="  24/7  "))
    station.refresh_from_db()
    assert station.opening_hours == "24/7"


def test_save_station_moves_the_cells_with_the_station_and_keeps_its_amenities():
    station = create_station(**_station_fields())
    set_amenities(station, ["hot_water"])
    station.lat_deg, station.lon_deg = 38.2, 112.5

    save_station(station)

    station.refresh_from_db()
    assert station.h3_cell == geo.station_cell(38.2, 112.5)
    assert station.h3_search_cell == geo.search_cell(38.2, 112.5)
    assert StationAmenity.objects.filter(station=station).count() == 16
    assert _amenity_row(station, "hot_water").status == AmenityStatus.YES


def test_create_station_refuses_invalid_opening_hours_and_saves_nothing():
    with pytest.raises(errors.InvalidOpeningHoursError) as raised:
        create_station(**_station_fields(opening_hours="Mo-Fr 8-18"))
    assert raised.value.code == "invalid_opening_hours"
    assert raised.value.params == {"value": "Mo-Fr 8-18"}
    assert Station.objects.count() == 0
    assert StationAmenity.objects.count() == 0


@pytest.mark.parametrize(
    ("lat_deg", "lon_deg"),
    [(35.68, 139.76), (51.5, -0.12), (0.0, 0.0)],
)
def test_create_station_refuses_a_position_outside_china_and_saves_nothing(
    lat_deg, lon_deg
):
    with pytest.raises(errors.PositionOutsideChinaError) as raised:
        create_station(**_station_fields(lat_deg=lat_deg, lon_deg=lon_deg))
    assert raised.value.code == "position_outside_china"
    assert Station.objects.count() == 0
    assert StationAmenity.objects.count() == 0


def test_save_station_refuses_a_move_outside_china_and_changes_nothing():
    station = create_station(**_station_fields())
    station.lat_deg, station.lon_deg = 35.68, 139.76

    with pytest.raises(errors.PositionOutsideChinaError):
        save_station(station)

    stored = Station.objects.get(pk=station.pk)
    assert (stored.lat_deg, stored.lon_deg) == YANGQU
    assert stored.h3_cell == geo.station_cell(*YANGQU)


def test_create_station_refuses_a_missing_name_and_saves_nothing():
    with pytest.raises(ValidationError) as raised:
        create_station(**_station_fields(name=""))
    assert set(raised.value.message_dict) == {"name"}
    assert Station.objects.count() == 0
    assert StationAmenity.objects.count() == 0


# --- amenity status ------------------------------------------------------------------


def test_set_amenity_status_records_status_and_who_verified_it_when(station, staff):
    before = timezone.now()

    row = set_amenity_status(
        actor=staff,
        station=station,
        amenity_code="microwave",
        status=AmenityStatus.BROKEN,
    )

    row.refresh_from_db()
    assert row.amenity.code == "microwave"
    assert row.status == AmenityStatus.BROKEN
    assert row.verified_by == staff
    assert before <= row.verified_at <= timezone.now()
    others = StationAmenity.objects.filter(station=station).exclude(pk=row.pk)
    assert set(others.values_list("status", "verified_by")) == {
        (AmenityStatus.UNKNOWN, None)
    }


def test_county_administrator_may_set_amenity_status(station):
    admin = make_user(Role.COUNTY_ADMIN)
    set_amenity_status(
        actor=admin, station=station, amenity_code="toilet", status=AmenityStatus.YES
    )
    row = _amenity_row(station, "toilet")
    assert (row.status, row.verified_by) == (AmenityStatus.YES, admin)


def test_set_amenity_status_refuses_an_unknown_amenity_and_changes_nothing(
    station, staff
):
    before = _amenity_rows(station)

    with pytest.raises(errors.UnknownAmenityError) as raised:
        set_amenity_status(
            actor=staff, station=station, amenity_code="sauna", status="yes"
        )

    assert raised.value.code == "unknown_amenity"
    assert raised.value.params == {"codes": "sauna"}
    assert _amenity_rows(station) == before


def test_set_amenity_status_refuses_an_unknown_status_and_changes_nothing(
    station, staff
):
    before = _amenity_rows(station)

    with pytest.raises(ValidationError):
        set_amenity_status(
            actor=staff, station=station, amenity_code="toilet", status="maybe"
        )

    assert _amenity_rows(station) == before


@pytest.mark.parametrize(
    "role", [Role.WORKER, Role.DOCTOR, Role.DEPARTMENT_HANDLER, Role.STATION_STAFF]
)
def test_set_amenity_status_refuses_anyone_but_the_stations_managers(station, role):
    outsider = make_user(role)  # station staff, but of no station here
    StationFactory().staff.add(outsider)
    before = _amenity_rows(station)

    with pytest.raises(errors.NotStationStaffError) as raised:
        set_amenity_status(
            actor=outsider, station=station, amenity_code="toilet", status="yes"
        )

    assert raised.value.status_code == 403
    assert raised.value.code == "not_station_staff"
    assert _amenity_rows(station) == before


# --- visitors' corrections -----------------------------------------------------------


def test_flag_amenity_records_a_correction_and_changes_no_amenity(station):
    set_amenities(station, ["hot_water"])

    flag = flag_amenity(
        station=station,
        amenity_code="hot_water",
        suggested_status=AmenityStatus.BROKEN,
        note="  没有热水  ",
    )

    flag.refresh_from_db()
    assert flag.station == station
    assert flag.amenity.code == "hot_water"
    assert flag.suggested_status == AmenityStatus.BROKEN
    assert flag.note == "没有热水"
    assert flag.status == FlagStatus.OPEN
    assert (flag.reviewed_by, flag.reviewed_at) == (None, None)
    assert _amenity_row(station, "hot_water").status == AmenityStatus.YES


def test_flag_amenity_refuses_an_unknown_amenity_and_records_nothing(station):
    with pytest.raises(errors.UnknownAmenityError):
        flag_amenity(station=station, amenity_code="sauna", suggested_status="no")
    assert AmenityFlag.objects.count() == 0


def test_flag_amenity_refuses_an_unknown_status_and_records_nothing(station):
    with pytest.raises(ValidationError) as raised:
        flag_amenity(station=station, amenity_code="toilet", suggested_status="meh")
    assert set(raised.value.message_dict) == {"suggested_status"}
    assert AmenityFlag.objects.count() == 0


def test_accepting_a_correction_applies_its_status(station, staff):
    set_amenities(station, ["hot_water"])
    flag = flag_amenity(
        station=station, amenity_code="hot_water", suggested_status="broken"
    )
    before = timezone.now()

    reviewed = review_amenity_flag(actor=staff, flag=flag, accept=True)

    reviewed.refresh_from_db()
    assert reviewed.status == FlagStatus.ACCEPTED
    assert reviewed.reviewed_by == staff
    assert before <= reviewed.reviewed_at <= timezone.now()
    row = _amenity_row(station, "hot_water")
    assert (row.status, row.verified_by) == (AmenityStatus.BROKEN, staff)


def test_dismissing_a_correction_leaves_the_amenity_alone(station, staff):
    set_amenities(station, ["hot_water"])
    flag = flag_amenity(
        station=station, amenity_code="hot_water", suggested_status="broken"
    )

    reviewed = review_amenity_flag(actor=staff, flag=flag, accept=False)

    reviewed.refresh_from_db()
    assert reviewed.status == FlagStatus.DISMISSED
    assert reviewed.reviewed_by == staff
    row = _amenity_row(station, "hot_water")
    assert (row.status, row.verified_by) == (AmenityStatus.YES, None)


def test_a_reviewed_correction_is_not_reviewed_again(station, staff):
    flag = flag_amenity(station=station, amenity_code="toilet", suggested_status="no")
    review_amenity_flag(actor=staff, flag=flag, accept=False)

    again = review_amenity_flag(actor=staff, flag=flag, accept=True)

    assert again.status == FlagStatus.DISMISSED
    assert _amenity_row(station, "toilet").status == AmenityStatus.UNKNOWN


def test_review_by_an_outsider_is_refused_and_changes_nothing(station):
    flag = flag_amenity(station=station, amenity_code="toilet", suggested_status="no")
    worker = make_user(Role.WORKER)

    with pytest.raises(errors.NotStationStaffError):
        review_amenity_flag(actor=worker, flag=flag, accept=True)

    flag.refresh_from_db()
    assert (flag.status, flag.reviewed_by) == (FlagStatus.OPEN, None)
    assert _amenity_row(station, "toilet").status == AmenityStatus.UNKNOWN


# --- temporary closure ---------------------------------------------------------------


NOW = _local(2026, 3, 4, 8, 0)


def test_temporary_closure_closes_the_station_until_its_end(station, staff):
    until = _local(2026, 3, 5, 12, 0)
    during = _local(2026, 3, 4, 12, 0)

    close_station_temporarily(
        actor=staff, station=station, until=until, reason="  停水检修  ", now=NOW
    )

    station.refresh_from_db()
    assert (station.closed_until, station.closure_reason) == (until, "停水检修")
    assert station_state_at(station, during) == StationState(
        is_open=False, closes_at=None, opens_at=until, closure_reason="停水检修"
    )
    assert station_state_at(station, until) == StationState(
        is_open=True, closes_at=None, opens_at=None, closure_reason=""
    )


@pytest.fixture
def weekday_station_and_staff():
    station = StationFactory(opening_hours="Mo-Fr 08:00-18:00")
    user = make_user(Role.STATION_STAFF)
    station.staff.add(user)
    return station, user


def test_closure_ending_outside_opening_hours_reopens_at_the_next_opening(
    weekday_station_and_staff,
):
    station, user = weekday_station_and_staff
    until = _local(2026, 3, 4, 20, 0)  # a Wednesday evening

    close_station_temporarily(
        actor=user, station=station, until=until, reason="装修", now=NOW
    )

    state = station_state_at(station, _local(2026, 3, 4, 9))
    assert state == StationState(
        is_open=False,
        closes_at=None,
        opens_at=_local(2026, 3, 5, 8, 0),
        closure_reason="装修",
    )


def test_temporary_closure_needs_a_reason_and_changes_nothing(station, staff):
    until = _local(2026, 3, 5, 12, 0)

    with pytest.raises(errors.InvalidClosureError):
        close_station_temporarily(
            actor=staff, station=station, until=until, reason=" ", now=NOW
        )

    stored = Station.objects.get(pk=station.pk)
    assert (stored.closed_until, stored.closure_reason) == (None, "")


def test_temporary_closure_by_an_outsider_is_refused_and_changes_nothing(station):
    worker = make_user(Role.WORKER)
    until = _local(2026, 3, 5, 12, 0)

    with pytest.raises(errors.NotStationStaffError):
        close_station_temporarily(
            actor=worker, station=station, until=until, reason="停电", now=NOW
        )

    stored = Station.objects.get(pk=station.pk)
    assert (stored.closed_until, stored.closure_reason) == (None, "")


def test_reopen_station_ends_a_temporary_closure(station, staff):
    until = _local(2026, 3, 5, 12, 0)
    close_station_temporarily(
        actor=staff, station=station, until=until, reason="停电", now=NOW
    )

    reopen_station(actor=staff, station=station)

    station.refresh_from_db()
    assert (station.closed_until, station.closure_reason) == (None, "")
    during = _local(2026, 3, 4, 12, 0)
    assert station_state_at(station, during).is_open is True


def test_reopen_by_an_outsider_is_refused_and_changes_nothing(station, staff):
    until = _local(2026, 3, 5, 12, 0)
    close_station_temporarily(
        actor=staff, station=station, until=until, reason="停电", now=NOW
    )
    worker = make_user(Role.WORKER)

    with pytest.raises(errors.NotStationStaffError):
        reopen_station(actor=worker, station=station)

    stored = Station.objects.get(pk=station.pk)
    assert (stored.closed_until, stored.closure_reason) == (until, "停电")


def test_temporary_closure_ending_in_the_past_is_refused_and_changes_nothing(
    station, staff
):
    with pytest.raises(errors.InvalidClosureError):
        close_station_temporarily(
            actor=staff,
            station=station,
            until=_local(2026, 3, 4, 7, 0),
            reason="停电",
            now=NOW,
        )

    stored = Station.objects.get(pk=station.pk)
    assert (stored.closed_until, stored.closure_reason) == (None, "")


# --- audit log -----------------------------------------------------------------------

QINGXU_CODE = "140121000000"


def _qingxu_community():
    """Return a community in Qingxu, a county next to Yangqu (not in the loaded data)."""
    county = Region.objects.create(
        code=QINGXU_CODE,
        name="清徐县",
        level=RegionLevel.COUNTY,
        parent=Region.objects.get(code="140100000000"),
    )
    return Region.objects.create(
        code="140121100001", name="清源社区", level=RegionLevel.COMMUNITY, parent=county
    )


def _new_entries(before_pk):
    """Return the audit entries written after the entry ``before_pk``, oldest first."""
    return list(AuditEntry.objects.filter(pk__gt=before_pk).order_by("pk"))


def _last_entry_pk():
    return AuditEntry.objects.order_by("pk").values_list("pk", flat=True).last() or 0


def _request(address="203.0.113.9"):
    return RequestFactory().post("/", REMOTE_ADDR=address, HTTP_USER_AGENT="Phone")


def _summary(entry):
    return (
        entry.actor,
        entry.actor_label,
        entry.action,
        entry.target_type,
        entry.target_id,
        entry.fields,
        entry.county.code if entry.county else None,
    )


def test_creating_a_station_writes_one_entry_in_its_county():
    admin = make_user(Role.COUNTY_ADMIN, display_name="县管理员")

    station = create_station(
        actor=admin, request=_request(), **_station_fields(phone="0351-1234567")
    )

    [entry] = AuditEntry.objects.all()
    assert _summary(entry) == (
        admin,
        "县管理员",
        AuditAction.CREATE,
        "stations.station",
        str(station.pk),
        [
            "address",
            "capacity",
            "checkin_code",
            "community",
            "h3_cell",
            "h3_search_cell",
            "is_active",
            "is_demo",
            "lat_deg",
            "lon_deg",
            "name",
            "name_en",
            "opening_hours",
            "phone",
            "position_is_approximate",
        ],
        "140122000000",
    )
    assert (entry.ip_address, entry.user_agent) == ("203.0.113.9", "Phone")


def test_a_station_created_without_an_actor_is_recorded_as_the_system():
    station = create_station(**_station_fields(community=_qingxu_community()))

    [entry] = AuditEntry.objects.all()
    assert (entry.actor, entry.actor_label, entry.target_id, entry.ip_address) == (
        None,
        "system",
        str(station.pk),
        None,
    )
    assert entry.county.code == QINGXU_CODE


def test_changing_a_station_records_only_the_changed_fields(station):
    admin = make_user(Role.COUNTY_ADMIN)
    before = _last_entry_pk()
    station.name = "新名字"
    station.lon_deg = 112.681  # moves it within its search cell

    save_station(station, actor=admin)

    [entry] = _new_entries(before)
    assert _summary(entry) == (
        admin,
        str(admin),
        AuditAction.UPDATE,
        "stations.station",
        str(station.pk),
        ["h3_cell", "lon_deg", "name"],
        "140122000000",
    )


def test_an_invalid_station_writes_no_entry(station):
    before = _last_entry_pk()
    station.opening_hours = "whenever"

    with pytest.raises(errors.InvalidOpeningHoursError):
        save_station(station)

    assert _new_entries(before) == []


def test_setting_an_amenity_status_writes_one_entry(station, staff):
    before = _last_entry_pk()

    row = set_amenity_status(
        actor=staff,
        station=station,
        amenity_code="toilet",
        status=AmenityStatus.BROKEN,
        request=_request(),
    )

    [entry] = _new_entries(before)
    assert _summary(entry) == (
        staff,
        str(staff),
        AuditAction.UPDATE,
        "stations.stationamenity",
        str(row.pk),
        ["status", "verified_at", "verified_by"],
        "140122000000",
    )
    assert entry.ip_address == "203.0.113.9"


def test_a_refused_amenity_status_writes_no_entry(station):
    before = _last_entry_pk()

    with pytest.raises(errors.NotStationStaffError):
        set_amenity_status(
            actor=make_user(Role.WORKER),
            station=station,
            amenity_code="toilet",
            status=AmenityStatus.BROKEN,
        )

    assert _new_entries(before) == []


def test_an_anonymous_flag_is_recorded_with_the_visitors_address():
    station = StationFactory(community=_qingxu_community())
    before = _last_entry_pk()

    flag = flag_amenity(
        station=station,
        amenity_code="toilet",
        suggested_status="broken",
        note="漏水",
        request=_request("198.51.100.4"),
    )

    [entry] = _new_entries(before)
    assert _summary(entry) == (
        None,
        "anonymous",
        AuditAction.CREATE,
        "stations.amenityflag",
        str(flag.pk),
        ["amenity", "note", "station", "suggested_status"],
        QINGXU_CODE,
    )
    assert entry.ip_address == "198.51.100.4"


def test_a_signed_in_visitors_flag_is_recorded_with_their_account(station):
    worker = make_user(Role.WORKER)
    before = _last_entry_pk()

    flag_amenity(
        station=station,
        amenity_code="toilet",
        suggested_status="no",
        actor=worker,
        request=_request(),
    )

    [entry] = _new_entries(before)
    assert (entry.actor, entry.fields) == (
        worker,
        ["amenity", "station", "suggested_status"],
    )


def test_an_invalid_flag_writes_no_entry(station):
    before = _last_entry_pk()

    with pytest.raises(ValidationError):
        flag_amenity(station=station, amenity_code="toilet", suggested_status="meh")

    assert _new_entries(before) == []


def test_dismissing_a_flag_writes_one_entry(station, staff):
    flag = flag_amenity(station=station, amenity_code="toilet", suggested_status="no")
    before = _last_entry_pk()

    review_amenity_flag(actor=staff, flag=flag, accept=False)

    [entry] = _new_entries(before)
    assert _summary(entry) == (
        staff,
        str(staff),
        AuditAction.UPDATE,
        "stations.amenityflag",
        str(flag.pk),
        ["reviewed_at", "reviewed_by", "status"],
        "140122000000",
    )


def test_accepting_a_flag_records_the_amenity_change_and_the_review(station, staff):
    flag = flag_amenity(station=station, amenity_code="toilet", suggested_status="no")
    before = _last_entry_pk()

    review_amenity_flag(actor=staff, flag=flag, accept=True)

    # Two records change, so two entries: one for each, in the order they changed.
    assert [
        (entry.target_type, entry.target_id, entry.actor)
        for entry in _new_entries(before)
    ] == [
        ("stations.stationamenity", str(_amenity_row(station, "toilet").pk), staff),
        ("stations.amenityflag", str(flag.pk), staff),
    ]


def test_reviewing_a_reviewed_flag_again_writes_no_entry(station, staff):
    flag = flag_amenity(station=station, amenity_code="toilet", suggested_status="no")
    review_amenity_flag(actor=staff, flag=flag, accept=False)
    before = _last_entry_pk()

    review_amenity_flag(actor=staff, flag=flag, accept=True)

    assert _new_entries(before) == []


def test_closing_and_reopening_each_write_one_entry(station, staff):
    before = _last_entry_pk()

    close_station_temporarily(
        actor=staff,
        station=station,
        until=_local(2026, 3, 5, 12, 0),
        reason=" 停电 ",
        now=NOW,
        request=_request(),
    )
    [closing] = _new_entries(before)
    reopen_station(actor=staff, station=station)
    [reopening] = _new_entries(closing.pk)

    expected = (
        staff,
        str(staff),
        AuditAction.UPDATE,
        "stations.station",
        str(station.pk),
        ["closed_until", "closure_reason"],
        "140122000000",
    )
    assert _summary(closing) == expected
    assert (closing.reason, closing.ip_address) == ("停电", "203.0.113.9")
    assert _summary(reopening) == expected
    assert (reopening.reason, reopening.ip_address) == ("", None)


def test_a_refused_closure_writes_no_entry(station, staff):
    before = _last_entry_pk()

    with pytest.raises(errors.InvalidClosureError):
        close_station_temporarily(
            actor=staff, station=station, until=NOW, reason="停电", now=NOW
        )
    with pytest.raises(errors.NotStationStaffError):
        reopen_station(actor=make_user(Role.WORKER), station=station)

    assert _new_entries(before) == []


class _RollbackError(Exception):
    """Raised to roll back the transaction around a service call in a test."""


def _prepare(service, station, staff):
    """Set up ``service`` (committed before the test's snapshot); return its call."""
    until = _local(2026, 3, 5, 12, 0)
    if service == "review":
        flag = AmenityFlag.objects.create(
            station=station,
            amenity=Amenity.objects.get(code="toilet"),
            suggested_status="no",
        )
        return lambda: review_amenity_flag(actor=staff, flag=flag, accept=False)
    if service == "reopen":
        Station.objects.filter(pk=station.pk).update(
            closed_until=until, closure_reason="停电"
        )
        closed = Station.objects.get(pk=station.pk)
        return lambda: reopen_station(actor=staff, station=closed)
    return {
        "create": lambda: create_station(actor=staff, **_station_fields()),
        "save": lambda: save_station(Station.objects.get(pk=station.pk), actor=staff),
        "set_amenity_status": lambda: set_amenity_status(
            actor=staff, station=station, amenity_code="toilet", status="yes"
        ),
        "flag": lambda: flag_amenity(
            station=station, amenity_code="toilet", suggested_status="no"
        ),
        "close": lambda: close_station_temporarily(
            actor=staff, station=station, until=until, reason="停电", now=NOW
        ),
    }[service]


def _database_state():
    return (
        list(Station.objects.order_by("pk").values()),
        list(StationAmenity.objects.order_by("pk").values()),
        list(AmenityFlag.objects.order_by("pk").values()),
        AuditEntry.objects.count(),
    )


SERVICES = ["create", "save", "set_amenity_status", "flag", "review", "close", "reopen"]


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_writes_its_change_and_entry_in_one_transaction(
    station, staff, service
):
    call = _prepare(service, station, staff)
    before = _database_state()

    with pytest.raises(_RollbackError), transaction.atomic():
        call()
        assert AuditEntry.objects.count() > before[3]
        raise _RollbackError

    assert _database_state() == before


@pytest.mark.parametrize("service", SERVICES)
def test_a_failed_audit_write_undoes_the_change(station, staff, service, monkeypatch):
    call = _prepare(service, station, staff)
    before = _database_state()

    def fail(**kwargs):
        raise _RollbackError

    monkeypatch.setattr("warmbee.stations.services.record_audit", fail)
    with pytest.raises(_RollbackError):
        call()

    assert _database_state() == before
