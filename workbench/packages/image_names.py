"""How function images are named: shared by the image builder and the SAM export (no Docker)."""

from __future__ import annotations

from workbench.runtimes import image_prefix


def function_image_repo(name: str = "") -> str:
    """lambda-workbench/fn-NAME (the prefix follows LAMBDA_WORKBENCH_IMAGE_PREFIX)."""
    return f"{image_prefix()}/fn-{name}"
