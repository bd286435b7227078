"""Browser end-to-end tests (real Chromium against a live uvicorn server)."""


def pytest_configure(config):
    # Registered here so `-m e2e` / `-m "not e2e"` work without an unknown-marker warning.
    config.addinivalue_line("markers", "e2e: drives a real browser against a live server")
