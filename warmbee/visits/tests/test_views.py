import datetime as dt
import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from warmbee.accounts.models import Role
from warmbee.factories import StationFactory, make_user
from warmbee.visits.models import Visit, VisitChannel
from warmbee.workers.tests.factories import give_consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def station():
    return StationFactory(name="泥屯驿站", opening_hours="24/7")


@pytest.fixture
def browser():
    """A client that, like a browser, must send the CSRF token the page gave it."""
    return Client(enforce_csrf_checks=True)


def _url(station) -> str:
    return reverse("visits:checkin", args=[station.checkin_code])


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
    assert match is not None, name
    return match.group(1)


def _form_fields(browser, station) -> dict[str, str]:
    """Open the page and return the form's hidden fields as a browser would send them."""
    html = browser.get(_url(station)).content.decode()
    return {
        "csrfmiddlewaretoken": _hidden(html, "csrfmiddlewaretoken"),
        "client_id": _hidden(html, "client_id"),
        "visited_at": "",
    }


def test_checkin_page_shows_the_form(browser, station):
    response = browser.get(_url(station))

    assert response.status_code == 200
    html = response.content.decode()
    assert "泥屯驿站" in html
    assert 'data-testid="checkin-submit"' in html
    assert 'value="hot_water"' in html
    uuid.UUID(_hidden(html, "client_id"))


def test_checkin_page_in_english(client, station):
    response = client.get(f"/en{_url(station)}")

    assert response.status_code == 200
    assert "You are not logged in: you are counted anonymously." in (
        response.content.decode()
    )


def test_checkin_page_for_an_unknown_code_is_404(client):
    response = client.get(reverse("visits:checkin", args=["no-such-code"]))

    assert response.status_code == 404


def test_checkin_form_works_without_javascript(browser, station):
    fields = _form_fields(browser, station)
    before = timezone.now()

    response = browser.post(_url(station), {**fields, "services": ["hot_water"]})

    assert response.status_code == 200
    assert 'data-testid="checkin-done"' in response.content.decode()
    visit = Visit.objects.get()
    assert str(visit.client_id) == fields["client_id"]
    assert (visit.station, visit.worker, visit.channel) == (
        station,
        None,
        VisitChannel.QR,
    )
    assert before <= visit.visited_at <= timezone.now()
    assert list(visit.services.values_list("code", flat=True)) == ["hot_water"]


def test_resubmitting_the_form_counts_once(browser, station):
    fields = _form_fields(browser, station)

    browser.post(_url(station), fields)
    response = browser.post(_url(station), fields)

    assert response.status_code == 200
    assert 'data-testid="checkin-done"' in response.content.decode()
    assert Visit.objects.count() == 1


def test_checkin_form_keeps_a_queued_time(browser, station):
    visited_at = timezone.localtime().replace(microsecond=0) - dt.timedelta(hours=2)
    fields = _form_fields(browser, station)

    browser.post(_url(station), {**fields, "visited_at": visited_at.isoformat()})

    assert Visit.objects.get().visited_at == visited_at


def test_signed_in_worker_checks_in_on_their_file(browser, station):
    worker = make_user(Role.WORKER)
    give_consent(worker)
    browser.force_login(worker)

    browser.post(_url(station), _form_fields(browser, station))

    assert Visit.objects.get().worker == worker


def test_checkin_form_without_csrf_token_is_refused(browser, station):
    fields = _form_fields(browser, station)
    del fields["csrfmiddlewaretoken"]

    response = browser.post(_url(station), fields)

    assert response.status_code == 403
    assert Visit.objects.count() == 0


def test_checkin_at_a_closed_station_shows_the_error(browser):
    closed = StationFactory(
        name="泥屯驿站",
        opening_hours="24/7",
        closed_until=timezone.now() + dt.timedelta(days=1),
        closure_reason="停水检修",
    )

    response = browser.post(
        f"/en{_url(closed)}", _form_fields(browser, closed), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="checkin-error"' in html
    assert "泥屯驿站 is closed at this time, so you cannot check in there." in html
    assert 'data-testid="checkin-done"' not in html
    assert Visit.objects.count() == 0


def test_unreadable_checkin_form_shows_an_error(browser, station):
    fields = {**_form_fields(browser, station), "client_id": "not-a-uuid"}

    response = browser.post(f"/en{_url(station)}", fields)

    assert response.status_code == 400
    assert "The check-in could not be read. Please try again." in (
        response.content.decode()
    )
    assert Visit.objects.count() == 0


# --- walk-ins recorded by staff ------------------------------------------------------


def _walk_in_url(station) -> str:
    return reverse("visits:walk_in", args=[station.pk])


def test_staff_record_walk_ins(client, station):
    staff = make_user(Role.STATION_STAFF)
    station.staff.add(staff)
    client.force_login(staff)

    response = client.post(
        _walk_in_url(station),
        {"client_id": str(uuid.uuid4()), "count": 2, "services": ["first_aid"]},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("staff:station", args=[station.pk])
    assert Visit.objects.count() == 2
    assert set(Visit.objects.values_list("station", "channel", "recorded_by")) == {
        (station.pk, VisitChannel.STAFF, staff.pk)
    }


def test_walk_ins_by_a_worker_are_refused(client, station):
    client.force_login(make_user(Role.WORKER))

    response = client.post(
        _walk_in_url(station), {"client_id": str(uuid.uuid4()), "count": 2}
    )

    assert response.status_code == 403
    assert Visit.objects.count() == 0


def test_walk_ins_need_a_login(client, station):
    response = client.post(
        _walk_in_url(station), {"client_id": str(uuid.uuid4()), "count": 2}
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert Visit.objects.count() == 0
