"""What outlives a session: recordings, their replayer, snapshot bundles, incident reports."""
