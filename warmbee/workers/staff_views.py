"""Worker files for staff: find a file, open it (sensitive parts with a reason), walk-ins."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from warmbee.accounts.models import Role, User, mask_phone, normalise_phone
from warmbee.core.crypto import decrypt, encrypt
from warmbee.core.errors import DomainError
from warmbee.core.ratelimit import RateLimitedError, check_rate
from warmbee.stations.permissions import serves_at_a_station
from warmbee.workers import access, errors, merging, permissions, selectors, walk_ins
from warmbee.workers.choices import NoticeKind
from warmbee.workers.forms import (
    CodeForm,
    FileSearchForm,
    MergeForm,
    ReasonForm,
    WalkInForm,
    WalkInStartForm,
)
from warmbee.workers.views import (
    current_notice_versions,
    form_error,
    registration_details,
)

FILE_READER_ROLES = {
    Role.PROVINCE_ADMIN,
    Role.COUNTY_ADMIN,
    Role.STATION_STAFF,
    Role.DOCTOR,
}
PAGE_SIZE = 30
PENDING_WALK_IN = "workers_pending_walk_in"


def _file_reader(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not (
        user.is_superuser or user.role in FILE_READER_ROLES
    ):
        raise PermissionDenied
    return user


@login_required
def file_list(request: HttpRequest) -> HttpResponse:
    viewer = _file_reader(request)
    form = FileSearchForm(request.GET or None)
    query = form.cleaned_data["query"] if form.is_valid() else ""
    profiles = permissions.list_visible_profiles(viewer)
    status = 200
    try:
        if query:
            # A full number finds its owner's name: limit how fast anyone can ask.
            check_rate("file-search", str(viewer.pk), limit=60, window_s=3600)
    except RateLimitedError as error:
        status, profiles = form_error(form, error), profiles.none()
    found = selectors.search_profiles(profiles, query).order_by("-registered_at", "-pk")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": query}
    return render(request, "workers/staff_file_list.html", context, status=status)


@never_cache
@login_required
def file_detail(request: HttpRequest, profile_id: int) -> HttpResponse:
    viewer = _file_reader(request)
    form = ReasonForm(request.POST or None)
    status = 200
    view = None
    if request.method == "POST" and form.is_valid():
        try:
            view = access.open_sensitive_file(
                viewer=viewer,
                profile_id=profile_id,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except (errors.SensitiveAccessDeniedError, errors.WorkerFileNotFoundError):
            raise  # answered 403/404 as they are, without reading the file at all
        except DomainError as error:
            status = form_error(form, error)
    elif request.method == "POST":
        status = 400
    if view is None:
        view = access.access_worker_file(
            viewer=viewer, profile_id=profile_id, request=request
        )
    context = {"view": view, "reason_form": form}
    return render(request, "workers/staff_file.html", context, status=status)


def _station_manager(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not serves_at_a_station(user):
        raise PermissionDenied
    return user


@login_required
def walk_in(request: HttpRequest) -> HttpResponse:
    """Step 1: the worker's number, and how they confirm consent."""
    staff = _station_manager(request)
    form = WalkInStartForm(request.POST or None)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        phone, method = form.cleaned_data["phone"], form.cleaned_data["method"]
        try:
            walk_ins.start_walk_in(
                staff=staff,
                phone=phone,
                send_code=method == WalkInStartForm.CODE,
                request=request,
            )
        except DomainError as error:
            status = form_error(form, error)
        else:
            pending = {"phone": encrypt(normalise_phone(phone)), "method": method}
            request.session[PENDING_WALK_IN] = pending
            return redirect("workers:walk_in_details")
    return render(request, "workers/walk_in.html", {"form": form}, status=status)


def _pending_walk_in(request: HttpRequest) -> tuple[str, str] | None:
    pending = request.session.get(PENDING_WALK_IN)
    if not pending:
        return None
    return decrypt(str(pending["phone"])), str(pending["method"])


def _register_walk_in(
    request: HttpRequest, staff: User, form: WalkInForm, phone: str, method: str
) -> None:
    data = form.cleaned_data
    walk_ins.register_walk_in(
        staff=staff,
        phone=phone,
        by_signature=method == WalkInStartForm.SIGNATURE,
        details=registration_details(form),
        general_notice_version=data["general_notice_version"],
        health_notice_version=data["health_notice_version"]
        if data["health_consent"]
        else None,
        code=data["code"],
        signature_data_url=data["signature"],
        request=request,
    )


def _walk_in_context(form: WalkInForm, phone: str, method: str) -> dict[str, object]:
    return {
        "form": form,
        "masked_phone": mask_phone(phone),
        "method": method,
        "general_notice": selectors.get_current_notice(NoticeKind.GENERAL),
        "health_notice": selectors.get_current_notice(NoticeKind.HEALTH),
    }


@login_required
def walk_in_details(request: HttpRequest) -> HttpResponse:
    """Step 2: the paper form's fields, the notice, and the code or the signature."""
    staff = _station_manager(request)
    pending = _pending_walk_in(request)
    if pending is None:
        return redirect("workers:walk_in")
    phone, method = pending
    form = WalkInForm(request.POST or None, initial=current_notice_versions())
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            _register_walk_in(request, staff, form, phone, method)
        except DomainError as error:
            status = form_error(form, error)
        else:
            request.session.pop(PENDING_WALK_IN, None)
            messages.success(request, _("The worker is registered."))
            return redirect("workers:walk_in")
    context = _walk_in_context(form, phone, method)
    return render(request, "workers/walk_in_details.html", context, status=status)


def _file_merger(request: HttpRequest) -> User:
    user = _file_reader(request)
    if not permissions.may_merge_files(user):
        raise PermissionDenied
    return user


@login_required
def duplicates(request: HttpRequest) -> HttpResponse:
    """Files that share an ID number, each pair with a merge form (reason required)."""
    user = _file_merger(request)
    form = MergeForm(request.POST or None)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        keep_id, duplicate_id = form.kept_and_merged()
        try:
            merging.merge_worker_files_by_id(
                actor=user,
                keep_id=keep_id,
                duplicate_id=duplicate_id,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except DomainError as error:
            status = form_error(form, error)
        else:
            messages.success(request, _("The files are merged."))
            return redirect("workers:duplicates")
    groups = merging.list_duplicate_groups(permissions.list_visible_profiles(user))
    context = {"groups": groups, "form": form}
    return render(request, "workers/duplicates.html", context, status=status)


@login_required
@require_POST
def confirm_phone(request: HttpRequest, profile_id: int) -> HttpResponse:
    """Send a code to a signature walk-in's number, or check the code the worker tells."""
    staff = _station_manager(request)
    form = CodeForm(request.POST)
    try:
        if request.POST.get("action") == "send":
            walk_ins.send_confirmation_code(
                staff=staff, profile_id=profile_id, request=request
            )
            messages.success(request, _("A code was sent to the worker's phone."))
        elif form.is_valid():
            walk_ins.confirm_phone(
                staff=staff,
                profile_id=profile_id,
                code=form.cleaned_data["code"],
                request=request,
            )
            messages.success(request, _("The number is confirmed."))
        else:
            messages.error(request, _("Type the code from the worker's phone."))
    except DomainError as error:
        messages.error(request, error.detail)
    return redirect("workers:file_detail", profile_id=profile_id)
