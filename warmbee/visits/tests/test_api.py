import datetime as dt
import uuid

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from warmbee.accounts.models import Role
from warmbee.factories import StationFactory, make_user
from warmbee.stations import errors as station_errors
from warmbee.visits import errors
from warmbee.visits.models import Visit, VisitChannel
from warmbee.workers.tests.factories import give_consent

pytestmark = pytest.mark.django_db

URL = "/api/visits/"
PROBLEM_JSON = "application/problem+json"


@pytest.fixture(autouse=True)
def _fresh_throttle(settings):
    """The anonymous rate limit counts in the cache; start every test afresh."""
    settings.VISIT_MAX_DELAY_HOURS = 72
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def station():
    return StationFactory(opening_hours="24/7")


def _minutes_ago(minutes: int) -> dt.datetime:
    """Return an aware time in whole seconds (the API answers in milliseconds)."""
    now = timezone.localtime().replace(microsecond=0)
    return now - dt.timedelta(minutes=minutes)


def _payload(station, **overrides):
    payload = {
        "client_id": str(uuid.uuid4()),
        "checkin_code": station.checkin_code,
        "visited_at": _minutes_ago(2).isoformat(),
        "services": [],
    }
    payload.update(overrides)
    return payload


def _post(client, payload, **headers):
    return client.post(URL, payload, content_type="application/json", **headers)


def _problem(error, status: int) -> dict:
    with translation.override("zh-hans"):
        detail = error.detail
    return {
        "type": f"urn:warmbee:error:{error.code}",
        "code": error.code,
        "status": status,
        "detail": detail,
    }


def _visits():
    return list(
        Visit.objects.order_by("pk").values_list(
            "client_id", "station", "visited_at", "worker", "channel"
        )
    )


def test_anonymous_check_in_is_created(client, station):
    payload = _payload(station, services=["hot_water", "toilet"])

    response = _post(client, payload)

    assert response.status_code == 201
    visit = Visit.objects.get()
    assert response.json() == {
        "client_id": payload["client_id"],
        "station_id": station.pk,
        "station_name": station.name,
        "visited_at": response.json()["visited_at"],
        "created": True,
        "as_registered_worker": False,
        "origin": "none_sent",
    }
    answered_at = dt.datetime.fromisoformat(response.json()["visited_at"])
    assert answered_at == dt.datetime.fromisoformat(payload["visited_at"])
    assert visit.visited_at == answered_at
    assert str(visit.client_id) == payload["client_id"]
    assert (visit.station, visit.worker, visit.channel) == (
        station,
        None,
        VisitChannel.QR,
    )
    assert sorted(visit.services.values_list("code", flat=True)) == [
        "hot_water",
        "toilet",
    ]


def test_sending_the_same_check_in_twice_counts_once(client, station):
    payload = _payload(station)

    first = _post(client, payload)
    second = _post(client, payload)

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["created"] is False
    assert second.json()["client_id"] == payload["client_id"]
    assert Visit.objects.count() == 1


def test_a_queued_check_in_keeps_its_original_time(client, station):
    visited_at = (timezone.now() - dt.timedelta(hours=30)).replace(microsecond=0)

    response = _post(client, _payload(station, visited_at=visited_at.isoformat()))

    assert response.status_code == 201
    assert Visit.objects.get().visited_at == visited_at


def test_same_client_id_at_another_station_is_a_409_and_changes_nothing(
    client, station
):
    payload = _payload(station)
    _post(client, payload)
    before = _visits()
    other = StationFactory()

    response = _post(client, {**payload, "checkin_code": other.checkin_code})

    assert response.status_code == 409
    assert response["Content-Type"] == PROBLEM_JSON
    assert response.json() == _problem(errors.ClientIdReusedError(), 409)
    assert _visits() == before


def test_check_in_at_a_closed_station_is_a_409(client):
    closed = StationFactory(
        opening_hours="24/7",
        closed_until=timezone.now() + dt.timedelta(days=1),
        closure_reason="停水检修",
    )

    response = _post(client, _payload(closed))

    assert response.status_code == 409
    assert response.json() == _problem(
        station_errors.StationClosedError(station=closed.name), 409
    )
    assert Visit.objects.count() == 0


def test_unknown_checkin_code_is_a_404(client, station):
    response = _post(client, _payload(station, checkin_code="no-such-code"))

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM_JSON
    assert response.json() == _problem(station_errors.StationNotFoundError(), 404)
    assert Visit.objects.count() == 0


def test_checkin_code_of_a_station_out_of_service_is_a_404(client):
    retired = StationFactory(is_active=False)

    response = _post(client, _payload(retired))

    assert response.status_code == 404
    assert Visit.objects.count() == 0


def test_check_in_more_than_five_minutes_in_the_future_is_refused(client, station):
    later = timezone.now() + dt.timedelta(minutes=30)

    response = _post(client, _payload(station, visited_at=later.isoformat()))

    assert response.status_code == 400
    assert response.json() == _problem(errors.VisitTimeInFutureError(), 400)
    assert Visit.objects.count() == 0


def test_check_in_older_than_the_delay_limit_is_refused(client, station):
    earlier = timezone.now() - dt.timedelta(hours=73)

    response = _post(client, _payload(station, visited_at=earlier.isoformat()))

    assert response.status_code == 400
    assert response.json() == _problem(errors.VisitTooOldError(hours=72), 400)
    assert Visit.objects.count() == 0


def test_check_in_with_an_unknown_service_is_refused(client, station):
    response = _post(client, _payload(station, services=["hot_water", "sauna"]))

    assert response.status_code == 400
    assert response.json() == _problem(
        station_errors.UnknownAmenityError(codes="sauna"), 400
    )
    assert Visit.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"visited_at": "2026-03-04T10:00:00"}, "visited_at"),
        ({"visited_at": "yesterday"}, "visited_at"),
        ({"client_id": "not-a-uuid"}, "client_id"),
        ({"checkin_code": "ab"}, "checkin_code"),
        ({"services": "hot_water"}, "services"),
    ],
)
def test_malformed_check_in_is_a_422(client, station, overrides, field):
    response = _post(client, _payload(station, **overrides))

    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM_JSON
    body = response.json()
    assert (body["code"], body["status"]) == ("invalid_input", 422)
    # The field path starts with the operation's parameter name ("payload").
    assert [error["field"] for error in body["errors"]] == [field]
    assert Visit.objects.count() == 0


def test_errors_are_in_english_on_request(client, station):
    later = timezone.now() + dt.timedelta(minutes=30)

    response = _post(
        client,
        _payload(station, visited_at=later.isoformat()),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.json()["detail"] == (
        "The check-in time is in the future. Check your phone's clock."
    )


def test_anonymous_check_in_needs_no_csrf_token(station):
    client = Client(enforce_csrf_checks=True)

    response = _post(client, _payload(station))

    assert response.status_code == 201
    assert Visit.objects.count() == 1


def _csrf_token(client, station) -> str:
    """Open the check-in page as a browser would, which sets the CSRF cookie."""
    client.get(reverse("visits:checkin", args=[station.checkin_code]))
    return client.cookies["csrftoken"].value


def test_signed_in_worker_checks_in_on_their_file(station):
    worker = make_user(Role.WORKER)
    give_consent(worker)
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker)

    response = _post(
        client, _payload(station), HTTP_X_CSRFTOKEN=_csrf_token(client, station)
    )

    assert response.status_code == 201
    assert response.json()["as_registered_worker"] is True
    assert Visit.objects.get().worker == worker


def test_signed_in_worker_without_csrf_token_is_refused(station):
    worker = make_user(Role.WORKER)
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker)

    response = _post(client, _payload(station))

    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM_JSON
    assert response.json() == _problem(errors.CsrfFailedError(), 403)
    assert Visit.objects.count() == 0


def test_signed_in_worker_with_a_wrong_csrf_token_is_refused(station):
    worker = make_user(Role.WORKER)
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker)
    _csrf_token(client, station)

    response = _post(client, _payload(station), HTTP_X_CSRFTOKEN="x" * 32)

    assert response.status_code == 403
    assert Visit.objects.count() == 0


def test_signed_in_staff_are_counted_anonymously(station):
    staff = make_user(Role.STATION_STAFF)
    station.staff.add(staff)
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)

    response = _post(
        client, _payload(station), HTTP_X_CSRFTOKEN=_csrf_token(client, station)
    )

    assert response.status_code == 201
    assert response.json()["as_registered_worker"] is False
    visit = Visit.objects.get()
    assert (visit.worker, visit.channel, visit.recorded_by) == (
        None,
        VisitChannel.QR,
        None,
    )


def test_a_live_check_in_without_a_time_is_dated_by_the_server(station):
    payload = _payload(station)
    del payload["visited_at"]
    before = timezone.now()

    response = _post(Client(), payload)

    assert response.status_code == 201
    visit = Visit.objects.get()
    assert before <= visit.visited_at <= timezone.now()


@pytest.mark.parametrize("field", ["worker", "worker_id", "visitor"])
def test_a_forged_worker_id_is_refused_and_changes_nothing(client, station, field):
    worker = give_consent(make_user(Role.WORKER)).worker
    payload = _payload(station) | {field: worker.pk}

    response = _post(client, payload)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert response.json()["errors"][0]["field"] == field
    assert _visits() == []
