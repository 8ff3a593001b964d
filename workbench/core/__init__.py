"""The pure core: the local Lambda service, environments, billing and events. No Qt, no Docker."""
