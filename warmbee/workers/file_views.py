"""A worker's own file: the timeline, and the rights to export, correct and delete it."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from warmbee.core.errors import DomainError
from warmbee.workers import rights, selectors
from warmbee.workers.forms import CorrectionForm, DeletionForm
from warmbee.workers.models import WorkerProfile
from warmbee.workers.timeline import OWNER_SCOPE, list_timeline
from warmbee.workers.views import form_error, require_worker, worker_login_required


@never_cache
@worker_login_required
def my_file(request: HttpRequest) -> HttpResponse:
    profile = selectors.get_worker_profile(require_worker(request))
    context = {"profile": profile, "timeline": list_timeline(profile, OWNER_SCOPE)}
    return render(request, "workers/my_file.html", context)


def _correction(form: CorrectionForm) -> rights.DetailCorrection:
    data = form.cleaned_data
    return rights.DetailCorrection(
        name=data["name"],
        occupation=data["occupation"],
        platform=data["platform"],
        vehicle=data["vehicle"],
        work_communities=list(data["work_communities"]),
        emergency_contact_name=data["emergency_contact_name"],
        emergency_contact_phone=data["emergency_contact_phone"],
        id_number=data["id_number"],
    )


def _current_details(profile: WorkerProfile) -> dict[str, object]:
    fields = CorrectionForm.base_fields
    initial = {
        name: getattr(profile, name) for name in fields if name != "work_communities"
    }
    return {**initial, "work_communities": list(profile.work_communities.all())}


@worker_login_required
def correct_details(request: HttpRequest) -> HttpResponse:
    worker = require_worker(request)
    profile = selectors.get_worker_profile(worker)
    form = CorrectionForm(request.POST or None, initial=_current_details(profile))
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            rights.correct_my_details(
                worker=worker, correction=_correction(form), request=request
            )
        except DomainError as error:
            status = form_error(form, error)
        else:
            messages.success(request, _("Your details are saved."))
            return redirect("workers:my_file")
    return render(request, "workers/correct.html", {"form": form}, status=status)


@never_cache
@worker_login_required
def export_page(request: HttpRequest) -> HttpResponse:
    data = rights.open_my_data(worker=require_worker(request), request=request)
    return render(request, "workers/export.html", {"data": data})


@never_cache
@worker_login_required
def export_json(request: HttpRequest) -> HttpResponse:
    document = rights.export_my_data(worker=require_worker(request), request=request)
    body = json.dumps(document, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"warmbee-my-data-{timezone.localdate():%Y%m%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@worker_login_required
def delete_account(request: HttpRequest) -> HttpResponse:
    worker = require_worker(request)
    form = DeletionForm(request.POST or None)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            rights.delete_my_account(
                worker=worker,
                confirmation=form.cleaned_data["confirmation"],
                request=request,
            )
        except DomainError as error:
            status = form_error(form, error)
        else:
            logout(request)
            messages.success(
                request, _("Your account is deleted and your file erased.")
            )
            return redirect("stations:home")
    context = {"form": form, "word": rights.deletion_confirmation_word()}
    return render(request, "workers/delete.html", context, status=status)
