"""The poll cycle and what is kept of it: monitor, history, verdict, alerts."""
