"""Host CPU from two samples (issue 28 item 9): the first reading measures over a real span,
never psutil's first 0.0; a busy core shows as busy."""

from __future__ import annotations

import subprocess
import sys

from sutazai_tui.sources.host import MIN_SAMPLE_S, HostSource


def test_the_first_reading_is_measured_and_a_busy_core_counts() -> None:
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        host = HostSource()
        first = host.read().cpu_percent
        assert first is not None and first > 0.0  # one core spinning: never 0.0 on the first reading
        again = host.read().cpu_percent  # at once: it still measures over MIN_SAMPLE_S, not nothing
        assert again is not None and again > 0.0
    finally:
        busy.kill()
        busy.wait()
    assert MIN_SAMPLE_S >= 0.2
