import os

import pytest
from django.utils import translation

from warmbee.accounts.models import Role
from warmbee.coverage.errors import CoverageRunNotFoundError, NotCountyPlannerError
from warmbee.coverage.models import CoverageRun
from warmbee.coverage.selectors import (
    access_coverage_run,
    describe_coverage_run,
    get_county,
    load_engine_network,
)
from warmbee.coverage.services import check_coverage_parameters, import_road_network
from warmbee.factories import YANGQU_CODE, make_user
from warmbee.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def yangqu():
    return Region.objects.get(code=YANGQU_CODE)


def test_finds_a_county_by_six_or_twelve_digits(yangqu):
    assert get_county("140122") == get_county("140122000000") == yangqu


def test_loads_a_network_once_until_its_file_changes(yangqu, street_pbf):
    network = import_road_network(county=yangqu, path=street_pbf)

    first = load_engine_network(network)
    again = load_engine_network(network)
    stat = network.path.stat()
    os.utime(network.path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    reloaded = load_engine_network(network)

    assert again is first
    assert reloaded is not first
    assert reloaded.network.node_count == first.network.node_count == 40
    assert reloaded.graph("walk") is reloaded.graph("walk")


def test_describes_a_queued_run_for_polling(yangqu):
    run = CoverageRun.objects.create(
        county=yangqu, parameters=check_coverage_parameters({"new_sites": 2})
    )

    with translation.override("en"):
        view = describe_coverage_run(run).as_json()

    assert view == {
        "id": run.pk,
        "status": "queued",
        "is_finished": False,
        "progress_percent": 0,
        "progress_message": "Waiting for the background worker",
        "parameters": {
            "mode": "ebike",
            "minutes": 15.0,
            "new_sites": 2,
            "candidate_source": "cells",
            "demand_layer": "uniform",
            "demand_layer_id": None,
        },
        "method": "straight_line",
        "network": None,
        "result": None,
        "error": None,
    }


def test_an_unknown_stored_error_shows_a_generic_message(yangqu):
    run = CoverageRun.objects.create(
        county=yangqu,
        parameters=check_coverage_parameters({}),
        status="failed",
        error_code="something_new",
    )

    with translation.override("en"):
        error = describe_coverage_run(run).as_json()["error"]

    assert error["code"] == "something_new"
    assert error["message"].startswith("The run stopped because of an unexpected error")


def test_only_the_countys_planners_access_a_run(yangqu):
    run = CoverageRun.objects.create(
        county=yangqu, parameters=check_coverage_parameters({})
    )

    assert access_coverage_run(make_user(Role.COUNTY_ADMIN), run.pk) == run
    assert access_coverage_run(make_user(Role.PROVINCE_ADMIN), run.pk) == run
    with pytest.raises(NotCountyPlannerError):
        access_coverage_run(make_user(Role.STATION_STAFF), run.pk)
    with pytest.raises(CoverageRunNotFoundError):
        access_coverage_run(make_user(Role.COUNTY_ADMIN), run.pk + 1)
