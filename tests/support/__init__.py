"""Helpers shared by the test suites: a real backend, a real websocket client."""
