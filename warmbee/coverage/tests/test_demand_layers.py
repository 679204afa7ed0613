"""Demand layers: workers' usual work areas, imported places, and runs on each layer."""

import datetime as dt

import pytest
from django.db.models import ProtectedError
from django.utils import timezone, translation

from warmbee.accounts.models import Role
from warmbee.core.models import AuditEntry
from warmbee.coverage.demand_layers import worker_demand
from warmbee.coverage.errors import (
    DemandLayerNotFoundError,
    InvalidCoverageParametersError,
    InvalidPlacesFileError,
    NoDemandLayerChosenError,
    NoPlacedWorkersError,
    NotCountyPlannerError,
)
from warmbee.coverage.models import CoverageRun, DemandLayer
from warmbee.coverage.selectors import community_positions
from warmbee.coverage.services import (
    check_coverage_parameters,
    create_demand_layer,
    execute_coverage_run,
    import_road_network,
    start_coverage_run,
)
from warmbee.factories import YANGQU_CODE, StationFactory, community, make_user
from warmbee.regions.models import Region, RegionLevel
from warmbee.workers.models import Consent
from warmbee.workers.selectors import count_workers_by_work_community
from warmbee.workers.tests.factories import (
    WorkerProfileFactory,
    give_consent,
    make_worker,
)

pytestmark = pytest.mark.django_db

QINGXU_CODE = "140121000000"


@pytest.fixture
def yangqu():
    return Region.objects.get(code=YANGQU_CODE)


@pytest.fixture
def county_admin():
    return make_user(Role.COUNTY_ADMIN)


@pytest.fixture
def communities():
    """Three communities of Yangqu."""
    return list(
        Region.objects.filter(
            level=RegionLevel.COMMUNITY, code__startswith=YANGQU_CODE[:6]
        ).order_by("code")[:3]
    )


@pytest.fixture
def qingxu_community():
    county = Region.objects.create(
        code=QINGXU_CODE,
        name="清徐县",
        level=RegionLevel.COUNTY,
        parent=Region.objects.get(code="140100000000"),
    )
    return Region.objects.create(
        code="140121100001", name="清源社区", level=RegionLevel.COMMUNITY, parent=county
    )


def worker_in(*communities, consents=True, **fields):
    profile = make_worker(**fields) if consents else WorkerProfileFactory(**fields)
    profile.work_communities.set(communities)
    return profile


# ------------------------------------------------------------ workers' work areas


def test_a_worker_naming_n_communities_adds_one_nth_to_each(
    communities, qingxu_community
):
    first, second, third = communities
    worker_in(first)
    worker_in(first, second)
    worker_in(second, third, first)
    worker_in(first, qingxu_community)  # half of this one counts in Qingxu

    weights = count_workers_by_work_community(YANGQU_CODE[:6])

    assert weights == pytest.approx(
        {first.pk: 1 + 1 / 2 + 1 / 3 + 1 / 2, second.pk: 1 / 2 + 1 / 3, third.pk: 1 / 3}
    )
    assert count_workers_by_work_community(QINGXU_CODE[:6]) == pytest.approx(
        {qingxu_community.pk: 0.5}
    )


def test_only_consenting_active_files_in_their_own_name_count(communities):
    first = communities[0]
    counted = worker_in(first)
    worker_in(first, consents=False)
    withdrawn = worker_in(first)
    Consent.objects.filter(worker=withdrawn.user).update(withdrawn_at=timezone.now())
    worker_in(first, anonymised_at=timezone.now())
    inactive = worker_in(first)
    inactive.user.is_active = False
    inactive.user.save()
    worker_in(first, merged_into=counted)

    assert count_workers_by_work_community(YANGQU_CODE[:6]) == {first.pk: 1.0}


def test_no_worker_no_weights(communities):
    assert count_workers_by_work_community(YANGQU_CODE[:6]) == {}


def test_a_community_sits_at_the_mean_position_of_its_stations(yangqu, communities):
    first, second, _third = communities
    StationFactory(community=first, lat_deg=38.06, lon_deg=112.68)
    StationFactory(community=second, lat_deg=38.06, lon_deg=112.80)
    StationFactory(
        community=second, lat_deg=38.08, lon_deg=112.80, position_is_approximate=True
    )
    StationFactory(community=second, lat_deg=39.0, lon_deg=113.0, is_active=False)

    positions = community_positions(yangqu)

    assert set(positions) == {first.pk, second.pk}
    assert (positions[first.pk].lat_deg, positions[first.pk].lon_deg) == (38.06, 112.68)
    assert positions[first.pk].station_count == 1
    assert not positions[first.pk].is_approximate
    assert positions[second.pk].lat_deg == pytest.approx(38.07)
    assert positions[second.pk].lon_deg == pytest.approx(112.80)
    assert positions[second.pk].station_count == 2
    assert positions[second.pk].is_approximate


def test_workers_of_communities_without_a_station_are_listed_not_dropped(
    yangqu, communities
):
    first, _second, third = communities
    StationFactory(community=first, lat_deg=38.06, lon_deg=112.68)
    worker_in(first)
    worker_in(first, third)
    worker_in(third)

    layer = worker_demand(yangqu)

    assert layer.points.unit == "workers"
    assert layer.points.lat_deg.tolist() == [38.06]
    assert layer.points.weight.tolist() == [1.5]
    assert [(c.community_id, c.name, c.weight) for c in layer.not_placed] == [
        (third.pk, third.name, 1.5)
    ]
    assert layer.not_placed_weight == 1.5


def test_no_placed_worker_is_a_clear_error(yangqu, communities):
    StationFactory(community=communities[0])
    worker_in(communities[2])

    with pytest.raises(NoPlacedWorkersError) as caught:
        worker_demand(yangqu)

    with translation.override("en"):  # the message is read in the reader's language
        assert "(1 workers in communities without a station)" in caught.value.detail


# ----------------------------------------------------------------- imported places


PLACES_CSV = (
    b"name,lat,lon,weight\nAt the station,38.06,112.68,2\n"
    b"Half a km east,38.06,112.6857,3\nTen km east,38.06,112.794,5\n"
)


def test_an_imported_file_becomes_a_layer_of_the_county(yangqu, county_admin):
    StationFactory(lat_deg=38.06, lon_deg=112.68)

    layer = create_demand_layer(
        user=county_admin,
        county=yangqu,
        name="",
        file_name="hot spots.csv",
        data=PLACES_CSV,
    )

    layer.refresh_from_db()
    assert (layer.county, layer.name, layer.source_file_name) == (
        yangqu,
        "hot spots",
        "hot spots.csv",
    )
    assert (layer.point_count, layer.total_weight, layer.uploaded_by) == (
        3,
        10.0,
        county_admin,
    )
    assert layer.points == {
        "name": ["At the station", "Half a km east", "Ten km east"],
        "lat_deg": [38.06, 38.06, 38.06],
        "lon_deg": [112.68, 112.6857, 112.794],
        "weight": [2.0, 3.0, 5.0],
    }
    assert AuditEntry.objects.filter(
        target_type="coverage.demandlayer", target_id=str(layer.pk)
    ).exists()


def test_one_bad_row_saves_nothing(yangqu, county_admin):
    StationFactory(lat_deg=38.06, lon_deg=112.68)
    audit_before = AuditEntry.objects.count()

    with translation.override("en"), pytest.raises(InvalidPlacesFileError) as caught:
        create_demand_layer(
            user=county_admin,
            county=yangqu,
            name="spots",
            file_name="spots.csv",
            data=PLACES_CSV + b"Broken,38.06,,1\n",
        )

    assert caught.value.problems == ["Row 5: the longitude “” is not a number."]
    assert not DemandLayer.objects.exists()
    assert AuditEntry.objects.count() == audit_before


@pytest.mark.parametrize("role", [Role.STATION_STAFF, Role.WORKER, Role.DOCTOR])
def test_only_the_countys_administrators_import_places(role, yangqu):
    StationFactory()

    with pytest.raises(NotCountyPlannerError):
        create_demand_layer(
            user=make_user(role),
            county=yangqu,
            name="x",
            file_name="x.csv",
            data=PLACES_CSV,
        )

    assert not DemandLayer.objects.exists()


def test_another_countys_administrator_cannot_import_places(yangqu, qingxu_community):
    StationFactory()
    other_admin = make_user(Role.COUNTY_ADMIN, region=qingxu_community.parent)

    with pytest.raises(NotCountyPlannerError):
        create_demand_layer(
            user=other_admin,
            county=yangqu,
            name="x",
            file_name="x.csv",
            data=PLACES_CSV,
        )

    assert not DemandLayer.objects.exists()


# ----------------------------------------------------------------- run parameters


def test_places_need_the_layer_and_other_layers_refuse_one():
    assert (
        check_coverage_parameters({"demand_layer": "places", "demand_layer_id": 7})[
            "demand_layer_id"
        ]
        == 7
    )
    with pytest.raises(NoDemandLayerChosenError):
        check_coverage_parameters({"demand_layer": "places"})
    with pytest.raises(InvalidCoverageParametersError):
        check_coverage_parameters({"demand_layer": "workers", "demand_layer_id": 7})
    with pytest.raises(InvalidCoverageParametersError):
        check_coverage_parameters({"demand_layer": "places", "demand_layer_id": 1.5})
    with pytest.raises(InvalidCoverageParametersError):
        check_coverage_parameters({"demand_layer": "everyone"})


def test_a_run_cannot_use_another_countys_places(
    yangqu, county_admin, qingxu_community
):
    StationFactory(community=qingxu_community, lat_deg=37.60, lon_deg=112.36)
    qingxu_admin = make_user(Role.COUNTY_ADMIN, region=qingxu_community.parent)
    theirs = create_demand_layer(
        user=qingxu_admin,
        county=qingxu_community.parent,
        name="theirs",
        file_name="theirs.csv",
        data=b"name,lat,lon\nA,37.6,112.36\n",
    )

    with pytest.raises(DemandLayerNotFoundError):
        start_coverage_run(
            user=county_admin,
            county=yangqu,
            parameters={"demand_layer": "places", "demand_layer_id": theirs.pk},
        )

    assert not CoverageRun.objects.exists()


# ----------------------------------------------------------------- runs per layer


def run_plan(county, user, **parameters):
    run = CoverageRun.objects.create(
        county=county,
        network=None,
        created_by=user,
        parameters=check_coverage_parameters(parameters),
    )
    if parameters.get("demand_layer_id"):
        run.demand_layer_id = parameters["demand_layer_id"]
        run.save()
    return run


def places_layer(county, user, data=PLACES_CSV):
    return create_demand_layer(
        user=user, county=county, name="spots", file_name="spots.csv", data=data
    )


def test_a_straight_line_run_on_imported_places(yangqu, county_admin):
    StationFactory(lat_deg=38.06, lon_deg=112.68)
    layer = places_layer(yangqu, county_admin)
    run = start_coverage_run(
        user=county_admin,
        county=yangqu,
        parameters={
            "mode": "walk",
            "new_sites": 1,
            "candidate_source": "demand_points",
            "demand_layer": "places",
            "demand_layer_id": layer.pk,
        },
    )
    assert run.demand_layer == layer

    execute_coverage_run(run_id=run.pk)

    run.refresh_from_db()
    demand = run.result["demand"]
    # Walking 15 minutes by straight line reaches 1,125 m / 1.3 = 865 m.
    assert (demand["layer"], demand["unit"], demand["points"]) == (
        "places",
        "places",
        3,
    )
    assert (demand["layer_id"], demand["layer_name"]) == (layer.pk, "spots")
    assert (demand["total_weight"], demand["covered_weight"]) == (10.0, 5.0)
    assert demand["off_network_points"] == 0
    assert run.result["stations"][0]["covered_weight"] == 5.0
    assert run.result["stations"][0]["cells"]  # the area comes from the grid
    recommendation = run.result["recommendation"]
    assert recommendation["candidate_count"] == 3
    assert recommendation["added_weight"] == 5.0
    assert recommendation["sites"][0]["lon_deg"] == pytest.approx(112.794)


def test_a_straight_line_run_on_workers_work_areas(yangqu, county_admin, communities):
    first, second, third = communities
    StationFactory(community=first, lat_deg=38.06, lon_deg=112.68)
    StationFactory(community=second, lat_deg=38.06, lon_deg=112.80)
    StationFactory(community=second, lat_deg=38.08, lon_deg=112.80)
    worker_in(first)
    worker_in(first, second)
    worker_in(second, third)
    worker_in(third)
    run = run_plan(yangqu, county_admin, mode="walk", demand_layer="workers")

    execute_coverage_run(run_id=run.pk)

    run.refresh_from_db()
    demand = run.result["demand"]
    # The second community sits at (38.07, 112.80), 1.1 km from both its stations:
    # beyond a 15-minute walk (865 m in a straight line).
    assert (demand["unit"], demand["points"]) == ("workers", 2)
    assert (demand["total_weight"], demand["covered_weight"]) == (2.5, 1.5)
    assert demand["covered_share"] == 0.6
    assert demand["not_placed_weight"] == 1.5
    assert demand["not_placed"] == [
        {
            "community_id": third.pk,
            "name": third.name,
            "name_en": third.name_en,
            "weight": 1.5,
        }
    ]


def test_a_workers_run_without_placed_workers_fails_clearly(
    yangqu, county_admin, communities
):
    StationFactory(community=communities[0])
    run = run_plan(yangqu, county_admin, demand_layer="workers")

    execute_coverage_run(run_id=run.pk)

    run.refresh_from_db()
    assert (run.status, run.error_code) == ("failed", "no_placed_workers")
    assert run.error_params == {"not_placed": "0"}


@pytest.fixture
def street_network(yangqu, street_pbf):
    """A straight street east of the station; 15 minutes on foot reach 12 segments."""
    StationFactory(lat_deg=38.06, lon_deg=112.68)
    return import_road_network(county=yangqu, path=street_pbf)


NETWORK_PLACES_CSV = (
    b"name,lat,lon,weight\n"
    b"Five segments east,38.06,112.685,1\n"
    b"Twenty segments east,38.06,112.70,2\n"
    b"Two km north of the street,38.08,112.68,4\n"
)


@pytest.mark.parametrize(
    ("candidate_source", "candidate_count"), [("cells", None), ("demand_points", 2)]
)
def test_a_network_run_on_places_counts_the_ones_off_the_network(
    yangqu, county_admin, street_network, candidate_source, candidate_count
):
    layer = places_layer(yangqu, county_admin, NETWORK_PLACES_CSV)
    run = start_coverage_run(
        user=county_admin,
        county=yangqu,
        parameters={
            "mode": "walk",
            "new_sites": 1,
            "candidate_source": candidate_source,
            "demand_layer": "places",
            "demand_layer_id": layer.pk,
        },
    )

    execute_coverage_run(run_id=run.pk)

    run.refresh_from_db()
    assert run.result["method"] == "network"
    demand = run.result["demand"]
    assert (demand["total_weight"], demand["covered_weight"]) == (7.0, 1.0)
    assert (demand["off_network_points"], demand["off_network_weight"]) == (1, 4.0)
    # The station's area is the street it reaches, not just the one place.
    assert len(run.result["stations"][0]["cells"]) > 1
    recommendation = run.result["recommendation"]
    assert recommendation["added_weight"] == 2.0  # the place off the street stays out
    assert recommendation["covered_share_after"] == pytest.approx(3 / 7, abs=1e-6)
    if candidate_count is not None:
        assert recommendation["candidate_count"] == candidate_count
        assert recommendation["sites"][0]["lon_deg"] == pytest.approx(112.70)
    else:
        assert recommendation["candidate_count"] >= 2


def test_a_network_run_on_workers_work_areas(
    yangqu, county_admin, communities, street_network
):
    first = community()  # the street station's community
    second = next(other for other in communities if other != first)
    StationFactory(community=second, lat_deg=38.06, lon_deg=112.71, is_active=False)
    worker_in(first)
    worker_in(first, second)
    run = run_plan(yangqu, county_admin, mode="walk", demand_layer="workers")
    run.network = street_network
    run.save()

    execute_coverage_run(run_id=run.pk)

    run.refresh_from_db()
    demand = run.result["demand"]
    # The first community is at the station (the factory's default community); the
    # second has only a closed station, so it is not placed.
    assert run.result["method"] == "network"
    assert (demand["points"], demand["total_weight"], demand["covered_weight"]) == (
        1,
        1.5,
        1.5,
    )
    assert demand["off_network_points"] == 0
    assert [row["weight"] for row in demand["not_placed"]] == [0.5]


def test_uniform_runs_report_no_point_off_the_network(
    yangqu, county_admin, street_network
):
    run = run_plan(yangqu, county_admin, mode="walk")
    run.network = street_network
    run.save()

    execute_coverage_run(run_id=run.pk)

    run.refresh_from_db()
    demand = run.result["demand"]
    assert (demand["layer"], demand["unit"], demand["layer_id"]) == (
        "uniform",
        "road_km",
        None,
    )
    assert (demand["off_network_points"], demand["off_network_weight"]) == (0, 0.0)
    assert "not_placed" not in demand


def test_a_layer_in_use_cannot_be_deleted(yangqu, county_admin):
    StationFactory(lat_deg=38.06, lon_deg=112.68)
    layer = places_layer(yangqu, county_admin)
    start_coverage_run(
        user=county_admin,
        county=yangqu,
        parameters={"demand_layer": "places", "demand_layer_id": layer.pk},
    )

    with pytest.raises(ProtectedError):
        layer.delete()

    assert DemandLayer.objects.filter(pk=layer.pk).exists()


def test_workers_are_counted_when_the_run_is_computed(yangqu, communities):
    """The layer is read by the worker, so a consent given after queueing counts."""
    StationFactory(community=communities[0], lat_deg=38.06, lon_deg=112.68)
    late = worker_in(communities[0], consents=False)
    admin = make_user(Role.COUNTY_ADMIN)
    run = run_plan(yangqu, admin, mode="walk", demand_layer="workers")

    give_consent(late.user, granted_at=timezone.now() - dt.timedelta(seconds=1))

    execute_coverage_run(run_id=run.pk)

    run.refresh_from_db()
    assert run.result["demand"]["total_weight"] == 1.0
