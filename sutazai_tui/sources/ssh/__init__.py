"""Reaching an engine on another host through the operator's own ssh client."""
