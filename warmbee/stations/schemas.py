"""API schemas for stations and the finder."""

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import Field


class AmenityOut(Schema):
    code: str
    name: str
    name_en: str
    icon: str


class StationAmenityOut(Schema):
    code: str
    status: str
    verified_at: dt.datetime | None


class NearestStationOut(Schema):
    id: int
    name: str
    name_en: str
    address: str
    lat_deg: float
    lon_deg: float
    position_is_approximate: bool
    distance_m: int = Field(
        description="Metres along the roads with the network method, else straight-line."
    )
    straight_line_distance_m: int
    travel_time_s: int
    arrival_at: dt.datetime
    open_on_arrival: bool
    closes_in_min: int | None = Field(
        description="Minutes between arrival and closing, if open."
    )
    opens_at: dt.datetime | None = Field(
        description="When it next opens, if closed on arrival."
    )
    closure_reason: str
    matching_amenities: list[str]
    recent_visits: int = Field(description="Check-ins in the last 30 minutes.")
    capacity: int
    url: str


TravelTimeMethod = Literal["network", "straight_line_with_detour"]
StraightLineReason = Literal["no_network", "off_network", "network_unavailable"]


class TravelNetworkOut(Schema):
    name: str
    is_generated: bool = Field(
        description="A generated street network (demo), not real roads."
    )


class NearestStationsOut(Schema):
    travel_time_method: TravelTimeMethod = Field(
        description="network: travel times on the road network named in `network`, "
        "including the way to and from the nearest road; straight_line_with_detour: "
        "straight-line distance times detour_factor over the mode's speed, for the "
        "reason in straight_line_reason."
    )
    travel_time_note: str
    network: TravelNetworkOut | None = Field(
        description="The road network used, or the one the searcher was too far from."
    )
    straight_line_reason: StraightLineReason | None = Field(
        description="Why straight line: no network here, the position is more than "
        "500 m from its roads, or its file cannot be read. Null with the network."
    )
    network_limit_min: int | None = Field(
        description="With the network: stations not reachable within this many minutes "
        "are not listed."
    )
    unreachable_count: int = Field(
        description="With the network: stations nearer in a straight line than the "
        "results that the network cannot reach within network_limit_min."
    )
    detour_factor: float | None = Field(
        description="The detour factor (straight line only)."
    )
    speed_kmh: float
    mode: str
    at: dt.datetime
    results: list[NearestStationOut]


class StationDetailOut(Schema):
    id: int
    name: str
    name_en: str
    community_code: str
    address: str
    lat_deg: float
    lon_deg: float
    position_is_approximate: bool
    opening_hours: str
    phone: str
    capacity: int
    open_now: bool
    closure_reason: str
    amenities: list[StationAmenityOut]


class StationAreaInfoOut(Schema):
    station_id: int
    mode: str
    minutes: int
    network: TravelNetworkOut
    label: str = Field(description="What the area is, in the reader's language.")
    note: str = Field(
        description="The generated-network warning when relevant, else empty."
    )
    cell_count: int = Field(description="H3 resolution-9 cells in the area.")


class StationAreaOut(Schema):
    """An RFC 7946 FeatureCollection: the area (kind station_area) and the station
    (kind station); ``area`` is a foreign member describing it."""

    type: Literal["FeatureCollection"]
    features: list[dict[str, Any]]
    area: StationAreaInfoOut
