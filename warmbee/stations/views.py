"""Worker-facing pages: home with preset buttons, finder results, station page, corrections."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from warmbee.accounts.models import User
from warmbee.core.clients import client_address
from warmbee.core.errors import DomainError
from warmbee.core.ratelimit import check_rate
from warmbee.regions.selectors import list_communities
from warmbee.stations import selectors, services
from warmbee.stations.choices import TravelMode
from warmbee.stations.finder import (
    FinderAnswer,
    FinderQuery,
    find_nearest_stations,
    travel_time_note,
)
from warmbee.stations.forms import AmenityFlagForm, FinderForm
from warmbee.stations.navigation import navigation_links
from warmbee.stations.presets import PRESETS


def _finder_form(request: HttpRequest) -> FinderForm:
    choices = [(amenity.code, amenity.name) for amenity in selectors.list_amenities()]
    return FinderForm(request.GET or None, amenity_choices=choices)


def home(request: HttpRequest) -> HttpResponse:
    context = {
        "presets": PRESETS,
        "communities": list_communities(),
        "form": _finder_form(request),
    }
    return render(request, "stations/home.html", context)


def find(request: HttpRequest) -> HttpResponse:
    form = _finder_form(request)
    answer, error = None, None
    if form.is_valid():
        data = form.cleaned_data
        try:
            lat_deg, lon_deg = selectors.resolve_position(
                data["lat"], data["lon"], data["community"]
            )
            answer = find_nearest_stations(
                FinderQuery(
                    lat_deg=lat_deg,
                    lon_deg=lon_deg,
                    mode=TravelMode(data["mode"] or TravelMode.EBIKE),
                    amenity_codes=tuple(data["amenity"]),
                    at=timezone.now(),
                    limit=5,
                    open_only=not data["include_closed"],
                )
            )
        except DomainError as domain_error:
            error = domain_error.detail
    status = 200 if answer is not None else 400
    context = {
        "form": form,
        "answer": answer,
        "error": error,
        "travel_note": travel_time_note(answer) if answer is not None else "",
        "presets": PRESETS,
        "communities": list_communities(),
        "map_points": map_points(answer),
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
    return render(request, "stations/find.html", context, status=status)


def map_points(answer: FinderAnswer | None) -> dict[str, object]:
    """Return what the results map draws: the searcher and each station."""
    if answer is None:
        return {}
    return {
        "origin": [answer.query.lat_deg, answer.query.lon_deg],
        "stations": [
            {
                "name": result.station.name,
                "lat": result.station.lat_deg,
                "lon": result.station.lon_deg,
                "url": reverse("stations:detail", args=[result.station.pk]),
                "open": result.state_on_arrival.is_open,
            }
            for result in answer.results
        ],
    }


def station_detail(request: HttpRequest, station_id: int) -> HttpResponse:
    station = selectors.get_station(station_id)
    now = timezone.now()
    context = {
        "station": station,
        "state": selectors.station_state_at(station, now),
        "now": now,
        "navigation": navigation_links(station),
        "flag_form": AmenityFlagForm(),
        "area_network": selectors.find_station_network(station),
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
    return render(request, "stations/station_detail.html", context)


@require_POST
def flag_amenity(request: HttpRequest, station_id: int) -> HttpResponse:
    station = selectors.get_station(station_id)
    form = AmenityFlagForm(request.POST)
    if form.is_valid():
        try:
            # Anyone may flag without logging in, so flags are limited per address.
            check_rate(
                "amenity-flags", client_address(request), limit=20, window_s=3600
            )
            services.flag_amenity(
                station=station,
                amenity_code=form.cleaned_data["amenity"],
                suggested_status=form.cleaned_data["suggested_status"],
                note=form.cleaned_data["note"],
                actor=request.user if isinstance(request.user, User) else None,
                request=request,
            )
            messages.success(request, _("Thank you. The station staff will check it."))
        except DomainError as error:
            messages.error(request, error.detail)
    else:
        messages.error(request, _("Please choose what you found."))
    return redirect("stations:detail", station_id=station.pk)
