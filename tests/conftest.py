"""Shared test setup: the repository root importable, and no test touching the user's data.

Progress, lesson code, saved events, layers and settings go to the platform's user data and
config folders; every test session gets fresh ones, so a run never reads or changes what a
learner has (the cache, with downloaded wheels, is kept).
"""

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

_SESSION_HOME = Path(tempfile.mkdtemp(prefix="lambda-workbench-tests-"))
atexit.register(shutil.rmtree, _SESSION_HOME, True)  # a test session leaves nothing in /tmp
for variable in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
    os.environ[variable] = str(_SESSION_HOME / variable.lower())
# What Lambda's runtimes provide (boto3, the AWS SDK v3) is installed once from PyPI and npm
# into the runtime folder; tests share one in the cache, so only the first session downloads.
_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
os.environ.setdefault("LAMBDA_WORKBENCH_RUNTIME_FOLDER", str(_CACHE / "lambda-workbench-tests"))
