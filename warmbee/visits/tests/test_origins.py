"""Check-in origins: counted once, after the check-in commits, only under the location
consent, as a count per cell, month and county."""

import datetime as dt
import uuid

import h3
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.utils import timezone

from warmbee.accounts.models import Role
from warmbee.factories import YANGQU_CODE, StationFactory, make_user
from warmbee.regions.models import Region, RegionLevel
from warmbee.stations.errors import StationClosedError
from warmbee.visits.models import CheckInOriginCount, Visit
from warmbee.visits.origins import (
    ReportedOrigin,
    delete_expired_origins,
    expiry_month,
)
from warmbee.visits.selectors import count_checkin_origins
from warmbee.visits.services import check_in
from warmbee.workers.choices import NoticeKind
from warmbee.workers.tests.factories import give_consent, make_worker

pytestmark = pytest.mark.django_db

URL = "/api/visits/"
# 1.2 km north-west of the station: where the rider searched from.
NEARBY = {"lat": 38.068, "lon": 112.672, "minutes_before": 12}


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def _counted() -> dict[str, int]:
    return dict(CheckInOriginCount.objects.values_list("h3_cell", "check_ins"))


@pytest.fixture
def station():
    return StationFactory(opening_hours="24/7", lat_deg=38.06, lon_deg=112.68)


@pytest.fixture
def consenting_worker():
    worker = make_worker().user
    give_consent(worker, NoticeKind.LOCATION)
    return worker


def _check_in(client, station, origin, client_id=None):
    payload = {
        "client_id": str(client_id or uuid.uuid4()),
        "checkin_code": station.checkin_code,
        "origin": origin,
    }
    # Run what waits for the check-in's commit, as the end of a real request would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(URL, payload, content_type="application/json")


def test_a_consenting_workers_origin_is_counted_per_cell_month_and_county(
    client, station, consenting_worker
):
    client.force_login(consenting_worker)

    response = _check_in(client, station, NEARBY)

    assert response.status_code == 201
    assert response.json()["origin"] == "recorded"
    count = CheckInOriginCount.objects.get()
    assert count.h3_cell == h3.latlng_to_cell(38.068, 112.672, 8)
    assert count.county == Region.objects.get(code=YANGQU_CODE)
    assert count.month == timezone.localdate().replace(day=1)
    assert (count.check_ins, count.is_demo) == (1, False)
    # Nothing on the row points back at the worker, the visit or the station.
    fields = {field.name for field in CheckInOriginCount._meta.get_fields()}
    assert fields == {"id", "county", "h3_cell", "month", "check_ins", "is_demo"}
    assert Visit.objects.get().worker == consenting_worker


def test_origins_from_one_cell_in_a_month_add_up_in_one_row(
    client, station, consenting_worker
):
    second = make_worker().user
    give_consent(second, NoticeKind.LOCATION)
    for worker in (consenting_worker, second):
        client.force_login(worker)
        _check_in(client, station, NEARBY)

    assert _counted() == {h3.latlng_to_cell(38.068, 112.672, 8): 2}


def test_a_worker_has_at_most_one_origin_counted_per_half_hour(
    client, station, consenting_worker
):
    client.force_login(consenting_worker)
    assert _check_in(client, station, NEARBY).json()["origin"] == "recorded"

    again = _check_in(client, station, NEARBY)

    assert again.status_code == 201  # the check-in counts all the same
    assert again.json()["origin"] == "too_often"
    assert list(_counted().values()) == [1]


def test_a_resent_check_in_notes_its_origin_once(client, station, consenting_worker):
    client.force_login(consenting_worker)
    client_id = uuid.uuid4()
    assert _check_in(client, station, NEARBY, client_id).status_code == 201

    again = _check_in(client, station, NEARBY, client_id)

    assert again.status_code == 200
    assert again.json()["origin"] == "already_counted"
    assert list(_counted().values()) == [1]


@pytest.mark.parametrize("consents", [(), (NoticeKind.HEALTH,)])
def test_without_the_location_consent_nothing_is_noted(client, station, consents):
    worker = make_worker().user
    for kind in consents:
        give_consent(worker, kind)
    client.force_login(worker)

    response = _check_in(client, station, NEARBY)

    assert response.status_code == 201
    assert response.json()["origin"] == "no_consent"
    assert not CheckInOriginCount.objects.exists()


def test_a_withdrawn_location_consent_stops_the_noting(client, station):
    worker = make_worker().user
    now = timezone.now()
    give_consent(
        worker,
        NoticeKind.LOCATION,
        granted_at=now - dt.timedelta(days=1),
        withdrawn_at=now,
    )
    client.force_login(worker)

    assert _check_in(client, station, NEARBY).json()["origin"] == "no_consent"
    assert not CheckInOriginCount.objects.exists()


def test_anonymous_visitors_and_staff_never_have_an_origin_noted(client, station):
    assert _check_in(client, station, NEARBY).json()["origin"] == "no_consent"
    client.force_login(make_user(Role.COUNTY_ADMIN))
    assert _check_in(client, station, NEARBY).json()["origin"] == "no_consent"
    assert not CheckInOriginCount.objects.exists()
    assert Visit.objects.count() == 2


def test_a_check_in_without_an_origin_says_none_was_sent(
    client, station, consenting_worker
):
    client.force_login(consenting_worker)
    payload = {"client_id": str(uuid.uuid4()), "checkin_code": station.checkin_code}

    response = client.post(URL, payload, content_type="application/json")

    assert response.json()["origin"] == "none_sent"
    assert not CheckInOriginCount.objects.exists()


@pytest.mark.parametrize(
    ("origin", "status"),
    [
        ({**NEARBY, "minutes_before": 60}, "recorded"),
        ({**NEARBY, "minutes_before": 61}, "too_old"),
        # 30 km is about 0.27 degrees of latitude.
        ({**NEARBY, "lat": 38.06 + 0.26}, "recorded"),
        ({**NEARBY, "lat": 38.06 + 0.28}, "too_far"),
    ],
)
def test_origins_too_old_or_too_far_are_not_noted(
    client, station, consenting_worker, origin, status
):
    client.force_login(consenting_worker)

    response = _check_in(client, station, origin)

    assert response.status_code == 201  # the check-in itself counts all the same
    assert response.json()["origin"] == status
    assert sum(_counted().values()) == (status == "recorded")


@pytest.mark.parametrize(
    "origin",
    [
        {**NEARBY, "lat": 95},
        {**NEARBY, "lon": "east"},
        {**NEARBY, "minutes_before": -1},
        {"lat": 38.0, "lon": 112.6},
        {**NEARBY, "worker": 1},
    ],
)
def test_a_malformed_origin_is_refused_and_changes_nothing(
    client, station, consenting_worker, origin
):
    client.force_login(consenting_worker)

    response = _check_in(client, station, origin)

    assert response.status_code == 422
    assert not Visit.objects.exists()
    assert not CheckInOriginCount.objects.exists()


def test_a_refused_check_in_notes_no_origin(consenting_worker):
    closed = StationFactory(opening_hours="Mo-Su 08:00-09:00")
    late = timezone.localtime().replace(hour=22, minute=0)
    with pytest.raises(StationClosedError):
        check_in(
            client_id=uuid.uuid4(),
            station=closed,
            visited_at=late,
            service_codes=[],
            visitor=consenting_worker,
            origin=ReportedOrigin(38.068, 112.672, 5),
            now=late + dt.timedelta(minutes=1),
        )
    assert not CheckInOriginCount.objects.exists()


def _check_in_with_origin(worker, station):
    return check_in(
        client_id=uuid.uuid4(),
        station=station,
        visited_at=timezone.now(),
        service_codes=[],
        visitor=worker,
        origin=ReportedOrigin(38.068, 112.672, 5),
    )


def test_the_count_is_made_only_once_the_check_in_commits(
    station, consenting_worker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as waiting:
        outcome = _check_in_with_origin(consenting_worker, station)

    assert outcome.origin == "recorded"
    assert not CheckInOriginCount.objects.exists()  # not in the visit's transaction
    assert len(waiting) == 1
    waiting[0]()
    assert list(_counted().values()) == [1]


def test_a_check_in_rolled_back_counts_nothing(
    station, consenting_worker, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks() as waiting,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _check_in_with_origin(consenting_worker, station)
        raise RuntimeError("the request failed after the check-in")

    assert not Visit.objects.exists()
    assert waiting == []


def _note(county, month, cell="88309a4b1bfffff", count=1):
    CheckInOriginCount.objects.create(
        county=county, h3_cell=cell, month=month, check_ins=count
    )


def test_origins_are_counted_per_cell_in_the_county_since_a_month():
    yangqu = Region.objects.get(code=YANGQU_CODE)
    other = Region.objects.create(
        code="140121000000",
        name="清徐县",
        level=RegionLevel.COUNTY,
        parent=yangqu.parent,
    )
    _note(yangqu, dt.date(2026, 10, 1), count=2)
    _note(yangqu, dt.date(2026, 11, 1), cell="88309a4b1dfffff")
    _note(yangqu, dt.date(2025, 9, 1))  # before the window
    _note(other, dt.date(2026, 11, 1))

    counts = count_checkin_origins(yangqu, since=dt.date(2025, 11, 1))

    assert counts == {"88309a4b1bfffff": 2, "88309a4b1dfffff": 1}


def test_origins_expire_twelve_months_after_their_month():
    yangqu = Region.objects.get(code=YANGQU_CODE)
    for month in (dt.date(2025, 10, 1), dt.date(2025, 11, 1), dt.date(2026, 11, 1)):
        _note(yangqu, month)
    now = dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC)

    assert expiry_month(now) == dt.date(2025, 11, 1)
    assert delete_expired_origins(now) == 1
    assert sorted(CheckInOriginCount.objects.values_list("month", flat=True)) == [
        dt.date(2025, 11, 1),
        dt.date(2026, 11, 1),
    ]


def test_expiry_crosses_the_year_in_local_time():
    # 2026-01-31 17:00 UTC is already February in Shanghai.
    assert expiry_month(dt.datetime(2026, 1, 31, 17, tzinfo=dt.UTC)) == dt.date(
        2025, 2, 1
    )


def test_housekeeping_deletes_expired_origins(capsys):
    yangqu = Region.objects.get(code=YANGQU_CODE)
    _note(yangqu, dt.date(2020, 1, 1), count=3)

    call_command("coverage_housekeeping")

    assert "Check-in origins deleted: 3" in capsys.readouterr().out
    assert not CheckInOriginCount.objects.exists()


def test_a_month_must_be_its_first_day():
    yangqu = Region.objects.get(code=YANGQU_CODE)
    with pytest.raises(IntegrityError):
        CheckInOriginCount.objects.create(
            county=yangqu, h3_cell="88309a4b1bfffff", month=dt.date(2026, 11, 2)
        )


@pytest.mark.parametrize("path", ["/", "/find/?lat=38.06&lon=112.68"])
def test_finder_pages_let_the_phone_keep_the_position_only_under_the_consent(
    client, consenting_worker, path
):
    StationFactory(opening_hours="24/7", lat_deg=38.06, lon_deg=112.68)
    assert 'data-keep-origin="0"' in client.get(path).content.decode()
    client.force_login(make_worker().user)  # no location consent
    assert 'data-keep-origin="0"' in client.get(path).content.decode()
    client.force_login(consenting_worker)
    assert 'data-keep-origin="1"' in client.get(path).content.decode()


def test_the_check_in_page_sends_the_origin_only_under_the_consent(
    client, station, consenting_worker
):
    url = f"/s/{station.checkin_code}/"
    assert 'data-keep-origin="0"' in client.get(url).content.decode()
    client.force_login(consenting_worker)
    assert 'data-keep-origin="1"' in client.get(url).content.decode()
