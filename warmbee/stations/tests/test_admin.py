"""Bulk import of stations through the admin's import-export resource."""

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from warmbee.accounts.models import Role
from warmbee.core import geo
from warmbee.core.models import AuditAction, AuditEntry
from warmbee.factories import StationFactory, make_user
from warmbee.regions.models import Region, RegionLevel
from warmbee.stations.admin import StationResource
from warmbee.stations.choices import AmenityStatus
from warmbee.stations.models import Amenity, Station, StationAmenity

pytestmark = pytest.mark.django_db

HEADERS = [
    "id",
    "name",
    "name_en",
    "community_code",
    "address",
    "address_en",
    "lat_deg",
    "lon_deg",
    "position_is_approximate",
    "opening_hours",
    "phone",
    "capacity",
]
VALID_ROWS = [
    [
        "",
        "黄寨驿站",
        "Huangzhai station",
        "140122100001",
        "黄寨镇黄寨社区党群服务中心",
        "",
        "38.0731",
        "112.6702",
        "0",
        "Mo-Su 08:00-20:00; PH off",
        "0351-1234567",
        "12",
    ],
    [
        "",
        "新阳驿站",
        "",
        "140122400001",
        "新阳社区",
        "",
        "38.0612",
        "112.6798",
        "1",
        "24/7",
        "",
        "6",
    ],
]


def dataset(*rows: list[str]) -> tablib.Dataset:
    data = tablib.Dataset(headers=HEADERS)
    for row in rows:
        data.append(row)
    return data


def row_with(**changes: str) -> list[str]:
    row = list(VALID_ROWS[0])
    for column, value in changes.items():
        row[HEADERS.index(column)] = value
    return row


def other_county() -> Region:
    county = Region.objects.create(
        code="140121000000",
        name="清徐县",
        name_en="Qingxu County",
        level=RegionLevel.COUNTY,
        parent=Region.objects.get(code="140100000000"),
    )
    return Region.objects.create(
        code="140121100001",
        name="清源社区",
        name_en="Qingyuan Community",
        level=RegionLevel.COMMUNITY,
        parent=county,
    )


def test_import_creates_placed_stations_with_every_amenity_unknown():
    result = StationResource().import_data(dataset(*VALID_ROWS))

    assert not result.has_errors()
    assert not result.has_validation_errors()
    assert result.totals["new"] == 2
    huangzhai = Station.objects.get(name="黄寨驿站")
    assert huangzhai.community.code == "140122100001"
    assert (huangzhai.lat_deg, huangzhai.lon_deg) == (38.0731, 112.6702)
    assert huangzhai.h3_cell == geo.station_cell(38.0731, 112.6702)
    assert huangzhai.h3_search_cell == geo.search_cell(38.0731, 112.6702)
    assert huangzhai.opening_hours == "Mo-Su 08:00-20:00; PH off"
    assert huangzhai.capacity == 12
    assert huangzhai.position_is_approximate is False
    assert len(huangzhai.checkin_code) >= 8
    xinyang = Station.objects.get(name="新阳驿站")
    assert xinyang.position_is_approximate is True
    assert xinyang.h3_cell == geo.station_cell(38.0612, 112.6798)
    catalogue = set(Amenity.objects.values_list("code", flat=True))
    for station in (huangzhai, xinyang):
        rows = StationAmenity.objects.filter(station=station)
        assert set(rows.values_list("amenity__code", flat=True)) == catalogue
        assert set(rows.values_list("status", flat=True)) == {AmenityStatus.UNKNOWN}


def test_a_made_up_id_for_a_new_station_is_refused_and_nothing_is_imported():
    with translation.override("en"):
        result = StationResource().import_data(
            dataset(VALID_ROWS[0], row_with(id="4242"))
        )

    assert result.has_validation_errors()
    [invalid] = result.invalid_rows
    assert invalid.error_dict == {
        "__all__": [
            "Leave the id empty for a new station; only existing ids can be updated."
        ]
    }
    assert Station.objects.count() == 0
    assert StationAmenity.objects.count() == 0


def test_import_updates_an_existing_station_and_keeps_its_amenity_statuses():
    station = StationFactory(
        name="旧名驿站", community=Region.objects.get(code="140122100001")
    )
    StationAmenity.objects.filter(station=station, amenity__code="toilet").update(
        status=AmenityStatus.YES
    )

    result = StationResource().import_data(
        dataset(row_with(id=str(station.pk), name="新名驿站", capacity="20"))
    )

    assert not result.has_errors()
    assert not result.has_validation_errors()
    assert result.totals["update"] == 1
    station.refresh_from_db()
    assert (station.name, station.capacity) == ("新名驿站", 20)
    assert station.h3_cell == geo.station_cell(38.0731, 112.6702)
    assert Station.objects.count() == 1
    assert StationAmenity.objects.filter(station=station).count() == (
        Amenity.objects.count()
    )
    assert StationAmenity.objects.get(
        station=station, amenity__code="toilet"
    ).status == (AmenityStatus.YES)


def test_dry_run_imports_nothing():
    result = StationResource().import_data(dataset(*VALID_ROWS), dry_run=True)

    assert result.totals["new"] == 2
    assert Station.objects.count() == 0
    assert StationAmenity.objects.count() == 0


@pytest.mark.parametrize(
    ("bad_row", "field"),
    [
        (row_with(opening_hours="whenever we feel like it"), "opening_hours"),
        (row_with(lat_deg="51.5074", lon_deg="-0.1278"), "lat_deg"),
    ],
    ids=["bad-opening-hours", "outside-china"],
)
def test_invalid_row_is_reported_and_nothing_is_imported(bad_row, field):
    result = StationResource().import_data(dataset(VALID_ROWS[0], bad_row))

    assert result.has_validation_errors()
    [invalid] = result.invalid_rows
    assert invalid.number == 2
    assert list(invalid.error_dict) == [field]
    assert Station.objects.count() == 0
    assert StationAmenity.objects.count() == 0


def test_unknown_community_code_is_reported_and_nothing_is_imported():
    with translation.override("en"):
        result = StationResource().import_data(
            dataset(VALID_ROWS[0], row_with(community_code="140122999999"))
        )

    assert result.has_validation_errors()
    [invalid] = result.invalid_rows
    assert invalid.error_dict["community"] == ["Unknown community code 140122999999."]
    assert Station.objects.count() == 0
    assert StationAmenity.objects.count() == 0


def test_county_admin_cannot_import_a_station_into_another_county():
    admin = make_user(Role.COUNTY_ADMIN, is_staff=True)
    qingyuan = other_county()

    result = StationResource().import_data(
        dataset(row_with(community_code=qingyuan.code)), user=admin
    )

    assert result.has_validation_errors()
    [invalid] = result.invalid_rows
    assert list(invalid.error_dict) == ["community"]
    assert Station.objects.count() == 0


def test_county_admin_cannot_overwrite_another_countys_station_by_id():
    admin = make_user(Role.COUNTY_ADMIN, is_staff=True)
    station = StationFactory(
        name="清源驿站", community=other_county(), lat_deg=37.60, lon_deg=112.36
    )

    result = StationResource().import_data(
        dataset(row_with(id=str(station.pk), name="改名驿站")), user=admin
    )

    assert result.has_validation_errors()
    station.refresh_from_db()
    assert (station.name, station.community.code) == ("清源驿站", "140121100001")


def test_county_admin_imports_into_own_county():
    admin = make_user(Role.COUNTY_ADMIN, is_staff=True)

    result = StationResource().import_data(dataset(*VALID_ROWS), user=admin)

    assert not result.has_errors()
    assert not result.has_validation_errors()
    assert sorted(Station.objects.values_list("name", flat=True)) == [
        "新阳驿站",
        "黄寨驿站",
    ]


def _csv(*rows: list[str]) -> bytes:
    return dataset(*rows).export("csv").encode("utf-8")


def _upload(client, content: bytes):  # type: ignore[no-untyped-def]
    url = reverse("admin:stations_station_import")
    choices = client.get(url).context["form"].fields["format"].choices
    csv_format = next(value for value, title in choices if title == "csv")
    upload = SimpleUploadedFile("stations.csv", content, content_type="text/csv")
    return client.post(url, {"import_file": upload, "format": csv_format})


def test_admin_import_page_previews_then_confirms_the_import(client):
    admin = make_user(Role.COUNTY_ADMIN, is_staff=True)
    client.force_login(admin)

    preview = _upload(client, _csv(*VALID_ROWS))

    assert preview.status_code == 200
    assert preview.context["result"].totals["new"] == 2
    assert Station.objects.count() == 0
    confirm = preview.context["confirm_form"]
    response = client.post(
        reverse("admin:stations_station_process_import"), confirm.initial
    )
    assert response.status_code == 302
    assert Station.objects.count() == 2
    assert StationAmenity.objects.count() == 2 * Amenity.objects.count()
    # Only the confirmed import is in the audit log (the preview was rolled back).
    assert sorted(
        AuditEntry.objects.values_list("actor", "action", "target_id", "county__code")
    ) == sorted(
        (admin.pk, AuditAction.CREATE, str(pk), "140122000000")
        for pk in Station.objects.values_list("pk", flat=True)
    )


def test_admin_import_page_shows_errors_and_offers_no_confirmation(client):
    client.force_login(make_user(Role.COUNTY_ADMIN, is_staff=True))

    preview = _upload(
        client, _csv(VALID_ROWS[0], row_with(opening_hours="not hours at all"))
    )

    assert preview.status_code == 200
    assert preview.context["result"].has_validation_errors()
    assert "confirm_form" not in preview.context
    assert Station.objects.count() == 0


def test_a_station_saved_in_the_admin_is_audited_with_the_admin_and_address(client):
    admin = make_user(Role.COUNTY_ADMIN, is_staff=True)
    station = StationFactory()
    client.force_login(admin)
    url = reverse("admin:stations_station_change", args=[station.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None
    }
    data |= {
        "name": "改名驿站",
        "community": station.community_id,
        "staff": [],
        "amenities-TOTAL_FORMS": "0",
        "amenities-INITIAL_FORMS": "0",
        "photos-TOTAL_FORMS": "0",
        "photos-INITIAL_FORMS": "0",
    }

    response = client.post(url, data, REMOTE_ADDR="203.0.113.8")

    assert response.status_code == 302
    entry = AuditEntry.objects.order_by("pk").last()
    assert (entry.actor, entry.action, entry.fields, entry.ip_address) == (
        admin,
        AuditAction.UPDATE,
        ["name"],
        "203.0.113.8",
    )
