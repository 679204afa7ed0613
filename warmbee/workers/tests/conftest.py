import pytest

from warmbee.accounts import sms


@pytest.fixture(autouse=True)
def outbox(settings):
    """Text messages go to a list instead of the console."""
    settings.SMS_BACKEND = "warmbee.accounts.sms.LocmemSmsBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()
