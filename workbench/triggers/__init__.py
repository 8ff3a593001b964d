"""Triggers: local stand-ins for the AWS services that invoke functions (API Gateway, ...)."""
