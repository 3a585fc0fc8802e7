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


def test_mask_phones_leaves_timestamps_whole():
    """APScheduler's "(scheduled at 2026-12-04 09:46:14.123409+00:00)" once read 09:46:***09."""
    for line in (
        'Running job "tick" (scheduled at 2026-12-04 09:46:14.123409+00:00)',
        "2026-12-04 09:46:14,123 INFO werkzeug 127.0.0.1 - - [04/Dec/2026 09:46:14] GET / 200",
        "next run at: 2026-12-04T09:46:19.000001+06:00",
        "২০২৬-১২-০৪ ০৯:৪৬:১৪.১২৩৪০৯",
        "took 1712345678.25 ms",
        " * Debugger PIN: 123-456-789",
    ):
        assert mask_phones(line) == line


def test_mask_phones_still_masks_a_phone_next_to_a_time_or_punctuation():
    assert mask_phones("09:46 to +8801712345678: failed") == "09:46 to ***78: failed"
    assert mask_phones("2026-12-04 01712345678.") == "2026-12-04 ***78."
    assert mask_phones("To:+8801712345678, From=%2B8801812345699") == "To:***78, From=***99"


def test_scheduler_routine_lines_are_debug(app, caplog):
    """`make run`'s console: APScheduler's per-run lines go at DEBUG, its warnings stay."""
    from core.logging import quiet_scheduler_routine

    quiet_scheduler_routine()
    executor = logging.getLogger("apscheduler.executors.default")
    caplog.set_level(logging.INFO)
    executor.info('Running job "%s" (scheduled at %s)', "tick", "2026-12-04 09:46:14+00:00")
    executor.info('Job "%s" executed successfully', "tick")
    logging.getLogger("apscheduler.scheduler").info('Added job "%s" to job store "%s"', "t", "d")
    logging.getLogger("apscheduler.scheduler").info("Adding job tentatively -- it will be ...")
    executor.warning('Run time of job "%s" was missed by %s', "tick", "0:00:07")
    assert [r.getMessage()[:20] for r in caplog.records] == ['Run time of job "tic']
    caplog.clear()
    caplog.set_level(logging.DEBUG)
    executor.info('Job "%s" executed successfully', "tick")
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("DEBUG", 'Job "tick" executed successfully')
    ]
