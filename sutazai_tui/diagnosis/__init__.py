"""Root-cause detectors, one function per finding id; `sutazai_tui.diagnosis.run` runs them all.

Pure functions over snapshots (no I/O, no `textual`), so live, replay and `check` agree.
"""
