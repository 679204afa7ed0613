"""Pages to change a worker's number: on their own phone, and by staff at a station."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from warmbee.accounts.models import mask_phone
from warmbee.core.errors import DomainError
from warmbee.workers import errors, number_change
from warmbee.workers.forms import CodeForm, PhoneForm
from warmbee.workers.staff_views import station_manager
from warmbee.workers.views import form_error, require_worker, worker_login_required

NEW_NUMBER = "workers_new_number"  # session key: the number a code was sent to


@worker_login_required
def change_my_number(request: HttpRequest) -> HttpResponse:
    """Step 1 texts a code to the new number; step 2 takes the code and switches."""
    worker = require_worker(request)
    pending: str | None = request.session.get(NEW_NUMBER)
    phone_form = PhoneForm(request.POST if "send" in request.POST else None)
    code_form = CodeForm(request.POST if "confirm" in request.POST else None)
    phone_field = phone_form.fields["phone"]
    phone_field.label = _("New mobile number")
    if pending:  # the code is what to type next
        phone_field.widget.attrs.pop("autofocus", None)
    status = 400 if request.method == "POST" else 200
    if phone_form.is_bound and phone_form.is_valid():
        try:
            pending = number_change.send_new_number_code(
                worker=worker,
                new_phone=phone_form.cleaned_data["phone"],
                request=request,
            )
        except DomainError as error:
            status = form_error(phone_form, error)
        else:
            request.session[NEW_NUMBER] = pending
            messages.success(request, _("A code was sent to the new number."))
            return redirect("workers:change_number")
    elif code_form.is_bound and not pending:
        messages.error(request, errors.NoNewNumberError().detail)
    elif pending and code_form.is_bound and code_form.is_valid():
        try:
            user = number_change.change_own_number(
                worker=worker,
                new_phone=pending,
                code=code_form.cleaned_data["code"],
                request=request,
            )
        except DomainError as error:
            status = form_error(code_form, error)
        else:
            update_session_auth_hash(request, user)  # this phone stays logged in
            request.session.pop(NEW_NUMBER, None)
            messages.success(request, _("Your number is changed."))
            return redirect("workers:my_file")
    context = {
        "phone_form": phone_form,
        "code_form": code_form,
        "pending": mask_phone(pending) if pending else None,
        "current": worker.masked_phone,
    }
    return render(request, "workers/change_number.html", context, status=status)


@login_required
@require_POST
def change_number_at_station(request: HttpRequest, profile_id: int) -> HttpResponse:
    """Staff give a file a new number, to be confirmed with a code while the worker is
    at the station."""
    staff = station_manager(request)
    form = PhoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Type the worker's new number."))
    else:
        try:
            number_change.change_number_at_station(
                staff=staff,
                profile_id=profile_id,
                new_phone=form.cleaned_data["phone"],
                request=request,
            )
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(
                request,
                _("The number is changed. Send a code to it to confirm it now."),
            )
    return redirect("workers:file_detail", profile_id=profile_id)
