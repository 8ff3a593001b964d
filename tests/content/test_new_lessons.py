"""The Deployment package lesson and the thumbnail-pipeline capstone: where they sit in the
course, and the specific feedback their check kinds give for common mistakes, through the
real engine on local processes. (test_lessons.py runs their starters and solutions too.)"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.lesson_factory import make_lesson
from workbench.core.service import LambdaService
from workbench.lessons import ExerciseResult, check_exercise, load_pack, read_lesson
from workbench.lessons.check_kinds.package_run import lesson_layer
from workbench.packages.layers import list_layers, publish_layer
from workbench.paths import LESSONS_DIR

pytestmark = pytest.mark.timeout(120)
PACK = load_pack(LESSONS_DIR)
PACKAGE = PACK.lesson("deployment-package")
THUMBNAILS = PACK.lesson("thumbnail-pipeline")


@pytest.fixture(autouse=True)
def own_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Layers are published into the data folder: each test gets an empty one."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


def variant(tmp_path: Path, source: Path, edit: Callable[[Path], None]) -> Path:
    """A copy of a code folder, changed by `edit`."""
    folder = tmp_path / "code"
    shutil.copytree(source, folder)
    edit(folder)
    return folder


def replace(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def messages(result: ExerciseResult) -> list[tuple[bool, str]]:
    assert result.setup_error is None, result.setup_error
    return [(check.passed, check.message) for check in result.checks]


# ----- the course ---------------------------------------------------------------------------
def test_the_lessons_sit_where_the_course_needs_them():
    """Trigger early (AWS's concept order), Runtime before Deployment package, capstones last."""
    ids = [lesson.id for lesson in PACK.lessons]
    assert ids.index("trigger") < ids.index("event") < ids.index("environment")
    assert ids.index("runtime") + 1 == ids.index("deployment-package")
    assert ids[-2:] == ["greeting-api", "thumbnail-pipeline"]
    orders = [lesson.order for lesson in PACK.lessons]  # the numbers the app shows
    expected = list(range(1, len(orders) + 2))
    expected.remove(9)  # kept for 15-execution-role, which lands separately
    assert orders in (expected[: len(orders)], list(range(1, len(orders) + 1)))
    assert [str(p) for p in PACK.problems] == []


def test_the_lessons_cross_references_name_lessons_by_title():
    """No "lesson N" (numbers go stale when the course is reordered); named titles exist."""
    titles = {lesson.title for lesson in PACK.lessons}
    capstone = (THUMBNAILS.folder / "lesson.md").read_text(encoding="utf-8")
    for lesson in PACK.lessons:
        for path in lesson.folder.rglob("*"):
            if path.suffix in (".md", ".toml", ".py") and "wrong" not in path.parts:
                text = path.read_text(encoding="utf-8")
                assert not re.search(r"\blesson \d+\b", text), path
    for title in re.findall(r"\(the ([A-Z][\w ]+?) lesson\)", capstone):
        assert title in titles, title
    assert "(the Invocation types lesson)" in capstone


# ----- the lesson's own layer ----------------------------------------------------------------
def test_the_lesson_layer_is_published_once_and_then_reused():
    folder = PACKAGE.folder / "layer"
    first = lesson_layer("pricing", folder)
    again = lesson_layer("pricing", folder)
    assert first.ref == again.ref == "pricing:1"
    assert [v.ref for v in list_layers("pricing")] == ["pricing:1"]
    assert (first.content / "python" / "pricing.py").is_file()


def test_other_content_under_the_same_name_gets_a_new_version(tmp_path: Path):
    other = tmp_path / "other" / "python"
    other.mkdir(parents=True)
    (other / "pricing.py").write_text("VAT_PERCENT = {}\n", encoding="utf-8")
    publish_layer("pricing", other.parent)
    assert lesson_layer("pricing", PACKAGE.folder / "layer").ref == "pricing:2"


# ----- Deployment package: feedback ------------------------------------------------------------
async def test_package_starter_is_told_which_layer_has_the_module(service: LambdaService):
    result = await check_exercise(PACKAGE, PACKAGE.starter_dir, service)
    (ok1, first), (ok2, _), (ok3, built) = messages(result)
    assert not ok1 and not ok2 and ok3
    assert "imports `pricing`, which is not in the function's package" in first
    assert "function.toml, lambda_function.py" in first
    assert 'add layers = ["pricing:1"] to function.toml' in first
    assert "/opt/python" in first
    assert built.startswith("The .zip holds 2 file(s) at its root")


async def test_package_unpublished_version_is_named(tmp_path: Path, service: LambdaService):
    code = variant(
        tmp_path,
        PACKAGE.solution_dir,
        lambda f: replace(f, "function.toml", '"pricing:1"', '"pricing:7"'),
    )
    (ok, message), *_ = messages(await check_exercise(PACKAGE, code, service))
    assert not ok
    assert "names the layer version pricing:7, which is not published" in message
    assert 'the lesson\'s layer is "pricing:1"' in message


async def test_package_a_layer_without_the_module_is_not_enough(
    tmp_path: Path, service: LambdaService
):
    shared = LESSONS_DIR.parent / "sample_functions" / "layer-demo" / "layers" / "shared"
    assert publish_layer("shared", shared).ref == "shared:1"
    code = variant(
        tmp_path,
        PACKAGE.solution_dir,
        lambda f: replace(f, "function.toml", '"pricing:1"', '"shared:1"'),
    )
    (ok, message), *_ = messages(await check_exercise(PACKAGE, code, service))
    assert not ok
    assert "nor in its layers (shared:1)" in message
    assert 'add layers = ["pricing:1"]' in message


async def test_package_the_module_in_the_package_passes_too(tmp_path: Path, service: LambdaService):
    def include(folder: Path) -> None:
        replace(folder, "function.toml", 'layers = ["pricing:1"]\n', "")
        shutil.copy(PACKAGE.folder / "layer" / "python" / "pricing.py", folder)

    result = await check_exercise(
        PACKAGE, variant(tmp_path, PACKAGE.solution_dir, include), service
    )
    assert result.passed, messages(result)
    assert "pricing.py" in result.checks[-1].message  # the .zip now carries the module


# ----- Thumbnail pipeline: feedback ------------------------------------------------------------
async def test_thumbnail_starter_is_told_the_key_is_url_encoded(service: LambdaService):
    (ok, message), _ = messages(await check_exercise(THUMBNAILS, THUMBNAILS.starter_dir, service))
    assert not ok
    # The check's key is new each run, with a space, +, parentheses and an accent in it.
    found = re.search(
        r'the event\'s key is "input/([^"]+)", but the object is "input/([^"]+)"', message
    )
    assert found, message
    encoded, real = found.groups()
    assert " " in real and "+" in encoded and "%" in encoded
    assert "urllib.parse.unquote_plus" in message


async def test_thumbnail_full_size_copy_is_measured(tmp_path: Path, service: LambdaService):
    code = variant(
        tmp_path,
        THUMBNAILS.solution_dir,
        lambda f: replace(f, "lambda_function.py", "image.thumbnail(MAX_SIZE)", "image.load()"),
    )
    (ok, message), _ = messages(await check_exercise(THUMBNAILS, code, service))
    assert not ok
    assert message.startswith("Your thumbnail is 800×600; the exercise asks for at most 128×128")


def write_back(folder: Path, *, guard: bool) -> None:
    """The thumbnail goes back under input/; without the solution's guard against its own output."""
    old, new = 'OUTPUT_PREFIX = "output/"', 'OUTPUT_PREFIX = "input/t-"'
    replace(folder, "lambda_function.py", old, new)
    if not guard:
        replace(folder, "lambda_function.py", "if key.startswith(OUTPUT_PREFIX):", "if False:")


async def test_thumbnail_written_under_input_loops_until_the_guard_stops_it(
    tmp_path: Path, service: LambdaService
):
    code = variant(tmp_path, THUMBNAILS.solution_dir, lambda f: write_back(f, guard=False))
    (ok, message), _ = messages(await check_exercise(THUMBNAILS, code, service))
    assert not ok
    assert message.startswith("Recursive loop: your function wrote input/t-")
    assert ".jpg (and " in message
    assert "prefix 'input/', suffix '.jpg'" in message
    assert "16 invocations before the bucket's recursive-loop guard stopped the chain" in message


async def test_thumbnail_a_guard_in_code_shortens_the_loop_but_is_no_design(
    tmp_path: Path, service: LambdaService
):
    code = variant(tmp_path, THUMBNAILS.solution_dir, lambda f: write_back(f, guard=True))
    (ok, message), _ = messages(await check_exercise(THUMBNAILS, code, service))
    assert not ok
    assert "one upload caused 2 invocations. Write thumbnails under output/" in message


async def test_thumbnail_format_and_proportions(tmp_path: Path, service: LambdaService):
    def squash_to_jpeg(folder: Path) -> None:
        replace(
            folder,
            "lambda_function.py",
            "image.thumbnail(MAX_SIZE)",
            "image = image.resize(MAX_SIZE)",
        )

    code = variant(tmp_path, THUMBNAILS.solution_dir, squash_to_jpeg)
    (ok1, _), (ok2, message) = messages(await check_exercise(THUMBNAILS, code, service))
    assert ok1  # a 128×128 JPEG of an 800×600 photo is within the first check's asks
    assert not ok2
    assert message.startswith("Your thumbnail is 128×128, but the image is 300×900")


async def test_thumbnail_elsewhere_is_not_found(tmp_path: Path, service: LambdaService):
    code = variant(
        tmp_path,
        THUMBNAILS.solution_dir,
        lambda f: replace(
            f, "lambda_function.py", 'OUTPUT_PREFIX = "output/"', 'OUTPUT_PREFIX = "thumbs/"'
        ),
    )
    (ok, message), _ = messages(await check_exercise(THUMBNAILS, code, service))
    assert not ok
    found = re.fullmatch(
        r"Your function finished, but nothing appeared at output/(.+\.jpg) \(it wrote "
        r"thumbs/(.+\.jpg)\)\. Write the thumbnail with s3\.put_object\(Bucket=bucket, "
        r'Key="output/(.+\.jpg)", Body=\.\.\.\)',
        message,
    )
    assert found and len(set(found.groups())) == 1, message  # the same (fresh) file name


# ----- the kinds' parameters, as `lessons check` reads them --------------------------------------
def test_instructor_mistakes_in_the_new_kinds_are_reported_with_their_line(tmp_path: Path):
    checks = (
        '[[checks]]\nkind = "thumbnail_pipeline"\ntitle = "t"\nkey = "input/cat.gif"\n'
        "image_size = [800, 600]\nmax_size = 128\n\n"
        '[[checks]]\nkind = "thumbnail_pipeline"\ntitle = "t"\nkey = "input/cat.jpg"\n'
        'image_size = [800, 600]\nmax_size = 128\noutput_prefix = "input/small/"\n\n'
        '[[checks]]\nkind = "returns_with_layers"\ntitle = "t"\npublish = { "bad name" = "x" }\n'
    )
    _, problems = read_lesson(make_lesson(tmp_path, **{"checks.toml": checks}))
    found = {(p.line, p.message) for p in problems}
    assert (4, "the key must end in one of .jpg, .jpeg, .png") in found
    assert (14, "the output prefix must not overlap the trigger's") in found
    assert (19, "'bad name' is not a layer name") in found
