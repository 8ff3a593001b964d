"""Widgets that know nothing of the engine: the code editor and its highlighter."""
