"""Phone numbers never reach a log."""

import logging

from core.logging import mask_phone, mask_phones


def test_mask_phones_hides_every_phone_shape():
    for phone in (
        "+8801712345678",
        "01712-345678",
        "01712 345 678",
        "+880 1712 345678",
        "০১৭১২৩৪৫৬৭৮",
    ):
        masked = mask_phones(f"sending to {phone} now")
        assert "345" not in masked and "৩৪৫" not in masked, masked


def test_mask_phones_leaves_small_numbers_alone():
    assert mask_phones("referral 42 at 2026-12-02 11:00, 3 sent") == (
        "referral 42 at 2026-12-02 11:00, 3 sent"
    )


def test_masked_display_keeps_only_country_and_last_digits():
    assert mask_phone("+8801712345678") == "+880•••••••678"


def test_every_logger_masks_numbers(app, caplog):
    caplog.set_level(logging.DEBUG)
    logging.getLogger("anything.at.all").info("to %s", "+8801712345678")
    logging.getLogger("twilio.http_client").warning("To=+8801712345678")
    app.logger.error("number 01712-345678 failed")
    text = caplog.text
    assert "1712345678" not in text and "345678" not in text
    assert "***78" in text


def test_twilio_client_logger_is_held_at_warning(app):
    assert logging.getLogger("twilio.http_client").getEffectiveLevel() >= logging.WARNING
