"""Writes anyone can make without logging in are limited per network address."""

import pytest

from warmbee.factories import StationFactory
from warmbee.stations.models import AmenityFlag
from warmbee.visits.models import Visit

pytestmark = pytest.mark.django_db


def test_the_21st_correction_in_an_hour_from_one_address_is_refused(client):
    station = StationFactory()
    url = f"/en/stations/{station.pk}/flag/"
    form = {"amenity": "microwave", "suggested_status": "broken"}
    for _flag in range(20):
        client.post(url, form, REMOTE_ADDR="10.9.8.7")

    response = client.post(url, form, REMOTE_ADDR="10.9.8.7", follow=True)

    assert "Too many requests from your network." in response.content.decode()
    assert AmenityFlag.objects.count() == 20
    client.post(url, form, REMOTE_ADDR="10.9.8.6")
    assert AmenityFlag.objects.count() == 21


def test_page_check_ins_past_the_limit_are_refused_and_not_counted(client, settings):
    station = StationFactory()
    url = f"/en/s/{station.checkin_code}/"
    for number in range(60):
        client.post(url, {"client_id": f"00000000-0000-4000-8000-{number:012d}"})

    response = client.post(url, {"client_id": "00000000-0000-4000-8000-999999999999"})

    assert response.status_code == 400
    assert "Too many requests from your network." in response.content.decode()
    assert Visit.objects.count() == 60
