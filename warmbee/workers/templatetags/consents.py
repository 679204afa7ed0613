"""Template filters about a visitor's consents, for pages outside the worker file."""

from django import template
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from warmbee.workers.choices import NoticeKind
from warmbee.workers.selectors import has_consent

register = template.Library()


@register.filter
def notes_checkin_origin(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Return whether the pages may keep the finder's position for the next check-in."""
    return has_consent(user, NoticeKind.LOCATION)
