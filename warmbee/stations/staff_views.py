"""Station staff pages: my stations, two-tap amenity status, closures, corrections, posters."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from warmbee.accounts.models import User
from warmbee.core.errors import DomainError
from warmbee.stations import selectors, services
from warmbee.stations.choices import AmenityStatus
from warmbee.stations.errors import InvalidClosureError
from warmbee.stations.forms import AmenityStatusForm, ClosureForm, FlagReviewForm
from warmbee.stations.models import AmenityFlag, Station
from warmbee.stations.permissions import is_station_manager, list_manageable_stations
from warmbee.stations.posters import render_poster
from warmbee.visits.selectors import list_station_visits


def _manager(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not is_station_manager(user):
        raise PermissionDenied
    return user


def _managed_station(request: HttpRequest, station_id: int) -> tuple[User, Station]:
    user = _manager(request)
    stations = selectors.list_stations_with_amenities(list_manageable_stations(user))
    return user, get_object_or_404(stations, pk=station_id)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    stations = list_manageable_stations(user).order_by("name")
    context = {
        "stations": stations,
        "flags": selectors.list_open_amenity_flags(stations)[:50],
    }
    return render(request, "stations/staff/dashboard.html", context)


@login_required
def manage_station(request: HttpRequest, station_id: int) -> HttpResponse:
    _user, station = _managed_station(request, station_id)
    context = {
        "station": station,
        "state": selectors.station_state_at(station, timezone.now()),
        "statuses": AmenityStatus.choices,
        "closure_form": ClosureForm(),
        "recent_visits": list_station_visits(station.pk)[:20],
        "walk_in_id": uuid.uuid4(),
    }
    return render(request, "stations/staff/manage_station.html", context)


@login_required
@require_POST
def set_amenity_status(
    request: HttpRequest, station_id: int, amenity_code: str
) -> HttpResponse:
    user, station = _managed_station(request, station_id)
    form = AmenityStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the statuses."))
    else:
        try:
            services.set_amenity_status(
                actor=user,
                station=station,
                amenity_code=amenity_code,
                status=form.cleaned_data["status"],
                request=request,
            )
            messages.success(request, _("Saved."))
        except DomainError as error:
            messages.error(request, error.detail)
    return redirect("staff:station", station_id=station.pk)


@login_required
@require_POST
def set_closure(request: HttpRequest, station_id: int) -> HttpResponse:
    user, station = _managed_station(request, station_id)
    if request.POST.get("reopen"):
        services.reopen_station(actor=user, station=station, request=request)
        messages.success(request, _("The station is open again."))
        return redirect("staff:station", station_id=station.pk)
    form = ClosureForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidClosureError()
        services.close_station_temporarily(
            actor=user,
            station=station,
            until=form.cleaned_data["closed_until"],
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("The station is marked as temporarily closed."))
    return redirect("staff:station", station_id=station.pk)


@login_required
@require_POST
def review_flag(request: HttpRequest, flag_id: int) -> HttpResponse:
    user = _manager(request)
    flag = get_object_or_404(
        AmenityFlag.objects.select_related("station", "amenity"),
        pk=flag_id,
        station__in=list_manageable_stations(user),
    )
    form = FlagReviewForm(request.POST)
    form.is_valid()
    services.review_amenity_flag(
        actor=user,
        flag=flag,
        accept=form.cleaned_data.get("accept", False),
        request=request,
    )
    messages.success(request, _("Correction reviewed."))
    return redirect("staff:dashboard")


@login_required
def poster(request: HttpRequest, station_id: int) -> HttpResponse:
    _user, station = _managed_station(request, station_id)
    if not station.is_active:
        raise Http404
    response = HttpResponse(render_poster(station), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="warmbee-poster-{station.pk}.pdf"'
    )
    return response
