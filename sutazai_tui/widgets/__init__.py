"""The TUI's widgets, one a file; each renders part of a Snapshot and never calls a source."""
