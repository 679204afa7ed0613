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
from warmbee.visits.services import check_in

router = Router(tags=["visits"])


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
    )
    body = CheckInOut(
        client_id=outcome.visit.client_id,
        station_id=station.pk,
        station_name=station.name,
        visited_at=outcome.visit.visited_at,
        created=outcome.created,
        as_registered_worker=outcome.visit.worker_id is not None,
    )
    return Status(201 if outcome.created else 200, body)
