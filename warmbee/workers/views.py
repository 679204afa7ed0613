"""Worker pages: register and log in with a code, privacy notices, consents, QR card."""

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from warmbee.accounts.models import Role, User, normalise_phone
from warmbee.core.clients import client_address
from warmbee.core.crypto import decrypt, encrypt
from warmbee.core.errors import DomainError
from warmbee.stations.permissions import list_manageable_stations, serves_at_a_station
from warmbee.visits.forms import CardCheckInForm, service_choices
from warmbee.visits.services import record_card_check_in
from warmbee.workers import selectors, services
from warmbee.workers.cards import card_qr_data_uri
from warmbee.workers.choices import CodePurpose, NoticeKind
from warmbee.workers.forms import CodeForm, ConsentForm, PhoneForm, RegistrationForm

PENDING_PHONE = "workers_pending_phone"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
worker_login_required = login_required(login_url="workers:login")


def form_error(form: forms.Form, error: DomainError) -> int:
    """Show ``error`` on its field (or above the form); return the response status."""
    field = getattr(error, "field", None)
    form.add_error(field if field in form.fields else None, error.detail)
    return error.status_code


def require_worker(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or user.role != Role.WORKER:
        raise PermissionDenied
    return user


def _away_if_logged_in(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return None
    worker = getattr(request.user, "role", None) == Role.WORKER
    return redirect("workers:card" if worker else "staff:dashboard")


def _pending_phone(request: HttpRequest, purpose: CodePurpose) -> str | None:
    pending = request.session.get(PENDING_PHONE) or {}
    if pending.get("purpose") != purpose:
        return None
    return decrypt(str(pending["phone"]))


def _ask_for_code(request: HttpRequest, purpose: CodePurpose) -> HttpResponse:
    form = PhoneForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        send = (
            services.request_registration_code
            if purpose == CodePurpose.REGISTER
            else services.request_login_code
        )
        phone = form.cleaned_data["phone"]
        try:
            send(phone=phone, ip_address=client_address(request))
        except DomainError as error:
            status = form_error(form, error)
        else:
            # Sessions live in the database: the number goes there encrypted too.
            pending = {"phone": encrypt(normalise_phone(phone)), "purpose": purpose}
            request.session[PENDING_PHONE] = pending
            messages.success(request, _("We sent a 6-digit code to your phone."))
            step_two = (
                "register_details" if purpose == CodePurpose.REGISTER else "login_code"
            )
            return redirect(f"workers:{step_two}")
    elif request.method == "POST":
        status = 400
    context = {"form": form, "purpose": purpose}
    return render(request, "workers/phone.html", context, status=status)


def register(request: HttpRequest) -> HttpResponse:
    return _away_if_logged_in(request) or _ask_for_code(request, CodePurpose.REGISTER)


def log_in(request: HttpRequest) -> HttpResponse:
    return _away_if_logged_in(request) or _ask_for_code(request, CodePurpose.LOGIN)


def registration_details(form: RegistrationForm) -> services.WorkerDetails:
    data = form.cleaned_data
    return services.WorkerDetails(
        name=data["name"],
        occupation=data["occupation"],
        platform=data["platform"],
        vehicle=data["vehicle"],
        work_communities=list(data["work_communities"]),
        emergency_contact_name=data["emergency_contact_name"],
        emergency_contact_phone=data["emergency_contact_phone"],
        id_number=data["id_number"],
    )


def _registration_context(form: RegistrationForm, phone: str) -> dict[str, Any]:
    return {
        "form": form,
        "phone": phone,
        "general_notice": selectors.get_current_notice(NoticeKind.GENERAL),
        "health_notice": selectors.get_current_notice(NoticeKind.HEALTH),
        "location_notice": selectors.get_current_notice(NoticeKind.LOCATION),
        "purpose": CodePurpose.REGISTER,
    }


def current_notice_versions() -> dict[str, int]:
    """Return the versions a registration form's consent boxes agree to."""
    return {
        "general_notice_version": selectors.get_current_notice(
            NoticeKind.GENERAL
        ).version,
        "health_notice_version": selectors.get_current_notice(
            NoticeKind.HEALTH
        ).version,
        "location_notice_version": selectors.get_current_notice(
            NoticeKind.LOCATION
        ).version,
    }


def register_details(request: HttpRequest) -> HttpResponse:
    phone = _pending_phone(request, CodePurpose.REGISTER)
    if request.user.is_authenticated or phone is None:
        return redirect("workers:register")
    form = RegistrationForm(request.POST or None, initial=current_notice_versions())
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            profile = services.register_worker(
                phone=phone,
                code=data["code"],
                details=registration_details(form),
                general_notice_version=data["general_notice_version"],
                health_notice_version=data["health_notice_version"]
                if data["health_consent"]
                else None,
                location_notice_version=data["location_notice_version"]
                if data["location_consent"]
                else None,
                request=request,
            )
        except DomainError as error:
            status = form_error(form, error)
        else:
            login(request, profile.user, backend=MODEL_BACKEND)
            request.session.pop(PENDING_PHONE, None)
            messages.success(request, _("Welcome! This is your personal card."))
            return redirect("workers:card")
    return render(
        request,
        "workers/register.html",
        _registration_context(form, phone),
        status=status,
    )


def login_code(request: HttpRequest) -> HttpResponse:
    phone = _pending_phone(request, CodePurpose.LOGIN)
    if request.user.is_authenticated or phone is None:
        return redirect("workers:login")
    form = CodeForm(request.POST or None)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.check_login_code(
                phone=phone, code=form.cleaned_data["code"], request=request
            )
        except DomainError as error:
            status = form_error(form, error)
        else:
            login(request, user, backend=MODEL_BACKEND)
            request.session.pop(PENDING_PHONE, None)
            return redirect("workers:card")
    context = {"form": form, "phone": phone, "purpose": CodePurpose.LOGIN}
    return render(request, "workers/login_code.html", context, status=status)


def privacy(request: HttpRequest) -> HttpResponse:
    context = {
        "notices": [selectors.find_current_notice(kind) for kind in NoticeKind],
    }
    return render(request, "workers/privacy.html", context)


@worker_login_required
def my_consents(request: HttpRequest) -> HttpResponse:
    worker = require_worker(request)
    context = {
        "states": selectors.summarise_consents(worker),
        "history": selectors.list_consents(worker),
    }
    return render(request, "workers/consents.html", context)


@worker_login_required
@require_POST
def change_consent(request: HttpRequest, action: str) -> HttpResponse:
    worker = require_worker(request)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The request could not be read. Please try again."))
        return redirect("workers:consents")
    kind = NoticeKind(form.cleaned_data["kind"])
    try:
        if action == "withdraw":
            services.withdraw_consent(worker=worker, kind=kind, request=request)
            messages.success(request, _("Your consent is withdrawn."))
        else:
            services.grant_consent(
                worker=worker,
                kind=kind,
                notice_version=form.cleaned_data["notice_version"] or 0,
                request=request,
            )
            messages.success(request, _("Thank you, your consent is recorded."))
    except DomainError as error:
        messages.error(request, error.detail)
    return redirect("workers:consents")


@worker_login_required
def card(request: HttpRequest) -> HttpResponse:
    worker = require_worker(request)
    profile = selectors.get_worker_profile(worker)
    if not selectors.has_consent(worker, NoticeKind.GENERAL):
        return render(request, "workers/card_blocked.html", status=403)
    context = {"profile": profile, "qr_data_uri": card_qr_data_uri(profile)}
    return render(request, "workers/card.html", context)


@login_required
def staff_card(request: HttpRequest, card_code: str) -> HttpResponse:
    """The page a scanned card opens: who it is, and one tap to check them in."""
    user = request.user
    if not isinstance(user, User) or not serves_at_a_station(user):
        raise PermissionDenied
    profile = selectors.get_profile_by_card_code(card_code)
    form = CardCheckInForm(
        request.POST or None,
        initial={"client_id": uuid.uuid4()},
        stations=list_manageable_stations(user).order_by("name"),
    )
    form.fields["services"].choices = service_choices()  # type: ignore[attr-defined]  # MultipleChoiceField
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outcome = record_card_check_in(
                actor=user,
                client_id=data["client_id"],
                station=data["station"],
                worker=profile.user,
                service_codes=data["services"],
                request=request,
            )
        except DomainError as error:
            status = form_error(form, error)
        else:
            station = outcome.visit.station.name
            messages.success(
                request, _("Checked in at %(station)s.") % {"station": station}
            )
            return redirect("workers:staff_card", card_code=card_code)
    context = {"profile": profile, "form": form}
    return render(request, "workers/staff_card.html", context, status=status)
