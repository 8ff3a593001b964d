"""How function images are named: shared by the image builder and the SAM export (no Docker)."""

IMAGE_REPO = "lambda-workbench/fn-{name}"
