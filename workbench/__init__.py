"""Lambda Workbench: learn AWS Lambda by doing it, on a faithful local Lambda service."""

__version__ = "0.1.0"
