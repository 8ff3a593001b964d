"""Lessons as HTML (Markdown, callouts, highlighted code, check results): the text the lesson
reader shows. Qt-free, so it is rendered and tested without a display."""
