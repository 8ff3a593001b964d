"""Versions snapshot code and configuration; aliases name versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.core.model import ConfigError, FunctionConfig
from workbench.core.versions import LATEST, VersionStore


def test_publishing_snapshots_the_code_and_qualifiers_resolve(tmp_path: Path):
    code = tmp_path / "fn"
    code.mkdir()
    (code / "lambda_function.py").write_text("v = 1\n")
    latest = FunctionConfig("fn", code, memory_mb=256)
    store = VersionStore(tmp_path / "versions")
    one = store.publish(latest)
    (code / "lambda_function.py").write_text("v = 2\n")
    assert one.number == 1
    assert (one.config.code_dir / "lambda_function.py").read_text() == "v = 1\n"
    assert one.config.memory_mb == 256
    store.set_alias("fn", "live", 1)
    assert store.resolve(latest, None).version == LATEST
    assert store.resolve(latest, None).invoked_arn == latest.arn
    by_alias = store.resolve(latest, "live")
    assert (by_alias.version, by_alias.invoked_arn) == ("1", latest.arn + ":live")
    assert store.resolve(latest, "1").config.code_dir == one.config.code_dir
    with pytest.raises(LookupError):
        store.resolve(latest, "2")
    with pytest.raises(LookupError):
        store.resolve(latest, "staging")


@pytest.mark.parametrize("alias", ["42", "$LATEST", "has space", ""])
def test_invalid_alias_names_are_refused(tmp_path: Path, alias: str):
    store = VersionStore(tmp_path)
    with pytest.raises(ConfigError):
        store.set_alias("fn", alias, 1)


def test_an_alias_must_point_at_a_published_version(tmp_path: Path):
    with pytest.raises(LookupError):
        VersionStore(tmp_path).set_alias("fn", "live", 3)
