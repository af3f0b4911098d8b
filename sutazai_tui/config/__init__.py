"""Settings: flags > env > TOML > defaults, and `[[targets]]`."""
