"""The simulated backend and fleet: `--demo`, `demo-backend`, and the tests' real HTTP server."""
