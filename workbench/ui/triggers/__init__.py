"""Triggers in the app: the Add trigger dialog, the Triggers panel and the bucket view."""
