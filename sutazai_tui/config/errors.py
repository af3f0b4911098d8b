"""The one error a setting raises: light on purpose, so the command line can catch it unloaded."""


class ConfigError(Exception):
    """A setting is wrong; the message is one line an operator can act on."""
