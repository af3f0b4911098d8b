"""Widgets render a Snapshot; they never call a source."""
