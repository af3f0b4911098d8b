"""Leaves every layer may use: formatting, redaction, safe files. Imports nothing of ours."""
