"""Station domain errors with messages in the user's language."""

from django.utils.translation import gettext_lazy as _

from warmbee.core.errors import DomainError, NotFoundError, PermissionDeniedError


class StationNotFoundError(NotFoundError):
    code = "station_not_found"
    message = _("There is no such station.")


class UnknownAmenityError(DomainError):
    code = "unknown_amenity"
    message = _("Unknown amenity: %(codes)s.")


class PositionOutsideChinaError(DomainError):
    code = "position_outside_china"
    message = _("The position must be inside China (WGS-84 latitude and longitude).")


class InvalidOpeningHoursError(DomainError):
    code = "invalid_opening_hours"
    message = _(
        "The opening hours “%(value)s” are not in OpenStreetMap opening_hours syntax, "
        "for example “Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH off”."
    )


class StationClosedError(DomainError):
    code = "station_closed"
    status_code = 409
    message = _("%(station)s is closed at this time, so you cannot check in there.")


class NotStationStaffError(PermissionDeniedError):
    code = "not_station_staff"
    message = _(
        "Only this station's staff and its county's administrators can do this."
    )


class InvalidClosureError(DomainError):
    code = "invalid_closure"
    message = _("Give a reason and a time in the future.")


class NoRoadNetworkError(NotFoundError):
    code = "no_road_network"
    message = _(
        "This station's travel-time area needs a road network, and none is loaded for "
        "where it is."
    )


class StationOffNetworkError(NotFoundError):
    code = "station_off_network"
    message = _(
        "This station is %(metres)s m from the nearest road of the road network (more "
        "than %(limit)s m), so it has no travel-time area on it."
    )


class RoadNetworkUnavailableError(DomainError):
    code = "road_network_unavailable"
    status_code = 503
    message = _("The road network cannot be read right now. Please try again later.")
