"""JSON API for stations: amenity catalogue, station detail, travel-time area, finder."""

import datetime as dt
from typing import cast

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.throttling import AnonRateThrottle
from pydantic import Field, field_validator

from warmbee.coverage.exports import generated_network_label, mode_label
from warmbee.coverage.routing import StationArea
from warmbee.stations import selectors
from warmbee.stations.choices import TravelMode
from warmbee.stations.finder import (
    FinderAnswer,
    FinderQuery,
    find_nearest_stations,
    travel_time_note,
)
from warmbee.stations.models import Station
from warmbee.stations.schemas import (
    AmenityOut,
    NearestStationOut,
    NearestStationsOut,
    StationAmenityOut,
    StationAreaInfoOut,
    StationAreaOut,
    StationDetailOut,
    StraightLineReason,
    TravelNetworkOut,
    TravelTimeMethod,
)

router = Router(tags=["stations"])
MAX_DEPARTURE_OFFSET = dt.timedelta(days=3653)


class NearestQueryIn(Schema):
    lat: float = Field(ge=-90, le=90, description="WGS-84 latitude in degrees")
    lon: float = Field(ge=-180, le=180, description="WGS-84 longitude in degrees")
    mode: TravelMode = TravelMode.WALK
    amenities: str = Field(
        "", description="Comma-separated amenity codes, all required"
    )
    at: dt.datetime | None = Field(
        None, description="Departure time (ISO 8601); default now"
    )
    limit: int = Field(5, ge=1, le=20)
    open_only: bool = True

    @field_validator("at")
    @classmethod
    def at_has_timezone(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is None:
            return value
        if value.tzinfo is None:
            raise ValueError(gettext("must include a time zone offset"))
        # Opening hours are worked out days ahead: keep clear of datetime's limits.
        if abs(value - timezone.now()) > MAX_DEPARTURE_OFFSET:
            raise ValueError(gettext("must be within ten years of now"))
        return value

    def amenity_codes(self) -> tuple[str, ...]:
        return tuple(
            dict.fromkeys(
                code.strip() for code in self.amenities.split(",") if code.strip()
            )
        )


def nearest_out(answer: FinderAnswer) -> NearestStationsOut:
    results = [
        NearestStationOut(
            id=result.station.pk,
            name=result.station.name,
            name_en=result.station.name_en,
            address=result.station.address,
            lat_deg=result.station.lat_deg,
            lon_deg=result.station.lon_deg,
            position_is_approximate=result.station.position_is_approximate,
            distance_m=round(result.distance_m),
            straight_line_distance_m=round(result.straight_line_m),
            travel_time_s=round(result.travel_time_s),
            travel_time_method=cast(TravelTimeMethod, result.travel_time_method),
            arrival_at=result.arrival_at,
            open_on_arrival=result.state_on_arrival.is_open,
            closes_in_min=result.state_on_arrival.minutes_until_close(
                result.arrival_at
            ),
            opens_at=result.state_on_arrival.opens_at,
            closure_reason=result.state_on_arrival.closure_reason,
            matching_amenities=list(result.matching_amenity_codes),
            recent_visits=result.recent_visits,
            capacity=result.station.capacity,
            url=reverse("stations:detail", args=[result.station.pk]),
        )
        for result in answer.results
    ]
    network = answer.network
    return NearestStationsOut(
        travel_time_method=cast(TravelTimeMethod, answer.method),
        travel_time_note=travel_time_note(answer),
        network=None
        if network is None
        else TravelNetworkOut(name=network.name, is_generated=network.is_generated),
        straight_line_reason=cast(
            StraightLineReason | None, answer.straight_line_reason or None
        ),
        network_limit_min=answer.network_limit_min if answer.is_network else None,
        unreachable_count=answer.unreachable_count,
        detour_factor=answer.detour_factor
        if not answer.is_network or answer.has_off_network_results
        else None,
        speed_kmh=answer.speed_kmh,
        mode=answer.query.mode,
        at=answer.query.at,
        results=results,
    )


@router.get(
    "/nearest",
    response=NearestStationsOut,
    summary="Nearest stations by travel time",
    throttle=[AnonRateThrottle("120/m")],
)
def nearest_stations(
    request: HttpRequest, params: Query[NearestQueryIn]
) -> NearestStationsOut:
    query = FinderQuery(
        lat_deg=params.lat,
        lon_deg=params.lon,
        mode=params.mode,
        amenity_codes=params.amenity_codes(),
        at=params.at or timezone.now(),
        limit=params.limit,
        open_only=params.open_only,
    )
    return nearest_out(find_nearest_stations(query))


@router.get("/amenities", response=list[AmenityOut], summary="The amenity catalogue")
def list_amenities(request: HttpRequest) -> list[AmenityOut]:
    return [AmenityOut.from_orm(amenity) for amenity in selectors.list_amenities()]


class StationAreaQueryIn(Schema):
    mode: TravelMode = TravelMode.WALK
    minutes: int = Field(15, ge=1, le=60, description="Travel time limit in minutes")


def area_out(station: Station, area: StationArea) -> StationAreaOut:
    """Return the area as GeoJSON with its station and labels in the active language."""
    label = _("Places within %(minutes)s min of the station %(how)s") % {
        "minutes": area.minutes,
        "how": mode_label(area.mode),
    }
    features: list[dict[str, object]] = []
    if area.geometry is not None:
        features.append(
            {
                "type": "Feature",
                "geometry": area.geometry,
                "properties": {"kind": "station_area", "label": label},
            }
        )
    features.append(
        {
            "type": "Feature",
            "geometry": {
                "type": "Point",
                "coordinates": [
                    round(station.lon_deg, 7),
                    round(station.lat_deg, 7),
                ],
            },
            "properties": {"kind": "station", "label": station.label},
        }
    )
    return StationAreaOut(
        type="FeatureCollection",
        features=features,
        area=StationAreaInfoOut(
            station_id=station.pk,
            mode=area.mode,
            minutes=area.minutes,
            network=TravelNetworkOut(
                name=area.network.name, is_generated=area.network.is_generated
            ),
            label=label,
            note=generated_network_label() if area.network.is_generated else "",
            cell_count=len(area.cells),
        ),
    )


@router.get(
    "/{station_id}/area",
    response=StationAreaOut,
    url_name="station_area",
    summary="The area from which a station is reached within some minutes (GeoJSON)",
    throttle=[AnonRateThrottle("30/m")],
)
def station_area(
    request: HttpRequest, station_id: int, params: Query[StationAreaQueryIn]
) -> StationAreaOut:
    view = selectors.get_station_area(station_id, params.mode, params.minutes)
    return area_out(view.station, view.area)


@router.get("/{station_id}", response=StationDetailOut, summary="One station")
def station_detail(request: HttpRequest, station_id: int) -> StationDetailOut:
    station = selectors.get_station(station_id)
    state = selectors.station_state_at(station, timezone.now())
    return StationDetailOut(
        id=station.pk,
        name=station.name,
        name_en=station.name_en,
        community_code=station.community.code,
        address=station.address,
        lat_deg=station.lat_deg,
        lon_deg=station.lon_deg,
        position_is_approximate=station.position_is_approximate,
        opening_hours=station.opening_hours,
        phone=station.phone,
        capacity=station.capacity,
        open_now=state.is_open,
        closure_reason=state.closure_reason,
        amenities=[
            StationAmenityOut(
                code=row.amenity.code, status=row.status, verified_at=row.verified_at
            )
            for row in station.amenities.all()
        ],
    )
