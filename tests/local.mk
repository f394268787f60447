# Test fixtures: Microsoft's documented example responses (tests/fixtures/microsoft-docs).
EXTRA_DIST += tests/fixtures
