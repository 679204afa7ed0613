"""Fixtures shared by the reports tests: a station in Xinyang, a routed department."""

import pytest
from django.core.cache import cache

from warmbee.factories import StationFactory
from warmbee.regions.models import Region, RegionLevel
from warmbee.reports.choices import ReportCategory
from warmbee.reports.tests.factories import (
    YANGQU_CODE,
    make_department,
    make_handler,
    route,
)
from warmbee.workers.tests.factories import make_worker

TAIYUAN_CODE = "140100000000"


@pytest.fixture(autouse=True)
def _clear_cache():
    """The hourly report limit counts in the cache: every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def media(settings):
    """The folder report photos are written to (the root conftest's temporary one)."""
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def yangqu():
    return Region.objects.get(code=YANGQU_CODE)


@pytest.fixture
def qingxu():
    """Another county of Taiyuan with one community (not loaded by the migrations)."""
    county = Region.objects.create(
        code="140121000000",
        name="清徐县",
        name_en="Qingxu County",
        level=RegionLevel.COUNTY,
        parent=Region.objects.get(code=TAIYUAN_CODE),
    )
    Region.objects.create(
        code="140121100001",
        name="清源社区",
        name_en="Qingyuan Community",
        level=RegionLevel.COMMUNITY,
        parent=county,
    )
    return county


@pytest.fixture
def station():
    """The default StationFactory station: Xinyang community, Yangqu, at 38.06, 112.68."""
    return StationFactory()


@pytest.fixture
def department():
    return make_department("县住建局")


@pytest.fixture
def handler(department):
    return make_handler(department)


@pytest.fixture
def routed(department):
    """Damaged roads anywhere in Yangqu go to ``department``."""
    return route(ReportCategory.ROAD_DAMAGE, department)


@pytest.fixture
def reporter():
    return make_worker().user
