"""Helpers the tests import: factories, API and admin clients' helpers, image files, threads
released together. Fixtures are not here: they live in `tests/conftest.py`."""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
# Real-world photos and the bench dataset generator, beside the checkout (`../shared`).
SHARED_DIR = BASE_DIR.parent / "shared"
FIXTURE_PHOTOS = SHARED_DIR / "fixtures" / "photos"
