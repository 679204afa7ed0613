import pytest

from warmbee.factories import StationFactory, set_amenities


@pytest.mark.django_db
def test_station_factory_places_station_and_gives_every_amenity():
    station = StationFactory()
    set_amenities(station, ["microwave"])
    assert station.h3_cell.startswith("89")
    assert station.amenities.count() == 16
    assert station.amenities.filter(status="yes").count() == 1
