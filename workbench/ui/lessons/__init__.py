"""The lesson reader: a Lessons dock beside the work area (see dock.py for how it is installed)."""
