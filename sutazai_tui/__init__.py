"""sutazai-tui: a terminal monitor for the SutazAI backend and its containers."""

__version__ = "0.1.0"
