"""Account errors (phone numbers, one-time codes) with messages in the user's language.

``field`` names the form field an error belongs to, so a page can show it in place.
"""

from django.utils.translation import gettext_lazy as _

from warmbee.core.errors import DomainError


class InvalidPhoneError(DomainError):
    code = "invalid_phone"
    field = "phone"
    message = _(
        "Enter an 11-digit mainland China mobile number, for example 13812345678."
    )


class CodeRateLimitedError(DomainError):
    status_code = 429
    code = "code_rate_limited"
    field = "phone"


class CodeRequestedTooSoonError(CodeRateLimitedError):
    code = "code_requested_too_soon"
    message = _(
        "A code was sent to this number less than a minute ago. "
        "Wait %(seconds)s seconds before asking for another one."
    )


class TooManyCodesForPhoneError(CodeRateLimitedError):
    code = "too_many_codes_for_phone"
    message = _(
        "Too many codes were sent to this number in the last hour. "
        "Please try again later."
    )


class TooManyCodesFromAddressError(CodeRateLimitedError):
    code = "too_many_codes_from_address"
    message = _(
        "Too many codes were asked for from this network in the last hour. "
        "Please try again later."
    )


class SmsNotSentError(DomainError):
    status_code = 503
    code = "sms_not_sent"
    field = "phone"
    message = _(
        "The text message could not be sent. Please try again in a few minutes."
    )


class OneTimeCodeError(DomainError):
    code = "one_time_code_invalid"
    field = "code"


class MalformedCodeError(OneTimeCodeError):
    code = "one_time_code_malformed"
    message = _("The code is the 6 digits in the text message.")


class NoCodeSentError(OneTimeCodeError):
    code = "one_time_code_not_sent"
    message = _("No code was sent to this number. Ask for a code first.")


class CodeAlreadyUsedError(OneTimeCodeError):
    code = "one_time_code_used"
    message = _("This code was already used. Ask for a new code.")


class CodeExpiredError(OneTimeCodeError):
    code = "one_time_code_expired"
    message = _(
        "This code has expired (a code lasts %(minutes)s minutes). Ask for a new code."
    )


class TooManyWrongCodesError(OneTimeCodeError):
    status_code = 429
    code = "one_time_code_locked"
    message = _(
        "The code was entered wrongly too many times and no longer works. "
        "Ask for a new code."
    )


class WrongCodeError(OneTimeCodeError):
    code = "one_time_code_wrong"
    message = _("The code is wrong. Tries left for this code: %(remaining)s.")
