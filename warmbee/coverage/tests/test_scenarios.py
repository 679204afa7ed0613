"""What-if runs: checked scenarios, exact coverage changes, and who may start them."""

import pytest
from django.utils import translation

from warmbee.accounts.models import Role
from warmbee.coverage.errors import (
    CoverageRunNotFoundError,
    InvalidCoverageParametersError,
    InvalidScenarioError,
    NotCountyPlannerError,
    ScenarioBaseNotFinishedError,
)
from warmbee.coverage.exports import plan_geojson, summarise_plan
from warmbee.coverage.models import CoverageRun
from warmbee.coverage.services import (
    check_coverage_parameters,
    execute_coverage_run,
    import_road_network,
    start_coverage_run,
    start_scenario_run,
)
from warmbee.coverage.tests.test_services import SEGMENT_KM
from warmbee.factories import YANGQU_CODE, StationFactory, make_user
from warmbee.regions.models import Region, RegionLevel
from warmbee.stations.models import Station

pytestmark = pytest.mark.django_db

# On the test street (tests/conftest.py: node i at 112.68 + 0.001 i E, 87.5 m apart) a
# 15-minute walk reaches 12 segments each way: a station at node 0 covers nodes 0..12
# (12.5 segments of road), one at node 30 covers nodes 18..39 (21.5 segments).
WEST = (38.06, 112.68)
EAST = (38.06, 112.71)


@pytest.fixture
def yangqu():
    return Region.objects.get(code=YANGQU_CODE)


@pytest.fixture
def county_admin():
    return make_user(Role.COUNTY_ADMIN)


@pytest.fixture
def qingxu():
    county = Region.objects.create(
        code="140121000000",
        name="清徐县",
        name_en="Qingxu County",
        level=RegionLevel.COUNTY,
        parent=Region.objects.get(code="140100000000"),
    )
    community = Region.objects.create(
        code="140121100001",
        name="清源社区",
        name_en="Qingyuan Community",
        level=RegionLevel.COMMUNITY,
        parent=county,
    )
    return county, community


def finished_run(county, user, network=None, **parameters):
    run = CoverageRun.objects.create(
        county=county,
        network=network,
        created_by=user,
        parameters=check_coverage_parameters({"mode": "walk", **parameters}),
    )
    execute_coverage_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "done", run.error_code
    return run


def compute(run):
    execute_coverage_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "done", run.error_code
    return run


# ------------------------------------------------------------------ validation


@pytest.fixture
def base_run(yangqu, county_admin):
    StationFactory(lat_deg=WEST[0], lon_deg=WEST[1])
    return finished_run(yangqu, county_admin)


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        ({}, "choose at least one station to remove or a position to add."),
        ({"remove_station_ids": [], "add_positions": []}, "choose at least one"),
        ({"move": {}}, "unknown settings move."),
        ({"remove_station_ids": "all"}, "must be a list of station numbers"),
        ({"remove_station_ids": ["abc"]}, "“abc” is not a station number."),
        ({"remove_station_ids": [True]}, "is not a station number"),
        ({"remove_station_ids": [999_999]}, "#999999 are not stations of"),
        ({"add_positions": [[38.06]]}, "is not a position (latitude, longitude)."),
        ({"add_positions": [["north", "east"]]}, "is not a position"),
        ({"add_positions": [[95, 112.68]]}, "latitude is -90 to 90"),
        ({"add_positions": [["nan", 112.68]]}, "latitude is -90 to 90"),
        ({"add_positions": [[39.5, 112.68]]}, "is more than 50 km from every station"),
        ({"add_positions": [[38.06, 112.68]] * 51}, "at most 50 stations"),
        ("remove everything", "it must name stations to remove or add."),
    ],
)
def test_a_bad_scenario_is_refused_and_nothing_is_started(
    base_run, county_admin, scenario, message
):
    parameters = {**base_run.parameters, "scenario": scenario}

    with translation.override("en"):
        with pytest.raises(InvalidScenarioError) as caught:
            start_coverage_run(
                user=county_admin, county=base_run.county, parameters=parameters
            )
        assert message in caught.value.detail
        assert caught.value.detail.startswith("Invalid what-if: ")
    assert list(CoverageRun.objects.all()) == [base_run]


def test_a_station_out_of_service_cannot_be_removed(base_run, county_admin):
    closed = StationFactory(lat_deg=38.07, lon_deg=112.69, is_active=False)

    with pytest.raises(InvalidScenarioError):
        start_scenario_run(
            user=county_admin,
            run_id=base_run.pk,
            remove_station_ids=[closed.pk],
            add_positions=[],
        )

    assert CoverageRun.objects.count() == 1


def test_a_county_without_stations_takes_no_added_position(yangqu, county_admin):
    with translation.override("en"), pytest.raises(InvalidScenarioError) as caught:
        check_coverage_parameters(
            {"scenario": {"add_positions": [[38.06, 112.68]]}}, county=yangqu
        )

    assert "has no station in service" in caught.value.detail


@pytest.mark.parametrize(
    "parameters",
    [
        {"based_on_run_id": 1},  # only with a scenario
        {"scenario": {"add_positions": [[38.06, 112.68]]}, "based_on_run_id": "x"},
        {"scenario": {"add_positions": [[38.06, 112.68]]}, "based_on_run_id": 1.5},
    ],
)
def test_bad_what_if_settings_are_refused(base_run, county_admin, parameters):
    with pytest.raises(InvalidCoverageParametersError):
        start_coverage_run(
            user=county_admin, county=base_run.county, parameters=parameters
        )

    assert CoverageRun.objects.count() == 1


def test_a_scenario_is_checked_against_a_county():
    with pytest.raises(InvalidCoverageParametersError):
        check_coverage_parameters({"scenario": {"remove_station_ids": [1]}})


def test_the_checked_scenario_is_kept_with_the_settings(base_run, county_admin):
    [station] = Station.objects.all()

    run = start_scenario_run(
        user=county_admin,
        run_id=base_run.pk,
        remove_station_ids=[str(station.pk), station.pk],
        add_positions=[["38.07", 112.69]],
    )

    assert run.parameters == {
        **base_run.parameters,
        "scenario": {
            "remove_station_ids": [station.pk],
            "add_positions": [[38.07, 112.69]],
        },
        "based_on_run_id": base_run.pk,
    }
    assert run.status == "queued"


def test_only_a_finished_plan_takes_a_what_if(yangqu, county_admin):
    station = StationFactory()
    queued = CoverageRun.objects.create(
        county=yangqu, created_by=county_admin, parameters=check_coverage_parameters({})
    )

    with pytest.raises(ScenarioBaseNotFinishedError):
        start_scenario_run(
            user=county_admin,
            run_id=queued.pk,
            remove_station_ids=[station.pk],
            add_positions=[],
        )

    assert CoverageRun.objects.count() == 1


# ----------------------------------------------------------------- permissions


def test_another_countys_administrator_cannot_base_a_what_if_on_a_run(base_run, qingxu):
    county, _community = qingxu
    other_admin = make_user(Role.COUNTY_ADMIN, region=county)
    [station] = Station.objects.all()

    with pytest.raises(CoverageRunNotFoundError):  # another county's run: not found
        start_scenario_run(
            user=other_admin,
            run_id=base_run.pk,
            remove_station_ids=[station.pk],
            add_positions=[],
        )
    # Nor by naming the run in their own county's settings: it is not found there.
    StationFactory(community=_community, lat_deg=37.55, lon_deg=112.33)
    with pytest.raises(CoverageRunNotFoundError):
        start_coverage_run(
            user=other_admin,
            county=county,
            parameters={
                "scenario": {"add_positions": [[37.56, 112.34]]},
                "based_on_run_id": base_run.pk,
            },
        )

    assert list(CoverageRun.objects.all()) == [base_run]


def test_a_station_of_another_county_cannot_be_removed(base_run, county_admin, qingxu):
    _county, community = qingxu
    foreign = StationFactory(community=community, lat_deg=37.55, lon_deg=112.33)

    with translation.override("en"), pytest.raises(InvalidScenarioError) as caught:
        start_scenario_run(
            user=county_admin,
            run_id=base_run.pk,
            remove_station_ids=[foreign.pk],
            add_positions=[],
        )

    assert f"#{foreign.pk} are not stations of" in caught.value.detail
    assert CoverageRun.objects.count() == 1


@pytest.mark.parametrize("role", [Role.STATION_STAFF, Role.WORKER, Role.DOCTOR])
def test_only_planners_start_a_what_if(base_run, role):
    [station] = Station.objects.all()

    with pytest.raises(NotCountyPlannerError):
        start_scenario_run(
            user=make_user(role),
            run_id=base_run.pk,
            remove_station_ids=[station.pk],
            add_positions=[],
        )

    assert CoverageRun.objects.count() == 1


# --------------------------------------------------------------- computed runs


def test_removing_the_only_station_of_an_area_loses_its_demand_on_a_network(
    yangqu, county_admin, street_pbf
):
    network = import_road_network(county=yangqu, path=street_pbf)
    west = StationFactory(lat_deg=WEST[0], lon_deg=WEST[1])
    east = StationFactory(lat_deg=EAST[0], lon_deg=EAST[1])
    base = finished_run(yangqu, county_admin, network)
    assert base.result["demand"]["covered_share"] == pytest.approx(34 / 39, abs=1e-5)

    run = compute(
        start_scenario_run(
            user=county_admin,
            run_id=base.pk,
            remove_station_ids=[west.pk],
            add_positions=[],
        )
    )

    demand = run.result["demand"]
    assert run.network == network
    assert demand["total_weight"] == base.result["demand"]["total_weight"]
    # The west station's 12.5 segments are lost; nobody else reaches them.
    assert demand["covered_weight"] == pytest.approx(21.5 * SEGMENT_KM, rel=1e-5)
    assert base.result["demand"]["covered_weight"] - demand[
        "covered_weight"
    ] == pytest.approx(12.5 * SEGMENT_KM, rel=1e-5)
    assert [row["id"] for row in run.result["stations"]] == [east.pk]
    scenario = run.result["scenario"]
    assert scenario["removed"] == [
        {"id": west.pk, "name": west.name, "name_en": west.name_en}
    ]
    assert scenario["before"]["covered_share"] == pytest.approx(34 / 39, abs=1e-5)
    # The real stations are untouched.
    assert list(
        Station.objects.order_by("pk").values_list("is_active", "lat_deg", "lon_deg")
    ) == [(True, *WEST), (True, *EAST)]


def test_an_added_station_covers_its_area_and_sites_come_on_top(
    yangqu, county_admin, street_pbf
):
    network = import_road_network(county=yangqu, path=street_pbf)
    StationFactory(lat_deg=WEST[0], lon_deg=WEST[1])
    base = finished_run(
        yangqu, county_admin, network, new_sites=1, candidate_source="demand_points"
    )

    run = compute(
        start_scenario_run(
            user=county_admin,
            run_id=base.pk,
            remove_station_ids=[],
            add_positions=[list(EAST)],
        )
    )

    result = run.result
    assert result["demand"]["covered_weight"] == pytest.approx(
        34 * SEGMENT_KM, rel=1e-5
    )
    added = result["stations"][-1]
    assert (added["id"], added["added_number"]) == (-1, 1)
    assert added["covered_weight"] == pytest.approx(21.5 * SEGMENT_KM, rel=1e-5)
    # One more site on top of the scenario: the 5 segments between the two areas.
    assert result["recommendation"]["added_weight"] == pytest.approx(
        5 * SEGMENT_KM, rel=1e-5
    )
    assert Station.objects.count() == 1

    with translation.override("en"):
        figures = summarise_plan(run)
        assert figures is not None
        document = plan_geojson(figures)
        assert figures.scenario is not None
        assert figures.scenario.statement == (
            "Scenario: added 1 station at 38.06000, 112.71000. The stations "
            "themselves are unchanged."
        )
        assert figures.comparison_statement.startswith(
            f"Before (plan #{base.pk}): 32.1 % covered; after: 87.2 % (+55.1 percentage"
        )
        assert document["coverage_run"]["scenario"]["added_positions"] == [list(EAST)]
        stations = [
            f for f in document["features"] if f["properties"]["kind"] == "station"
        ]
        assert [f["properties"]["is_added"] for f in stations] == [False, True]
        assert stations[1]["properties"]["name"] == "Added station 1 (what-if)"


def test_straight_line_removal_loses_exactly_that_stations_area(yangqu, county_admin):
    # 20 km apart: their 15-minute areas (about 3 km) do not overlap.
    west = StationFactory(lat_deg=38.06, lon_deg=112.60)
    StationFactory(lat_deg=38.06, lon_deg=112.83)
    base = finished_run(yangqu, county_admin)
    west_row = next(row for row in base.result["stations"] if row["id"] == west.pk)
    assert west_row["covered_weight"] > 0

    removed = compute(
        start_scenario_run(
            user=county_admin,
            run_id=base.pk,
            remove_station_ids=[west.pk],
            add_positions=[],
        )
    )
    moved_back = compute(
        start_scenario_run(
            user=county_admin,
            run_id=base.pk,
            remove_station_ids=[west.pk],
            add_positions=[[38.06, 112.60]],
        )
    )

    before = base.result["demand"]
    after = removed.result["demand"]
    assert removed.result["method"] == "straight_line"
    # The same demand grid (around the stations in service) in both runs.
    assert (after["total_weight"], after["points"]) == (
        before["total_weight"],
        before["points"],
    )
    assert after["covered_weight"] == pytest.approx(
        before["covered_weight"] - west_row["covered_weight"], abs=1e-5
    )
    # Removing a station and adding it back where it was changes nothing.
    assert moved_back.result["demand"]["covered_weight"] == pytest.approx(
        before["covered_weight"], abs=1e-9
    )
    assert Station.objects.filter(is_active=True).count() == 2
