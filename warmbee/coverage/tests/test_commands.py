from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from warmbee.coverage.models import RoadNetwork
from warmbee.coverage.selectors import find_active_network
from warmbee.factories import YANGQU_CODE
from warmbee.regions.models import Region

pytestmark = pytest.mark.django_db


def import_roads(*args):
    out = StringIO()
    with translation.override("en"):
        call_command("import_roads", *map(str, args), stdout=out)
    return out.getvalue()


def test_imports_the_helsinki_extract_with_a_summary(helsinki_pbf):
    output = import_roads(helsinki_pbf, "--county", "140122")

    network = find_active_network(Region.objects.get(code=YANGQU_CODE))
    assert network.node_count == 5821
    assert f"Road network #{network.pk} is now in use." in output
    assert "nodes 5,821, edges 13,852, roads 90.8 km" in output
    assert "largest connected component kept: 5,821 of 6,007 nodes (96.9 %)" in output
    assert "bounding box: 60.16" in output
    assert "building the network from 2,506 routable ways of 2,650" in output


def test_labels_a_generated_network(street_pbf):
    output = import_roads(street_pbf, "--county", YANGQU_CODE, "--generated")

    assert "(generated) is now in use." in output
    assert RoadNetwork.objects.get().is_generated


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "contains no OpenStreetMap data"),
        (bytes(range(256)) * 20, "is not a readable OpenStreetMap extract"),
    ],
)
def test_a_bad_file_is_a_command_error_and_keeps_the_previous_network(
    street_pbf, tmp_path, content, message
):
    import_roads(street_pbf, "--county", "140122")
    previous = RoadNetwork.objects.get()
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(content)

    with pytest.raises(CommandError, match=message):
        import_roads(bad, "--county", "140122")

    assert find_active_network(previous.county) == previous
    assert RoadNetwork.objects.count() == 1


def test_an_extract_without_roads_is_a_command_error(street_pbf, write_extract):
    import_roads(street_pbf, "--county", "140122")
    previous = RoadNetwork.objects.get()
    buildings = write_extract(
        [(1, 38.06, 112.68), (2, 38.061, 112.68)], [(3, [1, 2], {"building": "yes"})]
    )

    with pytest.raises(CommandError, match="no roads or paths usable"):
        import_roads(buildings, "--county", "140122")

    assert find_active_network(previous.county) == previous


def test_an_unknown_county_is_a_command_error(street_pbf):
    with pytest.raises(CommandError, match="no county with the code 999999"):
        import_roads(street_pbf, "--county", "999999")

    assert not RoadNetwork.objects.exists()
