"""The main window's panes: editor, event, result and logs, timeline, settings, billing."""
