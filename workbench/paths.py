"""The one place that finds the project's data folders and the in-environment bootstrap."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
SHIM_DIR = PACKAGE_DIR / "shim"
BOOTSTRAP_PATH = SHIM_DIR / "bootstrap.py"
PROJECT_DIR = PACKAGE_DIR.parent
LESSONS_DIR = PROJECT_DIR / "lessons"
SAMPLES_DIR = PROJECT_DIR / "sample_functions"
RESOURCES_DIR = PROJECT_DIR / "resources"
