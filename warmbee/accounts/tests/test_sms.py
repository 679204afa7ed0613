import io

import pytest

from warmbee.accounts import sms


def test_default_backend_is_the_console(settings):
    settings.SMS_BACKEND = "warmbee.accounts.sms.ConsoleSmsBackend"
    assert type(sms.get_sms_backend()) is sms.ConsoleSmsBackend


def test_console_backend_writes_the_masked_number_and_message_to_its_stream():
    stream = io.StringIO()
    sms.ConsoleSmsBackend(stream=stream).send("13812345678", "Warm Bee code: 123456.")
    assert stream.getvalue() == "SMS to 138****5678: Warm Bee code: 123456.\n"


def test_console_backend_writes_to_standard_output_by_default(capsys):
    sms.ConsoleSmsBackend().send("13812345678", "hello")
    assert capsys.readouterr().out == "SMS to 138****5678: hello\n"


def test_locmem_backend_keeps_messages_in_the_outbox(settings, monkeypatch):
    monkeypatch.setattr(sms, "outbox", [])
    settings.SMS_BACKEND = "warmbee.accounts.sms.LocmemSmsBackend"
    sms.get_sms_backend().send(
        "13812345678", "text", template="one_time_code", params={"code": "123456"}
    )
    assert sms.outbox == [
        sms.SmsMessage("13812345678", "text", "one_time_code", {"code": "123456"})
    ]


def test_base_backend_must_be_subclassed():
    with pytest.raises(NotImplementedError):
        sms.BaseSmsBackend().send("13812345678", "text")


def test_refuses_a_setting_that_names_something_else(settings):
    settings.SMS_BACKEND = "io.StringIO"
    with pytest.raises(TypeError, match="io.StringIO is not an SMS backend"):
        sms.get_sms_backend()
