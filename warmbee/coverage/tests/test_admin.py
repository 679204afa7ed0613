import pytest
from django.urls import reverse

from warmbee.accounts.models import Role
from warmbee.coverage.models import CoverageRun, RoadNetwork, RoadNetworkImport
from warmbee.coverage.services import check_coverage_parameters
from warmbee.factories import YANGQU_CODE, make_user
from warmbee.regions.models import Region

pytestmark = pytest.mark.django_db


def make_network(county, name):
    return RoadNetwork.objects.create(
        county=county,
        name=name,
        file_name=f"{name}.npz",
        node_count=2,
        edge_count=2,
        road_length_km=0.1,
        min_lat_deg=38.0,
        min_lon_deg=112.0,
        max_lat_deg=38.1,
        max_lon_deg=112.1,
    )


@pytest.fixture
def two_counties():
    yangqu = Region.objects.get(code=YANGQU_CODE)
    other = Region.objects.create(
        code="140121000000", name="清徐县", level="county", parent=yangqu.parent
    )
    return yangqu, other


def test_a_county_admin_sees_only_the_networks_and_runs_of_their_county(
    client, two_counties
):
    yangqu, other = two_counties
    make_network(yangqu, "yangqu.osm.pbf")
    make_network(other, "qingxu.osm.pbf")
    parameters = check_coverage_parameters({})
    mine = CoverageRun.objects.create(county=yangqu, parameters=parameters)
    theirs = CoverageRun.objects.create(county=other, parameters=parameters)
    client.force_login(make_user(Role.COUNTY_ADMIN, is_staff=True))

    networks = client.get(reverse("admin:coverage_roadnetwork_changelist"))
    runs = client.get(reverse("admin:coverage_coveragerun_changelist"))

    assert networks.status_code == runs.status_code == 200
    assert "yangqu.osm.pbf" in networks.text
    assert "qingxu.osm.pbf" not in networks.text
    assert reverse("admin:coverage_coveragerun_change", args=[mine.pk]) in runs.text
    assert (
        reverse("admin:coverage_coveragerun_change", args=[theirs.pk]) not in runs.text
    )


def test_admins_view_but_never_edit_or_delete_networks(client, two_counties):
    network = make_network(two_counties[0], "yangqu.osm.pbf")
    client.force_login(make_user(Role.COUNTY_ADMIN, is_staff=True))

    view = client.get(reverse("admin:coverage_roadnetwork_change", args=[network.pk]))
    add = client.get(reverse("admin:coverage_roadnetwork_add"))
    delete = client.post(
        reverse("admin:coverage_roadnetwork_delete", args=[network.pk]), {"post": "yes"}
    )

    assert (view.status_code, add.status_code, delete.status_code) == (200, 403, 403)
    assert RoadNetwork.objects.filter(pk=network.pk).exists()


@pytest.mark.parametrize("role", [Role.STATION_STAFF, Role.DOCTOR, Role.WORKER])
def test_other_roles_do_not_see_networks(client, role, two_counties):
    make_network(two_counties[0], "yangqu.osm.pbf")
    client.force_login(make_user(role, is_staff=True))

    response = client.get(reverse("admin:coverage_roadnetwork_changelist"))

    assert response.status_code == 403


def make_import(county, name, status="failed"):
    return RoadNetworkImport.objects.create(
        county=county,
        original_file_name=name,
        upload_file_name=f"uploads/{name}",
        size_bytes=6,
        status=status,
        error_code="not_an_extract",
    )


def test_a_county_admin_sees_only_their_countys_network_imports(client, two_counties):
    yangqu, other = two_counties
    mine = make_import(yangqu, "yangqu.osm.pbf")
    make_import(other, "qingxu.osm.pbf")
    client.force_login(make_user(Role.COUNTY_ADMIN, is_staff=True))

    listed = client.get(reverse("admin:coverage_roadnetworkimport_changelist"))
    view = client.get(
        reverse("admin:coverage_roadnetworkimport_change", args=[mine.pk])
    )
    delete = client.post(
        reverse("admin:coverage_roadnetworkimport_delete", args=[mine.pk]),
        {"post": "yes"},
    )

    assert "yangqu.osm.pbf" in listed.text
    assert "qingxu.osm.pbf" not in listed.text
    assert (view.status_code, delete.status_code) == (200, 403)
    assert RoadNetworkImport.objects.filter(pk=mine.pk).exists()


@pytest.mark.parametrize("role", [Role.STATION_STAFF, Role.DOCTOR, Role.WORKER])
def test_other_roles_do_not_see_network_imports(client, role, two_counties):
    make_import(two_counties[0], "yangqu.osm.pbf")
    client.force_login(make_user(role, is_staff=True))

    response = client.get(reverse("admin:coverage_roadnetworkimport_changelist"))

    assert response.status_code == 403
