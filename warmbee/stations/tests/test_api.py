import datetime as dt
import math
from collections.abc import Callable

import pytest
from django.utils import timezone, translation

from warmbee.core import geo
from warmbee.factories import StationFactory, VisitFactory, set_amenities
from warmbee.stations import errors
from warmbee.stations.models import StationAmenity

pytestmark = pytest.mark.django_db

HERE = (38.06, 112.68)
NEAREST_URL = "/api/stations/nearest"
PROBLEM_JSON = "application/problem+json"


@pytest.fixture(autouse=True)
def _finder_settings(settings):
    settings.FINDER_DETOUR_FACTOR = 1.3
    settings.FINDER_WALK_SPEED_KMH = 4.5
    settings.FINDER_EBIKE_SPEED_KMH = 15.0
    settings.FINDER_BUSY_WINDOW_MIN = 30


def _local(*parts: int) -> dt.datetime:
    """Return an aware datetime in Asia/Shanghai."""
    return timezone.make_aware(dt.datetime(*parts))  # noqa: DTZ001


def _north_of_here(distance_m: float) -> tuple[float, float]:
    return HERE[0] + math.degrees(distance_m / geo.EARTH_RADIUS_M), HERE[1]


def _params(**overrides):
    params = {"lat": HERE[0], "lon": HERE[1], "at": "2026-03-04T17:00:00+08:00"}
    params.update(overrides)
    return params


NO_NETWORK_NOTE = (
    "Travel times are estimated from straight-line distance times a detour factor, "
    "because no road network is loaded yet."
)


def _in_chinese(message: Callable[[], str]) -> str:
    with translation.override("zh-hans"):
        return message()


def _chinese(error: errors.DomainError) -> str:
    return _in_chinese(lambda: error.detail)


# --- GET /api/stations/nearest -------------------------------------------------------


@pytest.fixture
def station_1_km_north():
    lat_deg, lon_deg = _north_of_here(1000)
    station = StationFactory(
        name="大盂驿站",
        name_en="Dayu station",
        address="大盂镇",
        lat_deg=lat_deg,
        lon_deg=lon_deg,
        opening_hours="Mo-Su 08:00-18:00",
        capacity=8,
    )
    set_amenities(station, ["hot_water", "microwave", "toilet"])
    VisitFactory(station=station, visited_at=_local(2026, 3, 4, 16, 45))
    return station


def test_nearest_answers_with_travel_time_and_state_on_arrival(
    client, station_1_km_north
):
    station = station_1_km_north

    response = client.get(NEAREST_URL, _params(amenities="microwave,hot_water"))

    assert response.status_code == 200
    assert response.json() == {
        "travel_time_method": "straight_line_with_detour",
        "travel_time_note": _in_chinese(lambda: translation.gettext(NO_NETWORK_NOTE)),
        "network": None,
        "straight_line_reason": "no_network",
        "network_limit_min": None,
        "unreachable_count": 0,
        "detour_factor": 1.3,
        "speed_kmh": 4.5,
        "mode": "walk",
        "at": "2026-03-04T17:00:00+08:00",
        "results": [
            {
                "id": station.pk,
                "name": "大盂驿站",
                "name_en": "Dayu station",
                "address": "大盂镇",
                "lat_deg": station.lat_deg,
                "lon_deg": station.lon_deg,
                "position_is_approximate": False,
                "distance_m": 1000,
                "straight_line_distance_m": 1000,
                "travel_time_s": 1040,
                "travel_time_method": "straight_line_with_detour",
                "arrival_at": "2026-03-04T17:17:20+08:00",
                "open_on_arrival": True,
                "closes_in_min": 42,
                "opens_at": None,
                "closure_reason": "",
                "matching_amenities": ["hot_water", "microwave"],
                "recent_visits": 1,
                "capacity": 8,
                "url": f"/stations/{station.pk}/",
            }
        ],
    }


def test_nearest_by_ebike(client, station_1_km_north):
    response = client.get(NEAREST_URL, _params(mode="ebike"))

    body = response.json()
    assert (body["mode"], body["speed_kmh"]) == ("ebike", 15.0)
    result = body["results"][0]
    assert (result["travel_time_s"], result["arrival_at"], result["closes_in_min"]) == (
        312,
        "2026-03-04T17:05:12+08:00",
        54,
    )


def test_nearest_keeps_the_offset_it_was_given(client, station_1_km_north):
    response = client.get(NEAREST_URL, _params(at="2026-03-04T09:00:00Z"))

    body = response.json()
    assert body["at"] == "2026-03-04T09:00:00Z"
    assert body["results"][0]["arrival_at"] == "2026-03-04T09:17:20Z"


def test_nearest_can_include_closed_stations(client):
    lat_deg, lon_deg = _north_of_here(500)
    closed = StationFactory(
        lat_deg=lat_deg,
        lon_deg=lon_deg,
        closed_until=_local(2026, 3, 6, 12, 0),
        closure_reason="停水检修",
    )

    only_open = client.get(NEAREST_URL, _params())
    everything = client.get(NEAREST_URL, _params(open_only="false"))

    assert only_open.json()["results"] == []
    result = everything.json()["results"][0]
    assert result["id"] == closed.pk
    assert (
        result["open_on_arrival"],
        result["closes_in_min"],
        result["opens_at"],
        result["closure_reason"],
    ) == (False, None, "2026-03-06T04:00:00Z", "停水检修")


def test_nearest_respects_the_limit(client):
    for distance_m in (100, 200, 300):
        StationFactory(
            lat_deg=_north_of_here(distance_m)[0], lon_deg=HERE[1], name=f"{distance_m}"
        )

    response = client.get(NEAREST_URL, _params(limit=2))

    assert [result["name"] for result in response.json()["results"]] == ["100", "200"]


def test_nearest_note_follows_the_language(client, station_1_km_north):
    response = client.get(NEAREST_URL, _params(), HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["travel_time_note"] == NO_NETWORK_NOTE
    assert response.json()["results"][0]["url"] == (
        f"/en/stations/{station_1_km_north.pk}/"
    )


def test_nearest_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    for index in range(10):
        station = StationFactory(
            lat_deg=_north_of_here(100 * index)[0], lon_deg=HERE[1]
        )
        set_amenities(station, ["hot_water"])

    with django_assert_max_num_queries(6):
        response = client.get(NEAREST_URL, _params(amenities="hot_water", limit=5))

    assert len(response.json()["results"]) == 5


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lat": 95}, "lat"),
        ({"lat": -90.5}, "lat"),
        ({"lon": 181}, "lon"),
        ({"lat": "abc"}, "lat"),
        ({"lat": "38,06"}, "lat"),
        ({"mode": "helicopter"}, "mode"),
        ({"limit": 0}, "limit"),
        ({"limit": 21}, "limit"),
        ({"at": "2026-03-04T17:00:00"}, "at"),
        ({"at": "tomorrow"}, "at"),
    ],
)
def test_nearest_refuses_malformed_input(client, params, field):
    response = client.get(NEAREST_URL, _params(**params))

    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM_JSON
    body = response.json()
    assert (body["type"], body["code"], body["status"]) == (
        "urn:warmbee:error:invalid_input",
        "invalid_input",
        422,
    )
    assert [error["field"] for error in body["errors"]] == [field]


def test_nearest_refuses_a_missing_position(client):
    response = client.get(NEAREST_URL, {"lon": 112.68})

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["lat"]


def test_nearest_refuses_a_naive_time_with_an_explanation(client):
    response = client.get(NEAREST_URL, _params(at="2026-03-04T17:00:00"))
    english = client.get(
        NEAREST_URL, _params(at="2026-03-04T17:00:00"), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.json()["errors"] == [
        {"field": "at", "problem": "Value error, 必须带时区偏移"}
    ]
    assert english.json()["errors"] == [
        {"field": "at", "problem": "Value error, must include a time zone offset"}
    ]


@pytest.mark.parametrize(
    "at", ["9999-12-31T20:00:00+00:00", "0001-01-02T00:00:00+00:00"]
)
def test_nearest_refuses_a_time_far_from_now_instead_of_crashing(client, at):
    response = client.get(NEAREST_URL, _params(at=at), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "at", "problem": "Value error, must be within ten years of now"}
    ]


def test_nearest_refuses_a_position_outside_china(client):
    response = client.get(NEAREST_URL, _params(lat=35.68, lon=139.76))

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM_JSON
    assert response["Content-Language"] == "zh-hans"
    assert response.json() == {
        "type": "urn:warmbee:error:position_outside_china",
        "code": "position_outside_china",
        "status": 400,
        "detail": _chinese(errors.PositionOutsideChinaError()),
    }


def test_nearest_refuses_an_unknown_amenity(client):
    response = client.get(NEAREST_URL, _params(amenities="sauna,hot_water,spa"))

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM_JSON
    assert response.json() == {
        "type": "urn:warmbee:error:unknown_amenity",
        "code": "unknown_amenity",
        "status": 400,
        "detail": _chinese(errors.UnknownAmenityError(codes="sauna, spa")),
    }


def test_errors_are_in_english_on_request(client):
    response = client.get(
        NEAREST_URL, _params(lat=35.68, lon=139.76), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert response["Content-Language"] == "en"
    assert response.json()["detail"] == (
        "The position must be inside China (WGS-84 latitude and longitude)."
    )


def test_validation_errors_are_in_english_on_request(client):
    response = client.get(NEAREST_URL, _params(lat=95), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 422
    assert response.json()["detail"] == "Some of the input is not valid."


def test_unknown_amenity_error_in_english_names_the_codes(client):
    response = client.get(
        NEAREST_URL, _params(amenities="sauna"), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.json()["detail"] == "Unknown amenity: sauna."


# --- GET /api/stations/amenities -----------------------------------------------------


def test_amenities_lists_the_catalogue_in_order(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = client.get("/api/stations/amenities")

    assert response.status_code == 200
    body = response.json()
    assert len(body) == 16
    assert body[0] == {
        "code": "rest_seats",
        "name": "休息座椅",
        "name_en": "Rest seats",
        "icon": "🪑",
    }
    assert [amenity["code"] for amenity in body][:3] == [
        "rest_seats",
        "drinking_water",
        "hot_water",
    ]


# --- GET /api/stations/{id} ----------------------------------------------------------


def test_station_detail(client):
    station = StationFactory(
        name="黄寨驿站",
        name_en="Huangzhai station",
        address="黄寨镇",
        lat_deg=38.1,
        lon_deg=112.6,
        opening_hours="24/7",
        phone="0351-1234567",
        capacity=12,
    )
    StationAmenity.objects.filter(station=station, amenity__code="toilet").update(
        status="broken", verified_at=_local(2026, 3, 1, 9, 0)
    )

    response = client.get(f"/api/stations/{station.pk}")

    assert response.status_code == 200
    body = response.json()
    amenities = body.pop("amenities")
    assert body == {
        "id": station.pk,
        "name": "黄寨驿站",
        "name_en": "Huangzhai station",
        "community_code": "140122400001",
        "address": "黄寨镇",
        "lat_deg": 38.1,
        "lon_deg": 112.6,
        "position_is_approximate": False,
        "opening_hours": "24/7",
        "phone": "0351-1234567",
        "capacity": 12,
        "open_now": True,
        "closure_reason": "",
    }
    assert len(amenities) == 16
    assert amenities[0] == {
        "code": "rest_seats",
        "status": "unknown",
        "verified_at": None,
    }
    assert amenities[4] == {
        "code": "toilet",
        "status": "broken",
        "verified_at": "2026-03-01T01:00:00Z",
    }


def test_station_detail_shows_a_temporary_closure(client):
    station = StationFactory(
        opening_hours="24/7",
        closed_until=timezone.now() + dt.timedelta(days=1),
        closure_reason="停电",
    )

    body = client.get(f"/api/stations/{station.pk}").json()

    assert (body["open_now"], body["closure_reason"]) == (False, "停电")


def test_unknown_station_is_a_404_problem(client):
    response = client.get("/api/stations/999999")

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM_JSON
    assert response.json() == {
        "type": "urn:warmbee:error:station_not_found",
        "code": "station_not_found",
        "status": 404,
        "detail": _chinese(errors.StationNotFoundError()),
    }


def test_station_out_of_service_is_a_404_problem(client):
    station = StationFactory(is_active=False)

    response = client.get(f"/api/stations/{station.pk}")

    assert response.status_code == 404
    assert response.json()["code"] == "station_not_found"


def test_unknown_station_in_english(client):
    response = client.get("/api/stations/999999", HTTP_ACCEPT_LANGUAGE="en")

    assert response.json()["detail"] == "There is no such station."
