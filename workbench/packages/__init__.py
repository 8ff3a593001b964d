"""Deployment packages: .zip archives, layers and container images, with Lambda's limits."""
