"""The desktop UI (PySide6): observes the core's event stream, never imports backends."""
