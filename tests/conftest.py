"""Shared test setup: the repository root importable, and no test touching the user's data.

Progress, lesson code, saved events, layers and settings go to the platform's user data and
config folders; every test session gets fresh ones, so a run never reads or changes what a
learner has (the cache, with downloaded wheels, is kept).
"""

import os
import sys
import tempfile
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

_SESSION_HOME = Path(tempfile.mkdtemp(prefix="lambda-workbench-tests-"))
for variable in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
    os.environ[variable] = str(_SESSION_HOME / variable.lower())
