"""Scratch folders name their owner; only dead owners' folders count as leftovers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.backends.pids import mounts_under
from workbench.core.scratch import leftover_scratch_dirs, scratch_dir, scratch_owner


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_scratch_folder_names_its_kind_and_owner_and_is_private(tmp_path: Path):
    folder = scratch_dir("slot", tmp_path)
    assert folder.name.startswith(f"lambda-workbench-slot-{os.getpid()}-")
    assert scratch_owner(folder) == os.getpid()
    assert folder.stat().st_mode & 0o777 == 0o700


def test_only_folders_of_dead_owners_are_leftovers(tmp_path: Path):
    dead = tmp_path / f"lambda-workbench-slot-{_dead_pid()}-abc"
    dead.mkdir()
    live = scratch_dir("tmp", tmp_path)
    other = tmp_path / "lambda-workbench-tests-0hhddh5o"  # not ours: no pid in the name
    other.mkdir()
    old_style = tmp_path / "lambda-workbench-slot-x1y2z3"  # before owners were named
    old_style.mkdir()
    link = tmp_path / f"lambda-workbench-envs-{_dead_pid()}-lnk"
    link.symlink_to(live)
    a_file = tmp_path / f"lambda-workbench-envs-{_dead_pid()}-file"
    a_file.write_text("")
    assert leftover_scratch_dirs([tmp_path]) == [dead]


def test_a_kind_must_be_plain_lowercase_letters(tmp_path: Path):
    with pytest.raises(ValueError):
        scratch_dir("slot-1", tmp_path)


def test_mount_points_are_read_with_escaped_spaces(tmp_path: Path):
    folder = tmp_path / "a b"
    folder.mkdir()
    escaped = str(folder).replace(" ", "\\040")
    mountinfo = tmp_path / "mountinfo"
    mountinfo.write_text(
        f"36 25 0:32 / {escaped}/tmp rw - ext4 /dev/loop0 rw\n"
        f"37 25 0:33 / {escaped} rw - tmpfs tmpfs rw\n"
        "38 25 0:34 / /elsewhere rw - tmpfs tmpfs rw\n"
    )
    assert mounts_under(folder, mountinfo) == [folder / "tmp", folder]  # deepest first
