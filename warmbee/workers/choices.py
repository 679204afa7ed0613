"""Fixed lists of the worker file: occupations, platforms, vehicles, notices, consents."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Occupation(models.TextChoices):
    DELIVERY_RIDER = "delivery_rider", _("delivery rider")
    COURIER = "courier", _("courier")
    SANITATION_WORKER = "sanitation_worker", _("sanitation worker")
    RIDE_HAILING_DRIVER = "ride_hailing_driver", _("ride-hailing driver")
    TRUCK_DRIVER = "truck_driver", _("truck driver")
    OTHER = "other", pgettext_lazy("occupation", "other")


class Platform(models.TextChoices):
    """The platform or employer a worker mostly works for."""

    MEITUAN = "meituan", _("Meituan")
    ELEME = "eleme", _("Ele.me")
    SF_EXPRESS = "sf_express", _("SF Express")
    JD = "jd", _("JD")
    ZTO = "zto", _("ZTO Express")
    YTO = "yto", _("YTO Express")
    STO = "sto", _("STO Express")
    YUNDA = "yunda", _("Yunda Express")
    DIDI = "didi", _("Didi")
    SANITATION_COMPANY = "sanitation_company", _("sanitation company")
    OTHER = "other", pgettext_lazy("platform", "other")


class Vehicle(models.TextChoices):
    EBIKE = "ebike", _("e-bike")
    MOTORCYCLE = "motorcycle", _("motorcycle")
    TRICYCLE = "tricycle", _("tricycle")
    CAR = "car", _("car")
    TRUCK = "truck", _("truck")
    BICYCLE = "bicycle", _("bicycle")
    ON_FOOT = "on_foot", _("on foot")
    OTHER = "other", pgettext_lazy("vehicle", "other")


class NoticeKind(models.TextChoices):
    GENERAL = "general", _("privacy notice")
    HEALTH = "health", _("health data notice")
    LOCATION = "location", _("where you came from, for planning")


class ConsentChannel(models.TextChoices):
    PHONE = "phone", _("on the worker's own phone")
    STAFF_SIGNATURE = "staff_signature", _("signature taken by station staff")
    STAFF_CONFIRMED_ON_WORKER_PHONE = (
        "staff_confirmed_on_worker_phone",
        _("confirmed on the worker's phone at a station"),
    )


class CodePurpose(models.TextChoices):
    REGISTER = "register", _("registration")
    WALK_IN = "walk_in", _("registration or confirmation at a station")
    LOGIN = "login", _("log-in")
    NEW_NUMBER = "new_number", _("change of number")
