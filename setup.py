"""Ships the course with the package: lessons/, sample_functions/ and resources/ stay at the
repository root (a fixed layout) and are copied into the wheel as workbench/_data/<folder>.

Everything else is declared in pyproject.toml; workbench/paths.py finds the folders in
both places (the repository for an editable install, the package for a plain one).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
DATA_FOLDERS = ("lessons", "sample_functions", "resources")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", "node_modules", ".git")


class BuildWithCourse(build_py):
    """build_py, plus the data folders copied under workbench/_data in the build tree."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads the repository's folders directly
            return
        target = Path(self.build_lib) / "workbench" / "_data"
        for name in DATA_FOLDERS:
            source = ROOT / name
            if source.is_dir():
                shutil.rmtree(target / name, ignore_errors=True)
                shutil.copytree(source, target / name, ignore=IGNORED)


setup(cmdclass={"build_py": BuildWithCourse})
