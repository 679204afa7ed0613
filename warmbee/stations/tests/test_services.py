import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from warmbee.accounts.models import Role
from warmbee.core import geo
from warmbee.factories import StationFactory, community, make_user, set_amenities
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
