"""The package and runtime UI: the runtime picker, the package view, layers and export."""
