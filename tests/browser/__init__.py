"""Real-browser tests: Chromium driven by Playwright against a threaded server of the app."""
