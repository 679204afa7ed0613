"""The finder on a road network: ranking by network time, its proof, and the fallbacks."""

import datetime as dt
import functools
import random

import pytest
from django.utils import timezone, translation

from warmbee.core import geo
from warmbee.coverage import routing
from warmbee.coverage.routing import forget_network_bounds, network_travel_times
from warmbee.coverage.selectors import get_county
from warmbee.coverage.services import install_road_network
from warmbee.factories import StationFactory
from warmbee.stations import finder
from warmbee.stations.choices import TravelMode
from warmbee.stations.finder import (
    NETWORK,
    STRAIGHT_LINE,
    FinderQuery,
    find_nearest_stations,
    travel_time_note,
)
from warmbee.stations.tests.river_network import (
    EAST_XY,
    EBIKE_M_S,
    ORIGIN,
    WALK_M_S,
    WEST_XY,
    position,
    river_network,
)

pytestmark = pytest.mark.django_db

WEDNESDAY_10 = timezone.make_aware(dt.datetime(2026, 3, 4, 10, 0))  # noqa: DTZ001
DETOUR_FACTOR = 1.3
# A village 2 km south of the west street's end (-600, 0), its nearest road node: off
# the network, 2,088 m from the origin in a straight line.
VILLAGE_XY = (-600.0, -2000.0)


@pytest.fixture(autouse=True)
def _finder_settings(settings):
    settings.FINDER_DETOUR_FACTOR = DETOUR_FACTOR
    settings.FINDER_WALK_SPEED_KMH = 4.5
    settings.FINDER_EBIKE_SPEED_KMH = 15.0


def _install(*, is_generated: bool = False):
    network = install_road_network(
        county=get_county("140122"),
        network=river_network(),
        name="river.osm.pbf",
        is_generated=is_generated,
    )
    # The finder reads the active networks' boxes at most every 30 s.
    forget_network_bounds()
    return network


def _station(name: str, x_m: float, y_m: float, **fields):
    lat_deg, lon_deg = position(x_m, y_m)
    return StationFactory(name=name, lat_deg=lat_deg, lon_deg=lon_deg, **fields)


@pytest.fixture
def east_and_west():
    return _station("east", *EAST_XY), _station("west", *WEST_XY)


def _query(**overrides) -> FinderQuery:
    fields = {
        "lat_deg": ORIGIN[0],
        "lon_deg": ORIGIN[1],
        "mode": TravelMode.WALK,
        "amenity_codes": (),
        "at": WEDNESDAY_10,
        "limit": 5,
        "open_only": True,
    }
    fields.update(overrides)
    return FinderQuery(**fields)


def _names(answer) -> list[str]:
    return [result.station.name for result in answer.results]


def _straight_line_m(station) -> float:
    return geo.haversine_m(*ORIGIN, station.lat_deg, station.lon_deg)


def _straight_line_s(station, speed_m_s: float) -> float:
    """Return the finder's straight-line estimate from ORIGIN to ``station``."""
    return _straight_line_m(station) * DETOUR_FACTOR / speed_m_s


@pytest.fixture
def village():
    return _station("village", *VILLAGE_XY)


def test_straight_line_nearest_across_the_river_is_far_by_road(east_and_west):
    before = find_nearest_stations(_query())
    _install()

    after = find_nearest_stations(_query())

    assert (before.method, _names(before)) == (STRAIGHT_LINE, ["east", "west"])
    assert (after.method, _names(after)) == (NETWORK, ["west", "east"])
    assert [
        (round(r.travel_time_s, 1), round(r.distance_m), round(r.straight_line_m))
        for r in after.results
    ] == [
        (round(600 / WALK_M_S, 1), 600, 600),
        (round(3300 / WALK_M_S, 1), 3300, 300),
    ]
    assert after.results[1].arrival_at == WEDNESDAY_10 + dt.timedelta(
        seconds=after.results[1].travel_time_s
    )
    assert after.network is not None and after.network.name == "river.osm.pbf"
    assert (after.straight_line_reason, after.unreachable_count) == ("", 0)


def test_open_on_arrival_uses_the_network_time(east_and_west):
    east, _west = east_and_west
    east.opening_hours = "Mo-Su 08:00-10:30"  # 5 min away straight, 44 min by road
    east.save()
    straight = find_nearest_stations(_query())
    _install()

    network = find_nearest_stations(_query())

    assert _names(straight) == ["east", "west"]
    assert _names(network) == ["west"]
    with_closed = find_nearest_stations(_query(open_only=False))
    assert [r.state_on_arrival.is_open for r in with_closed.results] == [True, False]


def test_one_way_street_leaves_a_station_out_for_ebikes_and_says_so(east_and_west):
    _install()

    walking = find_nearest_stations(_query())
    riding = find_nearest_stations(_query(mode=TravelMode.EBIKE))

    assert _names(walking) == ["west", "east"]
    assert _names(riding) == ["east"]
    assert riding.results[0].travel_time_s == pytest.approx(3300 / EBIKE_M_S, 1e-4)
    assert riding.unreachable_count == 1
    with translation.override("en"):
        assert travel_time_note(riding) == (
            "Travel times on the road network “river.osm.pbf” at 15 km/h, including "
            "the way to and from the nearest road. Not listed: 1 station on the road "
            "network that is nearer in a straight line but cannot be reached on it "
            "within 60 minutes."
        )


def test_a_station_off_the_network_is_timed_in_a_straight_line_among_the_others(
    east_and_west, village
):
    _install()

    answer = find_nearest_stations(_query())

    expected_s = {
        "west": 600 / WALK_M_S,
        "east": 3300 / WALK_M_S,
        "village": _straight_line_s(village, WALK_M_S),
    }
    # Nearest in a straight line, the east is far by road and the village is between.
    assert _names(answer) == sorted(expected_s, key=expected_s.__getitem__)
    assert _names(answer) == ["west", "village", "east"]
    assert [r.travel_time_s for r in answer.results] == pytest.approx(
        [expected_s[name] for name in _names(answer)], rel=1e-4
    )
    assert [r.travel_time_method for r in answer.results] == [
        NETWORK,
        STRAIGHT_LINE,
        NETWORK,
    ]
    in_village = answer.results[1]
    assert (
        in_village.distance_m == in_village.straight_line_m == _straight_line_m(village)
    )
    assert in_village.travel_time_s == _straight_line_s(village, WALK_M_S)
    assert in_village.arrival_at == WEDNESDAY_10 + dt.timedelta(
        seconds=in_village.travel_time_s
    )
    assert (answer.method, answer.unreachable_count) == (NETWORK, 0)
    with translation.override("en"):
        assert travel_time_note(answer) == (
            "Travel times on the road network “river.osm.pbf” at 4.5 km/h, including "
            "the way to and from the nearest road. Times to stations more than 500 m "
            "from its roads are estimated from straight-line distance times a detour "
            "factor of 1.3 at 4.5 km/h."
        )


def test_off_the_network_and_cut_off_on_it_are_told_apart(east_and_west, village):
    _install()

    riding = find_nearest_stations(_query(mode=TravelMode.EBIKE))

    # The one-way west street still cuts the west station off; the village is counted
    # as reached in a straight line, not as unreachable.
    expected_s = {
        "east": 3300 / EBIKE_M_S,
        "village": _straight_line_s(village, EBIKE_M_S),
    }
    assert _names(riding) == sorted(expected_s, key=expected_s.__getitem__)
    assert [
        (r.station.name, r.travel_time_method, r.travel_time_s) for r in riding.results
    ] == [
        ("village", STRAIGHT_LINE, _straight_line_s(village, EBIKE_M_S)),
        ("east", NETWORK, pytest.approx(expected_s["east"], rel=1e-4)),
    ]
    assert riding.unreachable_count == 1


def test_on_the_network_beyond_the_limit_is_unreachable_off_it_is_not_listed(
    monkeypatch, east_and_west, village
):
    # The real search with a 20-minute limit: the river network is too small for the
    # hour's limit to cut anything off on foot.
    monkeypatch.setattr(
        finder,
        "open_network_origin",
        functools.partial(routing.open_network_origin, limit_s=1200),
    )
    _install()

    answer = find_nearest_stations(_query())

    # East (3,300 m by road) is on the network but beyond the limit: unreachable. The
    # village's estimate is beyond it too: held to the limit, but not unreachable.
    assert 3300 / WALK_M_S > 1200 and _straight_line_s(village, WALK_M_S) > 1200
    assert _names(answer) == ["west"]
    assert (answer.network_limit_min, answer.unreachable_count) == (20, 1)
    with translation.override("en"):
        assert travel_time_note(answer).endswith(
            " Not listed: 1 station on the road network that is nearer in a straight "
            "line but cannot be reached on it within 20 minutes."
        )


def test_a_faster_station_farther_out_is_found_before_the_rings_stop(east_and_west):
    _install()
    _station("north", 0, 1400)  # 1,400 m away, straight up the street

    answer = find_nearest_stations(_query(limit=2))

    assert _names(answer) == ["west", "north"]


def test_network_ranking_equals_brute_force_over_every_station():
    rng = random.Random(7)
    nodes = [(x, y) for x in (0, 300) for y in range(0, 1600, 100)]
    nodes += [(x, 0) for x in range(-600, 0, 100)]
    stations = [
        _station(f"s{i}", x + rng.uniform(-30, 30), y + rng.uniform(-30, 30))
        for i, (x, y) in enumerate(rng.sample(nodes, 14))
    ]
    # Villages at least 700 m south of every road node: off the network.
    stations += [
        _station(f"v{i}", rng.uniform(-900, 600), rng.uniform(-1200, -700))
        for i in range(4)
    ]
    _install()
    by_pk = {station.pk: station for station in stations}

    for mode, speed_m_s in ((TravelMode.WALK, WALK_M_S), (TravelMode.EBIKE, EBIKE_M_S)):
        answer = find_nearest_stations(_query(mode=mode, limit=10))

        times = network_travel_times(
            *ORIGIN, mode, [(s.pk, s.lat_deg, s.lon_deg) for s in stations]
        )
        on_network = [
            (t.travel_time_s, t.station_id, NETWORK)
            for t in times.stations
            if t.is_reachable
        ]
        off_network = [
            (
                _straight_line_s(by_pk[t.station_id], speed_m_s),
                t.station_id,
                STRAIGHT_LINE,
            )
            for t in times.stations
            if not t.is_on_network
        ]
        assert len(off_network) == 4
        # Held to the network search's hour like the network times.
        expected = sorted(on_network + [row for row in off_network if row[0] <= 3600])
        assert {method for _t, _pk, method in expected[:10]} == {NETWORK, STRAIGHT_LINE}
        assert [
            (r.station.pk, r.travel_time_method, r.travel_time_s)
            for r in answer.results
        ] == [(pk, method, t) for t, pk, method in expected[:10]]


def test_no_network_keeps_the_straight_line_and_says_why(east_and_west):
    answer = find_nearest_stations(_query())

    assert (answer.method, answer.straight_line_reason, answer.network) == (
        STRAIGHT_LINE,
        "no_network",
        None,
    )
    with translation.override("en"):
        assert travel_time_note(answer) == (
            "Travel times are estimated from straight-line distance times a detour "
            "factor, because no road network is loaded yet."
        )


def test_an_origin_off_the_network_falls_back_to_the_straight_line(east_and_west):
    _install()
    lat_deg, lon_deg = position(-1000, 900)  # 985 m from the nearest road node

    answer = find_nearest_stations(_query(lat_deg=lat_deg, lon_deg=lon_deg))

    assert (answer.method, answer.straight_line_reason) == (
        STRAIGHT_LINE,
        "off_network",
    )
    assert _names(answer) == ["west", "east"]
    assert answer.results[0].travel_time_s == pytest.approx(
        answer.results[0].distance_m * 1.3 / WALK_M_S
    )
    with translation.override("en"):
        assert travel_time_note(answer) == (
            "Travel times are estimated from straight-line distance times a detour "
            "factor, because the nearest road of the road network is 985 m away "
            "(more than 500 m)."
        )


def test_a_generated_network_is_named_as_such(east_and_west):
    _install(is_generated=True)

    answer = find_nearest_stations(_query())

    assert answer.network is not None and answer.network.is_generated
    with translation.override("en"):
        assert "(generated street network, not real roads)" in travel_time_note(answer)
