"""The one place that finds the project's data folders and the in-environment bootstrap.

In a plain install (pip, a wheel, pipx) the course, the samples and the app's resources
are package data under workbench/_data/ (setup.py copies them there). In the repository
(an editable install, or tests run from the checkout) they are the top-level folders.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
SHIM_DIR = PACKAGE_DIR / "shim"
BOOTSTRAP_PATH = SHIM_DIR / "bootstrap.py"
# Where `workbench/...` paths in lessons ([code.*] excerpts) resolve: the folder holding the
# package, i.e. the repository or site-packages.
PROJECT_DIR = PACKAGE_DIR.parent
INSTALLED_DATA_DIR = PACKAGE_DIR / "_data"


def data_folder(name: str) -> Path:
    """A shipped data folder: the packaged copy when installed, else the repository's."""
    packaged = INSTALLED_DATA_DIR / name
    return packaged if packaged.is_dir() else PROJECT_DIR / name


LESSONS_DIR = data_folder("lessons")
SAMPLES_DIR = data_folder("sample_functions")
RESOURCES_DIR = data_folder("resources")
