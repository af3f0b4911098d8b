"""Operator actions: the rules (policy), the engines they act through (backends), the audit log."""
