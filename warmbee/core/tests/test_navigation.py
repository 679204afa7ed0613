"""The top bar links each role only to pages it may open."""

import pytest

from warmbee.accounts.models import Role
from warmbee.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "link", "shown"),
    [
        (Role.PROVINCE_ADMIN, "/staff/", True),
        (Role.COUNTY_ADMIN, "/staff/", True),
        (Role.STATION_STAFF, "/staff/", True),
        (Role.DEPARTMENT_HANDLER, "/staff/", False),
        (Role.DOCTOR, "/staff/", False),
        (Role.WORKER, "/staff/", False),
    ],
)
def test_the_staff_link_shows_only_for_roles_that_may_open_it(
    client, role, link, shown
):
    client.force_login(make_user(role))

    page = client.get("/").content.decode()

    assert (f'href="{link}"' in page) is shown
    if shown:
        assert client.get(link).status_code == 200
