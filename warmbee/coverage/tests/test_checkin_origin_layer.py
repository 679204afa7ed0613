"""The demand layer of check-in origins: cells weighed by the origins noted in them."""

import datetime as dt

import h3
import numpy as np
import pytest
from django.utils import timezone, translation

from warmbee.accounts.models import Role
from warmbee.coverage.demand_layers import checkin_origin_demand
from warmbee.coverage.errors import NoCheckInOriginsError
from warmbee.coverage.exports.figures import summarise_plan
from warmbee.coverage.models import CoverageRun
from warmbee.coverage.services import check_coverage_parameters, execute_coverage_run
from warmbee.factories import YANGQU_CODE, StationFactory, make_user
from warmbee.regions.models import Region
from warmbee.visits.models import CheckInOriginCount

pytestmark = pytest.mark.django_db

AT_STATION = h3.latlng_to_cell(38.06, 112.68, 8)
# About 5.5 km north of the station: far beyond a 15-minute walk.
FAR_NORTH = h3.latlng_to_cell(38.11, 112.68, 8)


@pytest.fixture
def yangqu():
    return Region.objects.get(code=YANGQU_CODE)


def note(county, cell, count=1, month=None):
    month = month or timezone.localdate().replace(day=1)
    CheckInOriginCount.objects.create(
        county=county, h3_cell=cell, month=month, check_ins=count
    )


def test_each_cell_is_a_point_at_its_centre_weighing_its_origins(yangqu):
    note(yangqu, AT_STATION, count=3)
    note(yangqu, FAR_NORTH)
    note(yangqu, FAR_NORTH, month=dt.date(2020, 1, 1))  # expired, not yet deleted

    layer = checkin_origin_demand(yangqu)

    cells = sorted([AT_STATION, FAR_NORTH])
    centres = np.asarray([h3.cell_to_latlng(cell) for cell in cells])
    assert layer.points.unit == "checkins"
    assert layer.points.lat_deg.tolist() == centres[:, 0].tolist()
    assert layer.points.lon_deg.tolist() == centres[:, 1].tolist()
    expected = [3.0 if cell == AT_STATION else 1.0 for cell in cells]
    assert layer.points.weight.tolist() == expected
    assert not layer.not_placed


def test_a_county_without_origins_has_no_layer(yangqu):
    with pytest.raises(NoCheckInOriginsError):
        checkin_origin_demand(yangqu)


def _run(county, **parameters):
    return CoverageRun.objects.create(
        county=county,
        network=None,
        created_by=make_user(Role.COUNTY_ADMIN),
        parameters=check_coverage_parameters(parameters),
    )


def test_a_plan_on_check_in_origins_covers_and_recommends_by_them(yangqu):
    StationFactory(lat_deg=38.06, lon_deg=112.68)
    note(yangqu, AT_STATION, count=3)
    note(yangqu, FAR_NORTH, count=2)
    run = _run(
        yangqu,
        mode="walk",
        new_sites=1,
        candidate_source="demand_points",
        demand_layer="checkin_origins",
    )

    execute_coverage_run(run_id=run.pk)

    run.refresh_from_db()
    assert run.status == "done", run.error_code
    demand = run.result["demand"]
    assert (demand["layer"], demand["unit"], demand["points"]) == (
        "checkin_origins",
        "checkins",
        2,
    )
    assert (demand["total_weight"], demand["covered_weight"]) == (5.0, 3.0)
    site = run.result["recommendation"]["sites"][0]
    assert (site["lat_deg"], site["lon_deg"]) == pytest.approx(
        h3.cell_to_latlng(FAR_NORTH)
    )
    assert run.result["recommendation"]["added_weight"] == 2.0
    with translation.override("en"):
        figures = summarise_plan(run)
        assert figures is not None
        statement = figures.demand_statement
    assert statement.startswith(
        "Demand: where workers came from when they checked in (last 12 months), "
        "counted in check-ins, 2 points."
    )


def test_a_plan_on_check_in_origins_without_any_fails_clearly(yangqu):
    StationFactory(lat_deg=38.06, lon_deg=112.68)
    run = _run(yangqu, demand_layer="checkin_origins")

    execute_coverage_run(run_id=run.pk)

    run.refresh_from_db()
    assert (run.status, run.error_code) == ("failed", "no_checkin_origins")
    with translation.override("en"):
        message = str(NoCheckInOriginsError(**run.error_params).detail)
    assert message.startswith(
        "No check-in origins have been noted in the county in the last 12 months"
    )


def test_the_planner_says_how_many_check_ins_the_layer_holds(client, yangqu):
    StationFactory(lat_deg=38.06, lon_deg=112.68)
    note(yangqu, AT_STATION, count=3)
    note(yangqu, FAR_NORTH, count=2)
    note(yangqu, FAR_NORTH, month=dt.date(2020, 1, 1))  # expired: not counted
    client.force_login(make_user(Role.COUNTY_ADMIN, region=yangqu))

    page = client.get("/en/coverage/?county=140122").content.decode()

    assert (
        "Where workers came from when they checked in (with their consent): "
        "5 check-ins in the last 12 months"
    ) in page
