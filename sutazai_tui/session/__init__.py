"""One target's poll loop: monitor, history, findings, recorder, budget. No textual."""
