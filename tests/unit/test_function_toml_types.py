"""A function.toml value of the wrong type is a ConfigError `path: key: expected …`."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.core.model import CONFIG_FILE_KEYS, ConfigError, load_function

# One wrong value per key, and what the message must say about it.
WRONG = {
    "name": ("name = true", "expected a string", "got true (a boolean)"),
    "handler": ("handler = 5", 'handler = "lambda_function.lambda_handler"', "got 5 (an integer)"),
    "runtime": ("runtime = 3.11", "expected a string", "got 3.11 (a float)"),
    "memory": ('memory = "256"', "expected a whole number of MB", 'got "256" (a string)'),
    "timeout": ("timeout = 1.5", "expected a whole number of seconds", "got 1.5 (a float)"),
    "ephemeral_storage": ("ephemeral_storage = true", "whole number of MB", "a boolean"),
    "architecture": ("architecture = [1]", "expected a string", "got an array"),
    "image": ("image = {a = 1}", "expected a string", "got a table"),
    "environment": ('environment = "x"', "expected a table of NAME", 'got "x" (a string)'),
    "reserved_concurrency": ("reserved_concurrency = 1e3", "whole number", "1000.0 (a float)"),
    "provisioned_concurrency": ("provisioned_concurrency = []", "whole number", "an array"),
    "max_retry_attempts": ('max_retry_attempts = "2"', "whole number of retries", '"2"'),
    "max_event_age": ("max_event_age = 1979-05-27", "whole number", "1979-05-27 (a date/time)"),
    "on_success": ("on_success = 5", "expected a string", "got 5 (an integer)"),
    "on_failure": ("on_failure = false", "expected a string", "got false (a boolean)"),
    "dead_letter": ("dead_letter = 0", "expected a string", "got 0 (an integer)"),
    "layers": ('layers = "shared:1"', 'array of strings such as ["shared:1"]', "a string"),
}


def test_every_key_has_a_wrong_type_case():
    assert set(WRONG) == set(CONFIG_FILE_KEYS)


@pytest.mark.parametrize("key", sorted(WRONG))
def test_wrong_type_names_the_file_the_key_and_what_was_expected(tmp_path: Path, key: str):
    line, expected, got = WRONG[key]
    (tmp_path / "function.toml").write_text(line + "\n")
    with pytest.raises(ConfigError) as raised:
        load_function(tmp_path)
    message = str(raised.value)
    assert message.startswith(f"{tmp_path / 'function.toml'}: {key}: expected ")
    assert expected in message and got in message


@pytest.mark.parametrize("section", ["", "[function]\n"])
def test_wrong_type_inside_a_function_table_too(tmp_path: Path, section: str):
    (tmp_path / "function.toml").write_text(f"{section}handler = 5\n")
    with pytest.raises(ConfigError, match=r"function\.toml: handler: expected a string"):
        load_function(tmp_path)


def test_an_environment_value_that_is_a_number_says_to_quote_it(tmp_path: Path):
    (tmp_path / "function.toml").write_text("[environment]\nPORT = 8080\n")
    with pytest.raises(ConfigError) as raised:
        load_function(tmp_path)
    assert str(raised.value).endswith(
        'environment.PORT: expected a string, got 8080 (an integer); quote it: PORT = "8080"'
    )


def test_a_function_key_that_is_not_a_table(tmp_path: Path):
    (tmp_path / "function.toml").write_text("function = 3\n")
    with pytest.raises(ConfigError, match=r"function: expected a \[function\] table, got 3"):
        load_function(tmp_path)


def test_right_types_still_load(tmp_path: Path):
    (tmp_path / "function.toml").write_text(
        'handler = "app.run"\nmemory = 256\nlayers = []\n[environment]\nA1 = "x"\n'
    )
    config = load_function(tmp_path)
    assert (config.handler, config.memory_mb, config.environment) == ("app.run", 256, {"A1": "x"})
