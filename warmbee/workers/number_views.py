"""The page where a worker changes their mobile number on their own phone."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from warmbee.accounts.models import mask_phone
from warmbee.core.errors import DomainError
from warmbee.workers import errors, number_change
from warmbee.workers.forms import NumberChangeCodesForm, PhoneForm
from warmbee.workers.views import form_error, require_worker, worker_login_required

NEW_NUMBER = "workers_new_number"  # session key: the number the codes were sent for


@worker_login_required
def change_my_number(request: HttpRequest) -> HttpResponse:
    """Step 1 texts a code to the new and to the current number; step 2 takes both."""
    worker = require_worker(request)
    pending: str | None = request.session.get(NEW_NUMBER)
    phone_form = PhoneForm(
        request.POST if "send" in request.POST else None,
        initial={"phone": pending or ""},
    )
    codes_form = NumberChangeCodesForm(
        request.POST if "confirm" in request.POST else None
    )
    phone_field = phone_form.fields["phone"]
    phone_field.label = _("New mobile number")
    if pending:  # the codes are what to type next
        phone_field.widget.attrs.pop("autofocus", None)
    status = 400 if request.method == "POST" else 200
    if phone_form.is_bound and phone_form.is_valid():
        try:
            pending = number_change.send_number_change_codes(
                worker=worker,
                new_phone=phone_form.cleaned_data["phone"],
                request=request,
            )
        except DomainError as error:
            status = form_error(phone_form, error)
        else:
            request.session[NEW_NUMBER] = pending
            messages.success(request, _("Codes were sent to both numbers."))
            return redirect("workers:change_number")
    elif codes_form.is_bound and not pending:
        messages.error(request, errors.NoNewNumberError().detail)
    elif pending and codes_form.is_bound and codes_form.is_valid():
        try:
            user = number_change.change_own_number(
                worker=worker,
                new_phone=pending,
                new_code=codes_form.cleaned_data["new_code"],
                current_code=codes_form.cleaned_data["current_code"],
                request=request,
            )
        except DomainError as error:
            status = form_error(codes_form, error)
        else:
            update_session_auth_hash(request, user)  # this phone stays logged in
            request.session.pop(NEW_NUMBER, None)
            messages.success(request, _("Your number is changed."))
            return redirect("workers:my_file")
    context = {
        "phone_form": phone_form,
        "codes_form": codes_form,
        "pending": mask_phone(pending) if pending else None,
        "current": worker.masked_phone,
    }
    return render(request, "workers/change_number.html", context, status=status)
