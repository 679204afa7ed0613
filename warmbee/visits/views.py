"""Check-in pages: the page a poster's QR code opens, and staff recording walk-ins."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from warmbee.accounts.models import User
from warmbee.core.clients import client_address
from warmbee.core.errors import DomainError
from warmbee.core.ratelimit import check_rate
from warmbee.stations.selectors import (
    get_station,
    get_station_by_checkin_code,
)
from warmbee.visits.forms import CheckInForm, WalkInForm, service_choices
from warmbee.visits.services import check_in, record_walk_ins


def checkin(request: HttpRequest, code: str) -> HttpResponse:
    station = get_station_by_checkin_code(code)
    form = CheckInForm(request.POST or None, initial={"client_id": uuid.uuid4()})
    form.fields["services"].choices = service_choices()  # type: ignore[attr-defined]  # MultipleChoiceField
    outcome, error = None, None
    if request.method == "POST" and form.is_valid():
        visitor = request.user if isinstance(request.user, User) else None
        try:
            # Same limit as the check-in API: anonymous check-ins must not be inflated.
            check_rate("checkins", client_address(request), limit=60, window_s=60)
            outcome = check_in(
                client_id=form.cleaned_data["client_id"],
                station=station,
                visited_at=form.cleaned_data["visited_at"] or timezone.now(),
                service_codes=form.cleaned_data["services"],
                visitor=visitor,
            )
        except DomainError as domain_error:
            error = domain_error.detail
    elif request.method == "POST":
        error = _("The check-in could not be read. Please try again.")
    status = 400 if error else 200
    context = {"station": station, "form": form, "outcome": outcome, "error": error}
    return render(request, "visits/checkin.html", context, status=status)


@login_required
@require_POST
def walk_in(request: HttpRequest, station_id: int) -> HttpResponse:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    station = get_station(station_id)
    form = WalkInForm(request.POST)
    form.fields["services"].choices = service_choices()  # type: ignore[attr-defined]  # MultipleChoiceField
    if not form.is_valid():
        messages.error(request, _("The visit could not be recorded. Check the form."))
        return redirect("staff:station", station_id=station.pk)
    try:
        record_walk_ins(
            actor=user,
            batch_id=form.cleaned_data["client_id"],
            station=station,
            visitor_count=form.cleaned_data["count"],
            service_codes=form.cleaned_data["services"],
            request=request,
        )
    except DomainError as error:
        if error.status_code == 403:
            raise PermissionDenied from error
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Visit recorded."))
    return redirect("staff:station", station_id=station.pk)
