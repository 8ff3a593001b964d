"""FunctionConfig validation, function.toml loading and KEY=VALUE parsing (workbench/core/model.py).

The ranges and rules are AWS's (LAMBDA_FACTS.md §A1, §A5, §A6): memory 128–10,240 MB, timeout
1–900 s, /tmp 512–10,240 MB, environment variables ≤ 4 KB with reserved and malformed names
refused.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.core.model import (
    DEFAULT_HANDLER,
    RESERVED_ENV_NAMES,
    ConfigError,
    FunctionConfig,
    load_function,
    parse_env_assignments,
    validate_environment,
)


def make(tmp_path: Path, **settings: object) -> FunctionConfig:
    return FunctionConfig(name=settings.pop("name", "fn"), code_dir=tmp_path, **settings)  # type: ignore[arg-type]


# ----- defaults ----------------------------------------------------------------------------------
def test_defaults_are_the_console_defaults(tmp_path: Path) -> None:
    config = make(tmp_path)
    assert config.handler == DEFAULT_HANDLER == "lambda_function.lambda_handler"
    assert config.memory_mb == 128
    assert config.timeout_s == 3
    assert config.ephemeral_storage_mb == 512
    assert config.architecture == "x86_64"
    assert config.environment == {}


def test_arn_and_log_group(tmp_path: Path) -> None:
    config = make(tmp_path, name="my-fn")
    assert config.arn == "arn:aws:lambda:us-east-1:123456789012:function:my-fn"
    assert config.log_group == "/aws/lambda/my-fn"


# ----- memory ------------------------------------------------------------------------------------
@pytest.mark.parametrize("memory", [128, 129, 1769, 10_240])
def test_memory_in_range_is_accepted(tmp_path: Path, memory: int) -> None:
    assert make(tmp_path, memory_mb=memory).memory_mb == memory


@pytest.mark.parametrize("memory", [0, 100, 127, 10_241, 32_768, -128])
def test_memory_out_of_range_is_refused_naming_the_range(tmp_path: Path, memory: int) -> None:
    with pytest.raises(ConfigError) as info:
        make(tmp_path, memory_mb=memory)
    assert info.value.setting == "memory"
    assert "128 to 10,240" in str(info.value)


def test_100_mb_is_refused_with_a_helpful_message(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"128 to 10,240") as info:
        make(tmp_path, memory_mb=100)
    assert "100" in str(info.value)


@pytest.mark.parametrize("memory", [128.0, "128", True, None])
def test_memory_must_be_a_whole_number(tmp_path: Path, memory: object) -> None:
    with pytest.raises(ConfigError, match="memory"):
        make(tmp_path, memory_mb=memory)


# ----- timeout -----------------------------------------------------------------------------------
@pytest.mark.parametrize("timeout", [1, 3, 900])
def test_timeout_in_range_is_accepted(tmp_path: Path, timeout: int) -> None:
    assert make(tmp_path, timeout_s=timeout).timeout_s == timeout


@pytest.mark.parametrize("timeout", [0, -1, 901, 3600])
def test_timeout_out_of_range_is_refused(tmp_path: Path, timeout: int) -> None:
    with pytest.raises(ConfigError) as info:
        make(tmp_path, timeout_s=timeout)
    assert info.value.setting == "timeout"
    assert "1 to 900" in str(info.value)


@pytest.mark.parametrize("timeout", [1.5, "3", False])
def test_timeout_must_be_a_whole_number(tmp_path: Path, timeout: object) -> None:
    with pytest.raises(ConfigError, match="timeout"):
        make(tmp_path, timeout_s=timeout)


# ----- ephemeral storage -------------------------------------------------------------------------
@pytest.mark.parametrize("size", [512, 513, 10_240])
def test_ephemeral_storage_in_range_is_accepted(tmp_path: Path, size: int) -> None:
    assert make(tmp_path, ephemeral_storage_mb=size).ephemeral_storage_mb == size


@pytest.mark.parametrize("size", [0, 256, 511, 10_241])
def test_ephemeral_storage_out_of_range_is_refused(tmp_path: Path, size: int) -> None:
    with pytest.raises(ConfigError) as info:
        make(tmp_path, ephemeral_storage_mb=size)
    assert info.value.setting == "ephemeral storage"
    assert "512 to 10,240" in str(info.value)


# ----- architecture, name, handler ---------------------------------------------------------------
@pytest.mark.parametrize("arch", ["x86_64", "arm64"])
def test_both_architectures_are_accepted(tmp_path: Path, arch: str) -> None:
    assert make(tmp_path, architecture=arch).architecture == arch


@pytest.mark.parametrize("arch", ["amd64", "aarch64", "X86_64", ""])
def test_unknown_architecture_is_refused_naming_the_valid_ones(tmp_path: Path, arch: str) -> None:
    with pytest.raises(ConfigError) as info:
        make(tmp_path, architecture=arch)
    assert info.value.setting == "architecture"
    assert "x86_64" in str(info.value) and "arm64" in str(info.value)


@pytest.mark.parametrize("name", ["a", "my-function_2", "x" * 64])
def test_valid_names(tmp_path: Path, name: str) -> None:
    assert make(tmp_path, name=name).name == name


@pytest.mark.parametrize("name", ["", "has space", "dot.name", "x" * 65, "ünïcode"])
def test_invalid_names_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ConfigError) as info:
        make(tmp_path, name=name)
    assert info.value.setting == "name"


@pytest.mark.parametrize("handler", ["", "app handler", " app.handler"])
def test_malformed_handler_strings_are_refused(tmp_path: Path, handler: str) -> None:
    with pytest.raises(ConfigError) as info:
        make(tmp_path, handler=handler)
    assert info.value.setting == "handler"


def test_handler_with_a_trailing_newline_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        make(tmp_path, handler="app.handler\n")


def test_name_with_a_trailing_newline_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        make(tmp_path, name="fn\n")


def test_environment_name_with_a_trailing_newline_is_refused() -> None:
    with pytest.raises(ConfigError):
        validate_environment({"AB\n": "x"})


def test_handler_without_a_dot_is_accepted_so_the_runtime_can_report_it(tmp_path: Path) -> None:
    # Runtime.MalformedHandlerName is the runtime's error on AWS, not a configuration error.
    assert make(tmp_path, handler="lambda_function").handler == "lambda_function"


def test_with_changes_validates_again(tmp_path: Path) -> None:
    config = make(tmp_path)
    assert config.with_changes(memory_mb=256).memory_mb == 256
    assert config.memory_mb == 128
    with pytest.raises(ConfigError, match="128 to 10,240"):
        config.with_changes(memory_mb=64)


# ----- environment variables ---------------------------------------------------------------------
def test_valid_environment_is_kept(tmp_path: Path) -> None:
    env = {"AB": "1", "Stage": "dev", "a1_B2": "", "TABLE_NAME": "orders"}
    assert make(tmp_path, environment=env).environment == env


@pytest.mark.parametrize("key", sorted(RESERVED_ENV_NAMES))
def test_reserved_names_are_refused(tmp_path: Path, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        make(tmp_path, environment={key: "x"})
    assert info.value.setting == "environment"
    assert key in str(info.value)


@pytest.mark.parametrize(
    "key", ["AWS_REGION", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT"]
)
def test_reserved_message_says_reserved(tmp_path: Path, key: str) -> None:
    with pytest.raises(ConfigError, match="reserved"):
        make(tmp_path, environment={key: "x"})


def test_reserved_list_has_the_documented_names() -> None:
    for key in ("_HANDLER", "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_SESSION_TOKEN"):
        assert key in RESERVED_ENV_NAMES


@pytest.mark.parametrize("key", ["A", "1ABC", "_PRIVATE", "MY-VAR", "MY VAR", "", "ÉTÉ", "A.B"])
def test_invalid_names_are_refused_with_the_rule(tmp_path: Path, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        make(tmp_path, environment={key: "x"})
    assert info.value.setting == "environment"
    assert "start with a letter" in str(info.value)


def test_non_string_value_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="string"):
        make(tmp_path, environment={"COUNT": 3})


def test_exactly_4_kb_is_accepted() -> None:
    validate_environment({"BIG": "x" * (4096 - 3)})


def test_over_4_kb_is_refused_with_the_size(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        make(tmp_path, environment={"BIG": "x" * (4096 - 2)})
    message = str(info.value)
    assert info.value.setting == "environment"
    assert "4,097 bytes" in message
    assert "4 KB" in message


def test_size_counts_keys_and_utf8_bytes() -> None:
    # 2-byte characters: 2,047 of them plus the 2-byte key is 4,096 bytes, one more is over.
    validate_environment({"AB": "é" * 2047})
    with pytest.raises(ConfigError, match="4,098 bytes"):
        validate_environment({"AB": "é" * 2048})


def test_size_is_the_total_over_all_variables() -> None:
    env = {f"K{i:03d}": "v" * 96 for i in range(41)}  # 41 × 100 bytes = 4,100
    with pytest.raises(ConfigError, match="4,100 bytes"):
        validate_environment(env)


# ----- function.toml -----------------------------------------------------------------------------
def test_load_function_without_a_config_file_uses_defaults(tmp_path: Path) -> None:
    code = tmp_path / "hello"
    code.mkdir()
    config = load_function(code)
    assert config.name == "hello"
    assert config.code_dir == code.resolve()
    assert config.handler == DEFAULT_HANDLER
    assert (config.memory_mb, config.timeout_s) == (128, 3)


def test_load_function_derives_a_valid_name_from_an_odd_folder_name(tmp_path: Path) -> None:
    code = tmp_path / "my func.v2"
    code.mkdir()
    assert load_function(code).name == "my-func-v2"


def test_load_function_reads_function_toml(tmp_path: Path) -> None:
    (tmp_path / "function.toml").write_text(
        """
        name = "orders"
        handler = "app.main"
        memory = 512
        timeout = 30
        ephemeral_storage = 1024
        architecture = "arm64"

        [environment]
        TABLE = "orders"
        """.replace("        ", ""),
        encoding="utf-8",
    )
    config = load_function(tmp_path)
    assert config.name == "orders"
    assert config.handler == "app.main"
    assert config.memory_mb == 512
    assert config.timeout_s == 30
    assert config.ephemeral_storage_mb == 1024
    assert config.architecture == "arm64"
    assert config.environment == {"TABLE": "orders"}


def test_load_function_reads_a_function_section(tmp_path: Path) -> None:
    (tmp_path / "function.toml").write_text("[function]\nmemory = 256\n", encoding="utf-8")
    assert load_function(tmp_path).memory_mb == 256


def test_unknown_keys_in_function_toml_are_refused(tmp_path: Path) -> None:
    (tmp_path / "function.toml").write_text("memory = 256\nmemroy_size = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_function(tmp_path)
    message = str(info.value)
    assert info.value.setting == "function.toml"
    assert "memroy_size" in message
    assert "memory" in message  # the known keys are listed


def test_invalid_toml_is_refused(tmp_path: Path) -> None:
    (tmp_path / "function.toml").write_text("memory = = 256\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML") as info:
        load_function(tmp_path)
    assert info.value.setting == "function.toml"


def test_out_of_range_value_in_function_toml_is_refused(tmp_path: Path) -> None:
    (tmp_path / "function.toml").write_text("memory = 100\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="128 to 10,240"):
        load_function(tmp_path)


def test_reserved_variable_in_function_toml_is_refused(tmp_path: Path) -> None:
    (tmp_path / "function.toml").write_text('[environment]\nAWS_REGION = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="reserved"):
        load_function(tmp_path)


def test_overrides_win_over_the_file_and_none_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "function.toml").write_text(
        'memory = 512\ntimeout = 30\n[environment]\nA1 = "file"\nB1 = "file"\n',
        encoding="utf-8",
    )
    config = load_function(
        tmp_path, memory_mb=1024, timeout_s=None, environment={"B1": "cli", "C1": "cli"}
    )
    assert config.memory_mb == 1024
    assert config.timeout_s == 30
    assert config.environment == {"A1": "file", "B1": "cli", "C1": "cli"}


def test_overrides_are_validated(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="1 to 900"):
        load_function(tmp_path, timeout_s=901)


def test_load_function_refuses_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a folder"):
        load_function(tmp_path / "nope")


# ----- KEY=VALUE ---------------------------------------------------------------------------------
def test_parse_env_assignments() -> None:
    assert parse_env_assignments([]) == {}
    assert parse_env_assignments(["A1=1", "URL=a=b", "EMPTY=", "A1=2"]) == {
        "A1": "2",
        "URL": "a=b",
        "EMPTY": "",
    }


@pytest.mark.parametrize("item", ["NOVALUE", "", "A1"])
def test_parse_env_assignments_refuses_items_without_equals(item: str) -> None:
    with pytest.raises(ConfigError, match="KEY=VALUE"):
        parse_env_assignments([item])
