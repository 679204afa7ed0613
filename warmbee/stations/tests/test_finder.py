import datetime as dt
import math
import random

import pytest
from django.utils import timezone

from warmbee.core import geo
from warmbee.factories import StationFactory, VisitFactory, set_amenities
from warmbee.stations import errors
from warmbee.stations.choices import AmenityStatus, TravelMode
from warmbee.stations.finder import STRAIGHT_LINE, FinderQuery, find_nearest_stations
from warmbee.stations.finder_sql import with_distances_m

pytestmark = pytest.mark.django_db

HERE = (38.06, 112.68)  # WGS-84, Yangqu County


def _local(*parts: int) -> dt.datetime:
    """Return an aware datetime in Asia/Shanghai."""
    return timezone.make_aware(dt.datetime(*parts))  # noqa: DTZ001


# An ordinary Wednesday morning.
WEDNESDAY_10 = (2026, 3, 4, 10, 0)


@pytest.fixture(autouse=True)
def _finder_settings(settings):
    settings.FINDER_DETOUR_FACTOR = 1.3
    settings.FINDER_WALK_SPEED_KMH = 4.5  # 1.25 m/s: 1.04 s per metre with the detour
    settings.FINDER_EBIKE_SPEED_KMH = 15.0  # 0.312 s per metre with the detour
    settings.FINDER_BUSY_WINDOW_MIN = 30


def _north(distance_m: float, bearing_deg: float = 0.0) -> tuple[float, float]:
    """Return the point ``distance_m`` from HERE along ``bearing_deg``."""
    phi1, lmb1 = math.radians(HERE[0]), math.radians(HERE[1])
    theta, delta = math.radians(bearing_deg), distance_m / geo.EARTH_RADIUS_M
    phi2 = math.asin(
        math.sin(phi1) * math.cos(delta)
        + math.cos(phi1) * math.sin(delta) * math.cos(theta)
    )
    lmb2 = lmb1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi1),
        math.cos(delta) - math.sin(phi1) * math.sin(phi2),
    )
    return math.degrees(phi2), math.degrees(lmb2)


def _station_at(distance_m: float, bearing_deg: float = 0.0, **fields):
    lat_deg, lon_deg = _north(distance_m, bearing_deg)
    return StationFactory(lat_deg=lat_deg, lon_deg=lon_deg, **fields)


def _query(**overrides) -> FinderQuery:
    fields = {
        "lat_deg": HERE[0],
        "lon_deg": HERE[1],
        "mode": TravelMode.WALK,
        "amenity_codes": (),
        "at": _local(*WEDNESDAY_10),
        "limit": 5,
        "open_only": True,
    }
    fields.update(overrides)
    return FinderQuery(**fields)


def _names(answer) -> list[str]:
    return [result.station.name for result in answer.results]


# --- ranking and travel time ---------------------------------------------------------


def test_ranks_stations_by_travel_time():
    _station_at(900, name="far")
    _station_at(300, 90, name="near")
    _station_at(600, 200, name="middle")

    answer = find_nearest_stations(_query())

    assert _names(answer) == ["near", "middle", "far"]
    assert [round(result.distance_m, 6) for result in answer.results] == [
        300.0,
        600.0,
        900.0,
    ]
    assert [round(result.travel_time_s, 6) for result in answer.results] == [
        312.0,
        624.0,
        936.0,
    ]


def test_walking_and_ebike_use_their_speeds():
    _station_at(1000)

    walk = find_nearest_stations(_query(mode=TravelMode.WALK))
    ebike = find_nearest_stations(_query(mode=TravelMode.EBIKE))

    assert walk.speed_kmh == 4.5
    assert walk.results[0].travel_time_s == pytest.approx(1040.0)
    assert walk.results[0].travel_time_min == 18
    assert walk.results[0].arrival_at == _local(2026, 3, 4, 10, 17, 20)
    assert ebike.speed_kmh == 15.0
    assert ebike.results[0].travel_time_s == pytest.approx(312.0)
    assert ebike.results[0].travel_time_min == 6
    assert ebike.results[0].arrival_at == _local(2026, 3, 4, 10, 5, 12)


def test_reports_the_straight_line_method_and_its_factors():
    _station_at(500)

    answer = find_nearest_stations(_query(limit=1))

    assert answer.method == STRAIGHT_LINE == "straight_line_with_detour"
    assert [r.travel_time_method for r in answer.results] == [STRAIGHT_LINE]
    assert answer.detour_factor == 1.3
    assert answer.speed_kmh == 4.5
    assert answer.searched_radius_m == geo.search_disk_radius_m(1)


def test_a_station_at_the_query_position_takes_at_least_one_minute():
    _station_at(0)

    result = find_nearest_stations(_query()).results[0]

    assert (result.distance_m, result.travel_time_s) == (0.0, 0.0)
    assert result.travel_time_min == 1


def test_returns_at_most_the_limit():
    for distance_m in (100, 200, 300, 400, 500):
        _station_at(distance_m, name=f"{distance_m} m")

    answer = find_nearest_stations(_query(limit=3))

    assert _names(answer) == ["100 m", "200 m", "300 m"]


def test_leaves_out_stations_out_of_service():
    _station_at(100, name="retired", is_active=False)
    _station_at(200, name="working")

    assert _names(find_nearest_stations(_query())) == ["working"]


def test_finds_nothing_when_no_station_qualifies():
    answer = find_nearest_stations(_query(amenity_codes=("gym",)))
    assert answer.results == ()


# --- amenities -----------------------------------------------------------------------


def test_only_amenities_marked_available_count():
    statuses = [
        AmenityStatus.BROKEN,
        AmenityStatus.OUT_OF_STOCK,
        AmenityStatus.UNKNOWN,
        AmenityStatus.NO,
        AmenityStatus.YES,
    ]
    for index, status in enumerate(statuses, start=1):
        station = _station_at(100 * index, name=status)
        set_amenities(station, ["hot_water"], status)

    answer = find_nearest_stations(_query(amenity_codes=("hot_water",)))

    assert _names(answer) == ["yes"]
    assert answer.results[0].matching_amenity_codes == ("hot_water",)


def test_every_wanted_amenity_must_be_available():
    hot_water_only = _station_at(100, name="hot water only")
    set_amenities(hot_water_only, ["hot_water"])
    both = _station_at(200, name="both")
    set_amenities(both, ["microwave", "hot_water", "toilet"])

    one = find_nearest_stations(_query(amenity_codes=("hot_water",)))
    two = find_nearest_stations(_query(amenity_codes=("microwave", "hot_water")))

    assert _names(one) == ["hot water only", "both"]
    assert [result.matching_amenity_codes for result in one.results] == [
        ("hot_water",),
        ("hot_water",),
    ]
    assert _names(two) == ["both"]
    # Listed in the catalogue's order, and only those asked for.
    assert two.results[0].matching_amenity_codes == ("hot_water", "microwave")


def test_without_wanted_amenities_nothing_is_listed_as_matching():
    station = _station_at(100)
    set_amenities(station, ["hot_water"])

    result = find_nearest_stations(_query()).results[0]

    assert result.matching_amenity_codes == ()


def test_checks_amenities_past_many_nearer_stations_without_them():
    # More stations without the amenity than the first batches of candidates checked.
    for index in range(60):
        _station_at(100 + 5 * index, bearing_deg=6 * index, name=f"without {index}")
    for distance_m in (500, 520):
        set_amenities(_station_at(distance_m, name=f"with, {distance_m} m"), ["gym"])

    answer = find_nearest_stations(_query(amenity_codes=("gym",), limit=2))

    assert _names(answer) == ["with, 500 m", "with, 520 m"]


def test_refuses_an_unknown_amenity():
    with pytest.raises(errors.UnknownAmenityError) as raised:
        find_nearest_stations(_query(amenity_codes=("sauna", "hot_water", "spa")))
    assert raised.value.params == {"codes": "sauna, spa"}


@pytest.mark.parametrize(("lat_deg", "lon_deg"), [(35.68, 139.76), (0.0, 0.0)])
def test_refuses_a_position_outside_china(lat_deg, lon_deg):
    _station_at(100)
    with pytest.raises(errors.PositionOutsideChinaError):
        find_nearest_stations(_query(lat_deg=lat_deg, lon_deg=lon_deg))


# --- open on arrival -----------------------------------------------------------------


def test_open_only_skips_stations_closed_on_arrival():
    _station_at(100, name="closed", opening_hours="Mo-Su 14:00-18:00")
    _station_at(200, name="open", opening_hours="Mo-Su 08:00-18:00")

    answer = find_nearest_stations(_query(open_only=True))

    assert _names(answer) == ["open"]


def test_including_closed_stations_says_when_they_open():
    _station_at(100, name="closed", opening_hours="Mo-Su 14:00-18:00")
    _station_at(200, name="open", opening_hours="Mo-Su 08:00-18:00")

    answer = find_nearest_stations(_query(open_only=False))

    assert _names(answer) == ["closed", "open"]
    closed, open_ = answer.results
    assert closed.state_on_arrival.is_open is False
    assert closed.state_on_arrival.opens_at == _local(2026, 3, 4, 14, 0)
    assert closed.closes_in_min is None
    assert open_.state_on_arrival.is_open is True
    assert open_.state_on_arrival.opens_at is None


def test_closes_in_min_counts_from_arrival():
    _station_at(1000, opening_hours="Mo-Su 08:00-18:00")
    at = _local(2026, 3, 4, 17, 0)

    walk = find_nearest_stations(_query(at=at, mode=TravelMode.WALK)).results[0]
    ebike = find_nearest_stations(_query(at=at, mode=TravelMode.EBIKE)).results[0]

    # Walking arrives 17:17:20, by e-bike 17:05:12; it closes at 18:00.
    assert walk.state_on_arrival.closes_at == _local(2026, 3, 4, 18, 0)
    assert walk.closes_in_min == 42
    assert ebike.closes_in_min == 54


def test_a_station_that_closes_before_arrival_is_closed_on_arrival():
    _station_at(1000, opening_hours="Mo-Su 08:00-18:00")
    at = _local(2026, 3, 4, 17, 50)

    walking = find_nearest_stations(_query(at=at, mode=TravelMode.WALK))
    walking_all = find_nearest_stations(
        _query(at=at, mode=TravelMode.WALK, open_only=False)
    )
    by_ebike = find_nearest_stations(_query(at=at, mode=TravelMode.EBIKE))

    # Open when setting off, but walking arrives at 18:07:20.
    assert walking.results == ()
    late = walking_all.results[0]
    assert late.state_on_arrival.is_open is False
    assert late.state_on_arrival.opens_at == _local(2026, 3, 5, 8, 0)
    # By e-bike it is reached at 17:55:12, five minutes before closing.
    assert by_ebike.results[0].closes_in_min == 4


def test_stations_sharing_hours_are_judged_each_on_its_own_arrival():
    hours = "Mo-Su 08:00-10:10"
    _station_at(100, name="reached by 10:02", opening_hours=hours)
    _station_at(1000, name="reached at 10:17", opening_hours=hours)

    near, far = find_nearest_stations(_query(open_only=False)).results

    assert (near.state_on_arrival.is_open, far.state_on_arrival.is_open) == (
        True,
        False,
    )
    assert far.state_on_arrival.opens_at == _local(2026, 3, 5, 8, 0)
    assert _names(find_nearest_stations(_query())) == ["reached by 10:02"]


def test_a_station_open_around_the_clock_never_closes():
    _station_at(100, opening_hours="24/7")
    result = find_nearest_stations(_query()).results[0]
    assert result.closes_in_min is None


def test_public_holiday_closes_a_station_with_ph_off():
    _station_at(100, name="holiday off", opening_hours="Mo-Su 08:00-18:00; PH off")
    _station_at(200, name="always", opening_hours="Mo-Su 08:00-18:00")

    answer = find_nearest_stations(_query(at=_local(2026, 2, 18, 10, 0)))

    assert _names(answer) == ["always"]


def test_temporary_closure_skips_the_station():
    _station_at(
        100,
        name="closed for repairs",
        closed_until=_local(2026, 3, 4, 16, 0),
        closure_reason="停水检修",
    )
    _station_at(200, name="open")

    answer = find_nearest_stations(_query())

    assert _names(answer) == ["open"]


def test_temporary_closure_is_shown_with_its_reason_and_end():
    _station_at(
        100,
        name="closed for repairs",
        closed_until=_local(2026, 3, 4, 16, 0),
        closure_reason="停水检修",
    )

    result = find_nearest_stations(_query(open_only=False)).results[0]

    assert result.state_on_arrival.is_open is False
    assert result.state_on_arrival.closure_reason == "停水检修"
    assert result.state_on_arrival.opens_at == _local(2026, 3, 4, 16, 0)


def test_a_closure_that_has_ended_does_not_count():
    _station_at(
        100,
        name="reopened",
        closed_until=_local(2026, 3, 4, 9, 0),
        closure_reason="停电",
    )

    assert _names(find_nearest_stations(_query())) == ["reopened"]


# --- how busy ------------------------------------------------------------------------


def test_counts_visits_in_the_last_30_minutes():
    at = _local(*WEDNESDAY_10)
    station = _station_at(100, capacity=2)
    other = _station_at(200, capacity=2)
    for minutes_ago in (0, 10, 30):
        VisitFactory(station=station, visited_at=at - dt.timedelta(minutes=minutes_ago))
    VisitFactory(station=station, visited_at=at - dt.timedelta(minutes=31))
    VisitFactory(station=station, visited_at=at + dt.timedelta(minutes=1))
    VisitFactory(station=other, visited_at=at - dt.timedelta(minutes=5))

    first, second = find_nearest_stations(_query(at=at)).results

    assert (first.station, first.recent_visits, first.is_busy) == (station, 3, True)
    assert (second.station, second.recent_visits, second.is_busy) == (other, 1, False)


def test_a_station_without_visits_is_not_busy():
    _station_at(100)
    result = find_nearest_stations(_query()).results[0]
    assert (result.recent_visits, result.is_busy) == (0, False)


# --- widening rings ------------------------------------------------------------------


def test_finds_a_lone_station_40_km_away():
    _station_at(40_000, bearing_deg=135, name="far away")

    answer = find_nearest_stations(_query(mode=TravelMode.EBIKE))

    assert _names(answer) == ["far away"]
    assert answer.results[0].distance_m == pytest.approx(40_000, abs=1e-3)
    assert answer.searched_radius_m == geo.search_disk_radius_m(32)


def _inside_and_closer_outside_first_ring() -> tuple[tuple, tuple]:
    """Return (distance, bearing) of a point in the first ring's disk and of a closer
    point outside it."""
    disk = set(geo.search_disk(*HERE, 1))
    samples = [
        (distance_m, bearing_deg)
        for distance_m in range(500, 4000, 25)
        for bearing_deg in range(0, 360, 2)
    ]
    outside = min(
        sample for sample in samples if geo.search_cell(*_north(*sample)) not in disk
    )
    inside = max(
        sample for sample in samples if geo.search_cell(*_north(*sample)) in disk
    )
    return inside, outside


def test_the_nearest_is_truly_nearest_when_it_sits_just_outside_the_first_ring():
    inside, outside = _inside_and_closer_outside_first_ring()
    # Given: the farther station is in the first ring, the nearer one just outside it.
    assert outside[0] + 200 < inside[0]
    assert outside[0] > geo.search_disk_radius_m(1)
    _station_at(*inside, name="in the first ring")
    _station_at(*outside, name="just outside")

    one = find_nearest_stations(_query(limit=1))
    two = find_nearest_stations(_query(limit=2))

    assert _names(one) == ["just outside"]
    assert _names(two) == ["just outside", "in the first ring"]


def test_stops_widening_once_the_results_are_provably_nearest():
    for distance_m in (100, 200):
        _station_at(distance_m)
    _station_at(20_000)

    answer = find_nearest_stations(_query(limit=2))

    assert [round(result.distance_m) for result in answer.results] == [100, 200]
    assert answer.searched_radius_m == geo.search_disk_radius_m(1)


def test_distances_are_those_of_haversine_to_the_last_bit():
    rng = random.Random(7)
    rows = [
        (pk, rng.uniform(18, 53.6), rng.uniform(73.4, 135.1), "cell")
        for pk in range(500)
    ]

    distances = with_distances_m(*HERE, rows)

    assert distances == [
        (geo.haversine_m(*HERE, lat_deg, lon_deg), pk, cell)
        for pk, lat_deg, lon_deg, cell in rows
    ]


# --- cost ----------------------------------------------------------------------------


def test_find_nearest_stations_runs_a_fixed_number_of_queries(
    django_assert_max_num_queries,
):
    at = _local(*WEDNESDAY_10)
    for index in range(12):
        station = _station_at(50 + 40 * index, bearing_deg=30 * index)
        set_amenities(station, ["hot_water", "microwave"])
        VisitFactory(station=station, visited_at=at - dt.timedelta(minutes=5))

    with django_assert_max_num_queries(6):
        answer = find_nearest_stations(
            _query(amenity_codes=("hot_water", "microwave"), limit=5)
        )
        results = [
            (result.matching_amenity_codes, result.recent_visits)
            for result in answer.results
        ]

    assert results == [(("hot_water", "microwave"), 1)] * 5


def test_stations_come_with_their_community(django_assert_num_queries):
    station = _station_at(100)

    result = find_nearest_stations(_query()).results[0]

    with django_assert_num_queries(0):
        assert result.station.community.code == station.community.code
