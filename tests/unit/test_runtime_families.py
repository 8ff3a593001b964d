"""Each language family answers for its runtimes: files, editor, commands, order, images."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from workbench import runtimes
from workbench.core.model import RUNTIMES, FunctionConfig
from workbench.core.sandbox import SandboxError
from workbench.runtimes import support


def _config(folder: Path, runtime: str, handler: str) -> FunctionConfig:
    return FunctionConfig(name="fn", code_dir=folder, runtime=runtime, handler=handler)


def test_every_runtime_belongs_to_exactly_one_family() -> None:
    for name in RUNTIMES:
        owners = [f.name for f in runtimes.FAMILIES if f.owns(name)]
        assert len(owners) == 1, (name, owners)
        assert runtimes.get(name).lang.name == owners[0]
    with pytest.raises(ValueError, match="is not a known runtime"):
        runtimes.family_of("cobol1.x")


def test_the_editor_opens_the_file_the_runtime_runs(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("")
    assert runtimes.editor_file(_config(tmp_path, "python3.11", "src/app.handler")) == (
        tmp_path / "src" / "app.py"
    )
    assert runtimes.editor_file(_config(tmp_path, "python3.11", "src.app.handler")) == (
        tmp_path / "src" / "app.py"
    )
    # Node.js tries .js, .mjs, .cjs, as Lambda's runtime does: the first that exists opens.
    node = _config(tmp_path, "nodejs20.x", "index.handler")
    assert runtimes.editor_file(node) == tmp_path / "index.js"  # none yet: the default
    (tmp_path / "index.mjs").write_text("")
    assert runtimes.editor_file(node) == tmp_path / "index.mjs"
    (tmp_path / "index.js").write_text("")
    assert runtimes.editor_file(node) == tmp_path / "index.js"
    custom = _config(tmp_path, "provided.al2023", "function.handler")
    assert runtimes.editor_file(custom) == tmp_path / "bootstrap"


@pytest.mark.parametrize(
    ("name", "lexer"),
    [
        ("lambda_function.py", "python"),
        ("index.mjs", "javascript"),
        ("index.cjs", "javascript"),
        ("bootstrap", "bash"),
        ("function.sh", "bash"),
        ("event.json", "json"),
        ("function.toml", "toml"),
        ("notes.txt", "text"),
    ],
)
def test_files_are_highlighted_in_their_language(name: str, lexer: str) -> None:
    assert runtimes.lexer_for_file(Path("/f") / name) == lexer


def test_listing_order_follows_the_families_then_versions() -> None:
    ordered = [r.name for r in sorted(runtimes.CATALOGUE.values(), key=runtimes.listing_order)]
    assert ordered == [
        "python3.10", "python3.11", "python3.12", "python3.13",
        "nodejs18.x", "nodejs20.x", "nodejs22.x",
        "provided.al2", "provided.al2023",
    ]  # fmt: skip


def test_image_names_follow_the_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMBDA_WORKBENCH_IMAGE_PREFIX", "someone-else")
    node = runtimes.get("nodejs20.x")
    assert node.image == "someone-else/nodejs:20"
    assert runtimes.runtime_for_image("someone-else/nodejs:20") is node
    assert runtimes.runtime_for_image("lambda-workbench/nodejs:20") is None
    monkeypatch.delenv("LAMBDA_WORKBENCH_IMAGE_PREFIX")
    assert node.image == "lambda-workbench/nodejs:20"
    assert runtimes.get("provided.al2").image == "lambda-workbench/provided:al2023"


def test_python_processes_run_isolated(tmp_path: Path) -> None:
    command = runtimes.process_command(_config(tmp_path, "python3.11", "a.b"), ["--owner"])
    assert command[1:5] == ["-I", "-S", "-B", "-u"]
    assert command[-1] == "--owner"
    assert "/.venv/" not in command[0]  # the interpreter the virtualenv was made from


def test_sh_bootstraps_run_with_bash_others_as_they_are(tmp_path: Path) -> None:
    bootstrap = tmp_path / "bootstrap"
    custom = _config(tmp_path, "provided.al2023", "function.handler")
    for first_line, with_bash in (("#!/bin/sh", True), ("#!/bin/bash", False), ("\x7fELF", False)):
        bootstrap.write_text(first_line + "\necho\n")
        bootstrap.chmod(bootstrap.stat().st_mode | stat.S_IEXEC)
        command = runtimes.process_command(custom, ["--owner"])
        if with_bash:
            assert Path(command[0]).name == "bash" and command[1:] == [str(bootstrap), "--owner"]
        else:
            assert command == [str(bootstrap), "--owner"]


def test_the_runtime_folder_is_the_users_unless_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(support.FOLDER_VARIABLE, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert support.runtime_folder() == tmp_path / "data" / "lambda-workbench" / "runtimes"
    monkeypatch.setenv(support.FOLDER_VARIABLE, str(tmp_path / "mine"))
    assert support.runtime_folder() == tmp_path / "mine"


def test_a_failed_install_says_what_and_leaves_nothing_half_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No registry: a clear message naming the package, the folder and the ways out."""
    monkeypatch.setenv(support.FOLDER_VARIABLE, str(tmp_path / "runtimes"))
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")  # nothing listens there
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_TIMEOUT", "2")
    seen: list[str] = []
    with pytest.raises(SandboxError) as caught:
        support.python_packages("3.11", ("boto3==1.44.8",), seen.append)
    message = str(caught.value)
    assert "could not install boto3==1.44.8" in message
    assert str(tmp_path / "runtimes" / "python3.11") in message
    assert "Docker backend" in message
    assert not (tmp_path / "runtimes" / "python3.11").exists()
    assert seen and "Installing boto3==1.44.8" in seen[0]
