"""API schemas for stations and the finder."""

import datetime as dt

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
    distance_m: int
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


class NearestStationsOut(Schema):
    travel_time_method: str = Field(
        description="straight_line_with_detour: straight-line distance times detour_factor "
        "over the mode's speed, until a road network is loaded."
    )
    travel_time_note: str
    detour_factor: float
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
