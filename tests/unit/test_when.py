"""The one time format (docs/operating.md): HH:MM[:SS], ISO 8601, ages — and the three places that read it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sutazai_tui.actions.audit import parse_since
from sutazai_tui.records.report import ReportError, parse_time
from sutazai_tui.util.when import parse_when

pytestmark = pytest.mark.usefixtures("utc_local_time")  # conftest: local time is UTC

NOW = datetime(2025, 8, 17, 23, 30, tzinfo=UTC)


def test_ages_count_back_from_now() -> None:
    assert parse_when("15m", NOW) == NOW - timedelta(minutes=15)
    assert parse_when("2h", NOW) == NOW - timedelta(hours=2)
    assert parse_when("90s", NOW) == NOW - timedelta(seconds=90)


def test_a_time_of_day_is_today_or_yesterday_when_still_to_come() -> None:
    assert parse_when("23:10", NOW) == datetime(2025, 8, 17, 23, 10, tzinfo=UTC)
    assert parse_when("23:45:30", NOW) == datetime(2025, 8, 16, 23, 45, 30, tzinfo=UTC)


def test_a_time_of_day_falls_inside_a_window_across_midnight() -> None:
    window = (datetime(2025, 8, 17, 23, 50, tzinfo=UTC), datetime(2025, 8, 18, 0, 20, tzinfo=UTC))
    assert parse_when("00:05", window=window) == datetime(2025, 8, 18, 0, 5, tzinfo=UTC)
    assert parse_when("5m", window=window) == datetime(2025, 8, 18, 0, 15, tzinfo=UTC)


def test_iso_times_naive_local_or_utc_and_bad_input_is_one_line() -> None:
    assert parse_when("2025-08-17T10:00+02:00") == datetime(2025, 8, 17, 8, 0, tzinfo=UTC)
    assert parse_when("2025-08-17T10:00", naive_utc=True) == datetime(2025, 8, 17, 10, 0, tzinfo=UTC)
    for bad in ("yesterday-ish", "25:00", "23:10h"):
        with pytest.raises(ValueError, match="HH:MM") as caught:
            parse_when(bad, NOW)
        assert "\n" not in str(caught.value)


def test_audit_and_report_take_the_same_forms() -> None:
    assert parse_since("23:10", NOW) == parse_when("23:10", NOW)
    assert parse_since("15m", NOW) == NOW - timedelta(minutes=15)
    assert parse_time("2025-08-17T23:10", "--since") == datetime(2025, 8, 17, 23, 10, tzinfo=UTC)
    window = (NOW - timedelta(hours=1), NOW)
    assert parse_time("15m", "--until", window) == NOW - timedelta(minutes=15)
    with pytest.raises(ReportError, match="invalid --since 'soon'"):
        parse_time("soon", "--since")
