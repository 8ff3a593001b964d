"""Helpers shared by the test suites (images, fixtures)."""
