"""The station's travel-time area (GeoJSON), the finder's method in the API and pages."""

import h3
import pytest
from django.test import Client
from django.urls import reverse

from warmbee.accounts.models import Role
from warmbee.core import geo
from warmbee.coverage.routing import forget_network_bounds
from warmbee.coverage.selectors import get_county
from warmbee.coverage.services import install_road_network
from warmbee.factories import StationFactory, make_user
from warmbee.stations.tests.river_network import (
    ORIGIN,
    WALK_M_S,
    WEST_XY,
    position,
    river_network,
)

pytestmark = pytest.mark.django_db

PROBLEM_JSON = "application/problem+json"
OFF_NETWORK_NOTE = "Estimated in a straight line: this station is off the road network."


def _install(*, is_generated: bool = False) -> None:
    install_road_network(
        county=get_county("140122"),
        network=river_network(),
        name="river.osm.pbf",
        is_generated=is_generated,
    )
    forget_network_bounds()


@pytest.fixture
def west():
    lat_deg, lon_deg = position(*WEST_XY)
    return StationFactory(
        name="西驿站", name_en="West", lat_deg=lat_deg, lon_deg=lon_deg
    )


@pytest.fixture
def village(settings):
    """A station 2 km south of the west street's end: off the network."""
    settings.FINDER_DETOUR_FACTOR = 1.3
    settings.FINDER_WALK_SPEED_KMH = 4.5
    lat_deg, lon_deg = position(WEST_XY[0], -2000)
    return StationFactory(
        name="村驿站", name_en="Village", lat_deg=lat_deg, lon_deg=lon_deg
    )


def _area_url(station, **params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"/api/stations/{station.pk}/area?{query}"


def test_area_is_a_feature_collection_with_the_area_and_the_station(client, west):
    _install(is_generated=True)

    response = client.get(
        _area_url(west, mode="walk", minutes=5), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert [feature["properties"]["kind"] for feature in body["features"]] == [
        "station_area",
        "station",
    ]
    area, point = body["features"]
    assert area["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    ring = (
        area["geometry"]["coordinates"][0]
        if area["geometry"]["type"] == "Polygon"
        else area["geometry"]["coordinates"][0][0]
    )
    assert ring[0] == ring[-1]  # closed, lon/lat
    assert 112.6 < ring[0][0] < 112.7 and 38.0 < ring[0][1] < 38.1
    assert point["geometry"] == {
        "type": "Point",
        "coordinates": [round(west.lon_deg, 7), round(west.lat_deg, 7)],
    }
    assert point["properties"]["label"] == "West"
    assert body["area"] == {
        "station_id": west.pk,
        "mode": "walk",
        "minutes": 5,
        "network": {"name": "river.osm.pbf", "is_generated": True},
        "label": "Places within 5 min of the station on foot",
        "note": "generated street network, not real roads",
        # Walking 5 minutes (375 m): the nodes at x = -600, -500, -400 and -300.
        "cell_count": len(
            {h3.latlng_to_cell(*position(x, 0), 9) for x in (-600, -500, -400, -300)}
        ),
    }


def test_area_defaults_to_15_minutes_walking(client, west):
    _install()

    body = client.get(f"/api/stations/{west.pk}/area").json()

    assert (body["area"]["mode"], body["area"]["minutes"], body["area"]["note"]) == (
        "walk",
        15,
        "",
    )


@pytest.mark.parametrize(
    "role",
    [None, Role.WORKER, Role.STATION_STAFF, Role.DOCTOR, Role.COUNTY_ADMIN],
)
def test_area_is_public(west, role):
    _install()
    client = Client()
    if role is not None:
        client.force_login(make_user(role))

    response = client.get(_area_url(west, mode="ebike", minutes=15))

    assert response.status_code == 200
    assert response.json()["area"]["mode"] == "ebike"


def test_area_without_a_network_is_not_found_with_a_clear_message(client, west):
    response = client.get(_area_url(west, mode="walk"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM_JSON
    body = response.json()
    assert (body["code"], body["detail"]) == (
        "no_road_network",
        "This station's travel-time area needs a road network, and none is loaded "
        "for where it is.",
    )


def test_area_of_a_station_off_the_network_is_not_found(client):
    _install()
    lat_deg, lon_deg = position(-1000, 900)
    station = StationFactory(lat_deg=lat_deg, lon_deg=lon_deg)

    response = client.get(_area_url(station), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert response.json()["code"] == "station_off_network"
    assert "985 m from the nearest road" in response.json()["detail"]


def test_area_of_an_unknown_or_inactive_station_is_not_found(client, west):
    _install()
    west.is_active = False
    west.save()

    for url in (_area_url(west), "/api/stations/999999/area"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "station_not_found"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"minutes": 0}, "minutes"),
        ({"minutes": 61}, "minutes"),
        ({"minutes": "ten"}, "minutes"),
        ({"mode": "car"}, "mode"),
    ],
)
def test_area_refuses_invalid_parameters(client, west, params, field):
    _install()

    response = client.get(_area_url(west, **params))

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]


# --------------------------------------------------------------- finder API and pages


def test_nearest_api_names_the_network_and_its_method(client, west):
    _install(is_generated=True)

    response = client.get(
        "/api/stations/nearest",
        {"lat": ORIGIN[0], "lon": ORIGIN[1]},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = response.json()
    assert {
        key: body[key]
        for key in (
            "travel_time_method",
            "network",
            "straight_line_reason",
            "network_limit_min",
            "unreachable_count",
            "detour_factor",
        )
    } == {
        "travel_time_method": "network",
        "network": {"name": "river.osm.pbf", "is_generated": True},
        "straight_line_reason": None,
        "network_limit_min": 60,
        "unreachable_count": 0,
        "detour_factor": None,
    }
    assert body["travel_time_note"].startswith(
        "Travel times on the road network “river.osm.pbf” (generated street network, "
        "not real roads) at 4.5 km/h"
    )
    result = body["results"][0]
    assert (result["distance_m"], result["straight_line_distance_m"]) == (600, 600)
    assert result["travel_time_s"] == 480


def test_nearest_api_says_which_results_are_timed_off_the_network(
    client, west, village
):
    _install()

    response = client.get(
        "/api/stations/nearest", {"lat": ORIGIN[0], "lon": ORIGIN[1], "mode": "walk"}
    )

    body = response.json()
    straight_m = geo.haversine_m(*ORIGIN, village.lat_deg, village.lon_deg)
    assert [
        (
            result["id"],
            result["travel_time_method"],
            result["distance_m"],
            result["straight_line_distance_m"],
            result["travel_time_s"],
        )
        for result in body["results"]
    ] == [
        (west.pk, "network", 600, 600, round(600 / WALK_M_S)),
        (
            village.pk,
            "straight_line_with_detour",
            round(straight_m),
            round(straight_m),
            round(straight_m * 1.3 / WALK_M_S),
        ),
    ]
    assert {
        key: body[key]
        for key in ("travel_time_method", "unreachable_count", "detour_factor")
    } == {"travel_time_method": "network", "unreachable_count": 0, "detour_factor": 1.3}


def test_results_page_marks_the_station_off_the_network(client, west, village):
    _install()

    response = client.get(f"/en/find/?lat={ORIGIN[0]}&lon={ORIGIN[1]}&mode=walk")

    content = response.content.decode()
    assert content.count('data-testid="result" data-method="network"') == 1
    assert content.count('data-method="straight_line_with_detour"') == 1
    assert content.count(OFF_NETWORK_NOTE) == 1
    # On the village's card, the second.
    card = content.index('data-method="straight_line_with_detour"')
    assert content.index("West") < card < content.index("Village")
    assert content.index("Village") < content.index(OFF_NETWORK_NOTE)
    assert "Times to stations more than 500 m from its roads are estimated" in content


def test_results_page_says_the_times_are_on_the_generated_network(client, west):
    _install(is_generated=True)

    response = client.get(f"/en/find/?lat={ORIGIN[0]}&lon={ORIGIN[1]}&mode=walk")

    content = response.content.decode()
    assert 'data-method="network"' in content
    assert "Travel times on the road network “river.osm.pbf” (generated street" in (
        content
    )


def test_results_page_without_a_network_says_straight_line(client, west):
    response = client.get(f"/en/find/?lat={ORIGIN[0]}&lon={ORIGIN[1]}")

    content = response.content.decode()
    assert 'data-method="straight_line_with_detour"' in content
    assert "because no road network is loaded yet." in content
    assert "(straight-line distance × 1.3 at 15.0 km/h)" in content
    # Every time is a straight-line estimate: no station is singled out as off it.
    assert OFF_NETWORK_NOTE not in content


def test_station_page_offers_the_area_when_a_network_covers_it(client, west):
    _install(is_generated=True)

    response = client.get(f"/en{reverse('stations:detail', args=[west.pk])}")

    content = response.content.decode()
    assert f'data-area-url="/api/stations/{west.pk}/area"' in content
    assert 'data-testid="generated-network"' in content
    assert 'data-area-mode="ebike"' in content


def test_station_page_says_the_area_needs_a_road_network(client, west):
    response = client.get(f"/en{reverse('stations:detail', args=[west.pk])}")

    content = response.content.decode()
    assert "data-area-url" not in content
    assert "The 15-minute area needs a road network" in content
