"""factory_boy factories shared by every app's tests."""

import datetime as dt
import uuid

import factory
from django.utils import timezone

from warmbee.accounts.models import Role, User
from warmbee.regions.models import Region
from warmbee.stations.choices import AmenityStatus
from warmbee.stations.models import Amenity, Station, StationAmenity
from warmbee.stations.services import save_station
from warmbee.visits.models import Visit, VisitChannel

YANGQU_CODE = "140122000000"
SHANXI_CODE = "140000000000"
XINYANG_COMMUNITY_CODE = "140122400001"
TEST_PASSWORD = "correct-horse-battery"  # noqa: S105  # test accounts only


def community(code: str = XINYANG_COMMUNITY_CODE) -> Region:
    """Return a community loaded by the regions data migration."""
    return Region.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    phone = factory.Sequence(lambda n: f"139{n:08d}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.WORKER
    phone_confirmed_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def saved(obj: User, create: bool, extracted: object, **kwargs: object) -> None:  # noqa: N805
        if create:
            obj.save()


def make_user(role: Role, **fields: object) -> User:
    """Return a user of ``role``; administrators get Shanxi or Yangqu as their region."""
    if role == Role.PROVINCE_ADMIN:
        fields.setdefault("region", Region.objects.get(code=SHANXI_CODE))
    if role == Role.COUNTY_ADMIN:
        fields.setdefault("region", Region.objects.get(code=YANGQU_CODE))
    return UserFactory(role=role, **fields)


class StationFactory(factory.django.DjangoModelFactory):
    """Stations go through save_station, so they are placed (H3) and get every amenity."""

    class Meta:
        model = Station

    name = factory.Sequence(lambda n: f"测试驿站{n}")
    name_en = factory.Sequence(lambda n: f"Test station {n}")
    community = factory.LazyFunction(community)
    address = "测试地址"
    lat_deg = 38.06
    lon_deg = 112.68
    opening_hours = "24/7"
    capacity = 10

    @classmethod
    def _create(
        cls, model_class: type[Station], *args: object, **kwargs: object
    ) -> Station:
        return save_station(model_class(*args, **kwargs))


def make_station_staff(station: Station | None = None) -> User:
    """Return a station staff member assigned to ``station`` (a new one by default)."""
    user = make_user(Role.STATION_STAFF)
    (station or StationFactory()).staff.add(user)
    return user


def set_amenities(
    station: Station, codes: list[str], status: str = AmenityStatus.YES
) -> None:
    StationAmenity.objects.filter(station=station, amenity__code__in=codes).update(
        status=status
    )


def amenity(code: str) -> Amenity:
    return Amenity.objects.get(code=code)


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    client_id = factory.LazyFunction(uuid.uuid4)
    station = factory.SubFactory(StationFactory)
    visited_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(minutes=5))
    channel = VisitChannel.QR
