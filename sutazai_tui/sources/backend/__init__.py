"""What the backend says over HTTP: the client, the wire under it, judging answers, the release lines.

Independent of `sources.engine` (an import-linter contract keeps it so).
"""
