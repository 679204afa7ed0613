import pytest
from django.utils import translation

from warmbee.accounts.models import Role
from warmbee.core.models import AuditEntry
from warmbee.coverage.engine import errors as engine_errors
from warmbee.coverage.engine.geometry import haversine_m
from warmbee.coverage.errors import (
    CorruptExtractError,
    EmptyExtractError,
    ExtractNotFoundError,
    InvalidCoverageParametersError,
    NoRoutableWaysError,
    NotACountyError,
    NotCountyPlannerError,
    TooManyPendingRunsError,
    from_engine_error,
)
from warmbee.coverage.models import CoverageRun, CoverageRunStatus, RoadNetwork
from warmbee.coverage.selectors import describe_coverage_run, find_active_network
from warmbee.coverage.services import (
    check_coverage_parameters,
    execute_coverage_run,
    import_road_network,
    start_coverage_run,
)
from warmbee.coverage.tests.conftest import STREET_NODES
from warmbee.factories import YANGQU_CODE, StationFactory, make_user
from warmbee.regions.models import Region

pytestmark = pytest.mark.django_db

SEGMENT_KM = haversine_m(38.06, 112.68, 38.06, 112.681) / 1000.0


@pytest.fixture
def yangqu():
    return Region.objects.get(code=YANGQU_CODE)


@pytest.fixture
def county_admin():
    return make_user(Role.COUNTY_ADMIN)


def network_files(settings):
    folder = settings.NETWORK_DIR
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_imports_the_helsinki_extract_as_the_active_network(
    helsinki_pbf, yangqu, county_admin
):
    network = import_road_network(county=yangqu, path=helsinki_pbf, user=county_admin)

    assert find_active_network(yangqu) == network
    assert (network.node_count, network.edge_count) == (5821, 13852)
    assert network.road_length_km == pytest.approx(90.782, abs=1e-3)
    assert network.summary["built_node_count"] == 6007
    assert network.summary["kept_node_count"] == 5821
    assert network.summary["routable_ways"] == 2506
    assert network.name == helsinki_pbf.name
    assert network.imported_by == county_admin
    assert not network.is_generated
    assert 60.16 < network.min_lat_deg < network.max_lat_deg < 60.18
    assert network.path.is_file()
    assert AuditEntry.objects.filter(
        target_type="coverage.roadnetwork", target_id=str(network.pk)
    ).exists()


def test_a_new_import_replaces_the_active_network_and_keeps_the_old_file(
    street_pbf, helsinki_pbf, yangqu, settings
):
    first = import_road_network(county=yangqu, path=street_pbf, is_generated=True)

    second = import_road_network(county=yangqu, path=helsinki_pbf)

    first.refresh_from_db()
    assert (first.is_active, second.is_active) == (False, True)
    assert first.is_generated
    assert find_active_network(yangqu) == second
    assert network_files(settings) == sorted([first.file_name, second.file_name])


def test_counts_the_stations_within_reach_of_a_road(street_pbf, yangqu):
    StationFactory(lat_deg=38.0601, lon_deg=112.681)
    StationFactory(lat_deg=38.2, lon_deg=112.9)

    network = import_road_network(county=yangqu, path=street_pbf)

    assert network.summary["stations_in_service"] == 2
    assert network.summary["stations_on_network"] == 1


@pytest.mark.parametrize(
    ("content", "error_class"),
    [
        (b"", EmptyExtractError),
        (bytes(range(256)) * 20, CorruptExtractError),
    ],
)
def test_a_bad_file_leaves_the_previous_network_in_place(
    street_pbf, yangqu, tmp_path, settings, content, error_class
):
    previous = import_road_network(county=yangqu, path=street_pbf)
    files_before = network_files(settings)
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(content)

    with pytest.raises(error_class):
        import_road_network(county=yangqu, path=bad)

    assert find_active_network(yangqu) == previous
    assert RoadNetwork.objects.count() == 1
    assert network_files(settings) == files_before


def test_an_extract_without_roads_is_refused_with_a_clear_message(
    street_pbf, write_extract, yangqu
):
    previous = import_road_network(county=yangqu, path=street_pbf)
    no_roads = write_extract(
        STREET_NODES[:3], [(9, [100, 101, 102], {"building": "yes"})]
    )

    with pytest.raises(NoRoutableWaysError) as caught:
        import_road_network(county=yangqu, path=no_roads)

    with translation.override("en"):
        assert "has no roads or paths usable on foot" in caught.value.detail
    assert find_active_network(yangqu) == previous


def test_a_missing_file_is_refused(yangqu, tmp_path):
    with pytest.raises(ExtractNotFoundError):
        import_road_network(county=yangqu, path=tmp_path / "absent.osm.pbf")

    assert not RoadNetwork.objects.exists()


def test_a_network_belongs_to_a_county(street_pbf):
    township = Region.objects.filter(level="township").first()

    with pytest.raises(NotACountyError):
        import_road_network(county=township, path=street_pbf)

    assert not RoadNetwork.objects.exists()


def test_fills_in_default_parameters():
    assert check_coverage_parameters({"new_sites": "3"}) == {
        "mode": "ebike",
        "minutes": 15.0,
        "new_sites": 3,
        "candidate_source": "cells",
        "demand_layer": "uniform",
        "demand_layer_id": None,
    }


@pytest.mark.parametrize(
    "parameters",
    [
        {"mode": "car"},
        {"minutes": 0},
        {"minutes": "soon"},
        {"minutes": True},
        {"new_sites": 2.5},
        {"new_sites": 51},
        {"candidate_source": "anywhere"},
        {"demand_layer": "riders"},
        {"colour": "red"},
    ],
)
def test_refuses_bad_parameters(parameters, yangqu, county_admin):
    with pytest.raises(InvalidCoverageParametersError):
        start_coverage_run(user=county_admin, county=yangqu, parameters=parameters)

    assert not CoverageRun.objects.exists()


@pytest.mark.parametrize("role", [Role.STATION_STAFF, Role.WORKER, Role.DOCTOR])
def test_only_county_administrators_start_runs(role, yangqu):
    with pytest.raises(NotCountyPlannerError):
        start_coverage_run(user=make_user(role), county=yangqu, parameters={})

    assert not CoverageRun.objects.exists()


def test_another_countys_administrator_cannot_start_a_run(county_admin):
    other = Region.objects.create(
        code="140121000000",
        name="清徐县",
        level="county",
        parent=Region.objects.get(code="140100000000"),
    )

    with pytest.raises(NotCountyPlannerError):
        start_coverage_run(user=county_admin, county=other, parameters={})


def test_a_run_is_queued_and_enqueued_after_commit(
    yangqu, county_admin, street_pbf, django_capture_on_commit_callbacks
):
    network = import_road_network(county=yangqu, path=street_pbf)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = start_coverage_run(
            user=county_admin, county=yangqu, parameters={"mode": "walk"}
        )

    assert len(callbacks) == 1
    assert (run.status, run.progress_percent, run.network) == ("queued", 0, network)
    assert run.created_by == county_admin


def test_computes_network_coverage_and_the_best_new_site(
    yangqu,
    county_admin,
    street_pbf,
    immediate_tasks,
    django_capture_on_commit_callbacks,
):
    import_road_network(county=yangqu, path=street_pbf)
    station = StationFactory(lat_deg=38.06, lon_deg=112.68)

    with django_capture_on_commit_callbacks(execute=True):
        run = start_coverage_run(
            user=county_admin,
            county=yangqu,
            parameters={
                "mode": "walk",
                "new_sites": 1,
                "candidate_source": "demand_points",
            },
        )

    run.refresh_from_db()
    result = run.result
    assert (run.status, run.progress_percent) == ("done", 100)
    assert result["method"] == "network"
    assert result["network"]["name"] == street_pbf.name
    # Demand is road length: 39 segments; the station reaches nodes 0..12.
    assert result["demand"]["total_weight"] == pytest.approx(39 * SEGMENT_KM, rel=1e-5)
    assert result["demand"]["covered_share"] == pytest.approx(12.5 / 39, abs=1e-5)
    [row] = result["stations"]
    assert (row["id"], row["name"], row["on_network"]) == (
        station.pk,
        station.name,
        True,
    )
    assert row["covered_weight"] == pytest.approx(12.5 * SEGMENT_KM, rel=1e-5)
    # The best new site at node 25 or 26 covers 25 more segments.
    recommendation = result["recommendation"]
    assert recommendation["status"] == "optimal"
    assert recommendation["candidate_count"] == 40
    assert recommendation["added_weight"] == pytest.approx(25 * SEGMENT_KM, rel=1e-5)
    assert recommendation["covered_share_after"] == pytest.approx(37.5 / 39, abs=1e-5)
    [site] = recommendation["sites"]
    assert site["lon_deg"] in (pytest.approx(112.705), pytest.approx(112.706))


def test_without_a_network_estimates_by_straight_line(yangqu, county_admin):
    StationFactory(lat_deg=38.06, lon_deg=112.68)
    run = CoverageRun.objects.create(
        county=yangqu,
        parameters=check_coverage_parameters({"mode": "walk", "new_sites": 2}),
        created_by=county_admin,
    )

    execute_coverage_run(run_id=run.pk)

    run.refresh_from_db()
    assert run.status == CoverageRunStatus.DONE
    assert run.result["method"] == "straight_line"
    assert run.result["network"] is None
    assert run.result["detour_factor"] == 1.3
    assert 0 < run.result["demand"]["covered_share"] < 1
    assert len(run.result["recommendation"]["sites"]) == 2


def test_asking_for_more_sites_than_candidates_fails_the_run_clearly(
    yangqu, county_admin, street_pbf
):
    network = import_road_network(county=yangqu, path=street_pbf)
    StationFactory(lat_deg=38.06, lon_deg=112.68)
    run = CoverageRun.objects.create(
        county=yangqu,
        network=network,
        parameters=check_coverage_parameters(
            {"new_sites": 41, "candidate_source": "demand_points"}
        ),
    )

    execute_coverage_run(run_id=run.pk)

    run.refresh_from_db()
    assert (run.status, run.error_code, run.result) == (
        "failed",
        "too_many_sites",
        None,
    )
    with translation.override("en"):
        message = describe_coverage_run(run).error_message
    assert message == (
        "41 new sites were asked for, but there are only 40 candidate places."
    )


def test_a_run_without_stations_or_network_fails_with_no_demand(yangqu):
    run = CoverageRun.objects.create(
        county=yangqu, parameters=check_coverage_parameters({})
    )

    execute_coverage_run(run_id=run.pk)

    run.refresh_from_db()
    assert (run.status, run.error_code) == ("failed", "no_demand")


def test_a_missing_network_file_fails_the_run(yangqu, street_pbf):
    network = import_road_network(county=yangqu, path=street_pbf)
    network.path.unlink()
    run = CoverageRun.objects.create(
        county=yangqu, network=network, parameters=check_coverage_parameters({})
    )

    execute_coverage_run(run_id=run.pk)

    run.refresh_from_db()
    assert (run.status, run.error_code) == ("failed", "network_file_missing")


def test_a_run_is_computed_once(yangqu):
    StationFactory()
    run = CoverageRun.objects.create(
        county=yangqu, parameters=check_coverage_parameters({})
    )
    execute_coverage_run(run_id=run.pk)
    run.refresh_from_db()
    finished_at = run.finished_at

    assert execute_coverage_run(run_id=run.pk) is None

    run.refresh_from_db()
    assert (run.status, run.finished_at) == ("done", finished_at)


def test_a_planner_cannot_fill_the_queue_alone(
    yangqu, county_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        for _ in range(3):
            start_coverage_run(user=county_admin, county=yangqu, parameters={})
        with pytest.raises(TooManyPendingRunsError):
            start_coverage_run(user=county_admin, county=yangqu, parameters={})
    assert CoverageRun.objects.count() == 3


def test_a_broken_network_file_is_named_without_the_servers_folders():
    error = from_engine_error(
        engine_errors.NetworkFileError(
            path="/srv/warmbee/var/networks/140122-x.npz", reason="truncated"
        )
    )
    assert "/srv" not in error.detail
    assert "140122-x.npz" in error.detail
