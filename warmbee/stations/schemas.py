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


TravelTimeMethod = Literal["network", "straight_line_with_detour"]
StraightLineReason = Literal["no_network", "off_network", "network_unavailable"]


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
    travel_time_method: TravelTimeMethod = Field(
        description="How this station's travel time was worked out. In a network "
        "answer, straight_line_with_detour marks a station off the network (more than "
        "500 m from its roads): straight-line distance times detour_factor over the "
        "mode's speed."
    )
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


class TravelNetworkOut(Schema):
    name: str
    is_generated: bool = Field(
        description="A generated street network (demo), not real roads."
    )


class NearestStationsOut(Schema):
    travel_time_method: TravelTimeMethod = Field(
        description="network: travel times on the road network named in `network`, "
        "including the way to and from the nearest road, except for stations off it "
        "(see each result's travel_time_method); straight_line_with_detour: "
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
        "(or, off the network, estimated to take longer) are not listed."
    )
    unreachable_count: int = Field(
        description="With the network: stations on it (within 500 m of its roads), "
        "nearer in a straight line than the results, that cannot be reached on it "
        "within network_limit_min. Stations off the network are not counted: they are "
        "timed in a straight line."
    )
    detour_factor: float | None = Field(
        description="The detour factor, when a travel time is a straight-line estimate "
        "(every result, or a station off the network); else null."
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
