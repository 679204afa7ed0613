"""JSON API for check-ins: idempotent by the client's id, safe to resend after no signal."""

import datetime as dt
import uuid

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Router, Schema
from ninja.responses import Status
from ninja.throttling import AnonRateThrottle
from ninja.utils import check_csrf
from pydantic import ConfigDict, Field, field_validator

from warmbee.stations.selectors import get_station_by_checkin_code
from warmbee.visits.errors import CsrfFailedError
from warmbee.visits.origins import OriginStatus, ReportedOrigin
from warmbee.visits.services import check_in

router = Router(tags=["visits"])


class OriginIn(Schema):
    model_config = ConfigDict(extra="forbid")

    lat: float = Field(ge=-90, le=90, description="WGS-84, rounded to about 100 m")
    lon: float = Field(ge=-180, le=180, description="WGS-84, rounded to about 100 m")
    minutes_before: int = Field(
        ge=0,
        le=24 * 60,
        description="How long before the check-in the finder located the phone",
    )


class CheckInIn(Schema):
    # A field the API does not know (a forged "worker" id, say) is refused, not ignored:
    # whose file a visit goes on comes only from the session.
    model_config = ConfigDict(extra="forbid")

    client_id: uuid.UUID = Field(
        description="Generated on the phone; resending is safe"
    )
    checkin_code: str = Field(
        min_length=4, max_length=16, description="From the station's QR code"
    )
    visited_at: dt.datetime | None = Field(
        None,
        description="When a check-in queued without signal was made (ISO 8601 with "
        "offset); leave it out for a live check-in and the server's time is used",
    )
    services: list[str] = Field(default_factory=list, max_length=20)
    origin: OriginIn | None = Field(
        None,
        description="Where the finder located the phone before this check-in; counted "
        "for planning (per cell, month and county) only when the signed-in worker "
        "consents to the location notice",
    )

    @field_validator("visited_at")
    @classmethod
    def visited_at_has_timezone(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError(gettext("must include a time zone offset"))
        return value


class CheckInOut(Schema):
    client_id: uuid.UUID
    station_id: int
    station_name: str
    visited_at: dt.datetime
    created: bool = Field(description="False when this client_id was already recorded")
    as_registered_worker: bool
    origin: OriginStatus = Field(
        description="What became of the origin sent: none_sent, recorded, no_consent, "
        "too_old (searched over an hour before), too_far (over 30 km from the "
        "station), too_often (one was counted for this worker in the last 30 "
        "minutes) or already_counted (a resent check-in)"
    )


@router.post(
    "/",
    response={200: CheckInOut, 201: CheckInOut},
    summary="Check in at a station",
    throttle=[AnonRateThrottle("60/m")],
)
def create_check_in(request: HttpRequest, payload: CheckInIn) -> Status[CheckInOut]:
    visitor = request.user if request.user.is_authenticated else None
    if visitor is not None and isinstance(check_csrf(request), HttpResponse):
        # A signed-in worker's check-in must come from our own pages.
        raise CsrfFailedError()
    station = get_station_by_checkin_code(payload.checkin_code)
    outcome = check_in(
        client_id=payload.client_id,
        station=station,
        visited_at=payload.visited_at or timezone.now(),
        service_codes=payload.services,
        visitor=visitor,
        origin=None
        if payload.origin is None
        else ReportedOrigin(
            lat_deg=payload.origin.lat,
            lon_deg=payload.origin.lon,
            minutes_before=payload.origin.minutes_before,
        ),
    )
    body = CheckInOut(
        client_id=outcome.visit.client_id,
        station_id=station.pk,
        station_name=station.name,
        visited_at=outcome.visit.visited_at,
        created=outcome.created,
        as_registered_worker=outcome.visit.worker_id is not None,
        origin=outcome.origin,
    )
    return Status(201 if outcome.created else 200, body)
