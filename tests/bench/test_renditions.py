"""The renditions step of `make bench` (bench/renditions.py) times three paths that make the
same 8 renditions of one picture, newsroom's being `renditions_encode` itself."""

import importlib.util
import io
from pathlib import Path

from PIL import Image

_spec = importlib.util.spec_from_file_location(
    "bench_renditions", Path(__file__).resolve().parents[2] / "bench" / "renditions.py"
)
renditions = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(renditions)


def test_the_three_paths_make_the_same_renditions():
    data = renditions.photo_24mp(width=2400, height=1600)
    assert Image.open(io.BytesIO(data)).size == (2400, 1600)

    result = renditions.renditions_measure(rounds=1, data=data)

    assert set(result["seconds"]) == {"wagtail", "single_decode", "newsroom"}
    assert all(seconds > 0 for seconds in result["seconds"].values())
    # Same sizes and encoder settings: the two Pillow pipelines' files are close in bytes.
    single, ours = result["bytes"]["single_decode"], result["bytes"]["newsroom"]
    assert abs(single - ours) / single < 0.05
    assert result["vs_wagtail"] > 0 and result["vs_single_decode"] > 0


def test_newsroom_path_makes_each_spec_at_its_width():
    data = renditions.photo_24mp(width=2400, height=1600)

    sizes = {
        spec.name: size
        for spec, size, _buffer in renditions.renditions_encode(
            file=io.BytesIO(data), specs=renditions.SPECS, focal=(0.5, 0.5)
        )
    }

    assert sizes == {
        f"w{width}.{fmt}": (width, round(width * 2 / 3))
        for width in (1600, 1024, 640, 320)
        for fmt in ("jpeg", "webp")
    }
