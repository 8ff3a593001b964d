"""Recovery copies of unsaved editor text, so a crash or kill loses at most a few seconds."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path


class RecoveryStore:
    """One recovery file per source file, kept in a folder of the user's data dir."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def path_for(self, source: Path) -> Path:
        """Where the recovery copy of source lives (named after its absolute path)."""
        absolute = str(Path(source).resolve())
        digest = hashlib.sha1(absolute.encode()).hexdigest()[:12]
        return self.folder / f"{Path(source).stem}-{digest}.json"

    def write(self, source: Path, text: str) -> Path:
        """Store text as source's recovery copy, atomically (blocks briefly on disk I/O)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.path_for(source)
        body = json.dumps({"source": str(Path(source).resolve()), "text": text})
        # Write then rename, so a kill mid-write never leaves a half recovery file behind.
        fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(body)
            os.replace(tmp, target)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return target

    def pending(self, source: Path) -> str | None:
        """The recovered text if it is newer than source on disk and differs from it."""
        target = self.path_for(source)
        try:
            recovered = json.loads(target.read_text(encoding="utf-8"))["text"]
            recovery_time = target.stat().st_mtime
        except (OSError, ValueError, KeyError, TypeError):
            return None
        try:
            on_disk = Path(source).read_text(encoding="utf-8")
            disk_time = Path(source).stat().st_mtime
        except (OSError, UnicodeDecodeError):
            on_disk, disk_time = None, 0.0
        if recovery_time <= disk_time or recovered == on_disk:
            return None
        return str(recovered)

    def discard(self, source: Path) -> None:
        """Forget source's recovery copy (after a save, or when the learner declines it)."""
        with contextlib.suppress(OSError):
            self.path_for(source).unlink()
