"""What the container engine says: the client, list/inspect/stats, cgroup files, logs, compose labels.

Independent of `sources.backend` (an import-linter contract keeps it so).
"""
