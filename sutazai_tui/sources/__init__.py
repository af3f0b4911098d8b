"""Where snapshots come from: HTTP endpoints, the container engine, the host. No textual here."""
