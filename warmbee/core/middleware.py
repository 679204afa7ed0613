"""Turn domain errors that escape a page view into Django's 404 and 403 pages."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation

from warmbee.core.errors import NotFoundError, PermissionDeniedError


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, NotFoundError):
            raise Http404(exception.detail) from exception
        if isinstance(exception, PermissionDeniedError):
            raise PermissionDenied(exception.detail) from exception


class ApiLanguageMiddleware:
    """Let API callers choose the language of messages with Accept-Language.

    Pages carry their language in the URL (/ or /en/); the API has no prefix, so Django's
    LocaleMiddleware would always answer it in the default language (Chinese).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
