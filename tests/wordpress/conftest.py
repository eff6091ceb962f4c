import pytest

from tests.support.wordpress import PORTAL, media_dir_for


@pytest.fixture
def portal_media(tmp_path):
    return media_dir_for(PORTAL, tmp_path / "uploads")
