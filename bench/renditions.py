"""`make bench`'s renditions step: three ways of making the same renditions of one photo.

Run inside Django (bench/run.py runs `renditions_measure` in `manage.py shell`; it needs no
database). On one generated 24-megapixel JPEG, in one process, for the 8 renditions of
issue 19 (widths 320, 640, 1024 and 1600, each as JPEG and WebP), best of `rounds`:

* **wagtail**: a Wagtail-style path, as Willow's Pillow backend does it: per rendition, open
  the original, decode it at full size, resize with LANCZOS, save (JPEG quality 85,
  progressive and optimised; WebP quality 80);
* **single decode**: a plain Pillow pipeline: one decode with JPEG draft mode, then every
  rendition resized from that decode with LANCZOS and saved with newsroom's encoder settings;
* **newsroom**: `articles.photos.renditions.renditions_encode`, what
  `photo_generate_renditions` runs before it stores the files.

All three encode into memory; none writes to storage. `encoders_measure` is the table of
encoder settings docs/performance.md quotes (size and time per setting, same picture).
"""

from __future__ import annotations

import io
import time

from PIL import Image

from articles.photos.renditions import FORMATS, RenditionSpec, renditions_encode

WIDTHS = (1600, 1024, 640, 320)
SPECS = [
    RenditionSpec(name=f"w{width}.{fmt}", width=width, crop=None, format=fmt)
    for width in WIDTHS
    for fmt in ("jpeg", "webp")
]
WAGTAIL_PARAMS = {
    "jpeg": ("JPEG", {"quality": 85, "progressive": True, "optimize": True}),
    "webp": ("WEBP", {"quality": 80}),
}


def photo_24mp(width: int = 6000, height: int = 4000) -> bytes:
    """A deterministic photo-like JPEG: smooth colour fields, edges and a little grain."""
    small = (width // 16, height // 16)
    red = Image.linear_gradient("L").resize(small)
    green = Image.radial_gradient("L").resize(small)
    blue = Image.effect_noise(small, 64).convert("L")
    picture = Image.merge("RGB", (red, green, blue)).resize(
        (width, height), Image.Resampling.BICUBIC
    )
    grain = Image.effect_noise((width, height), 12).convert("RGB")
    picture = Image.blend(picture, grain, 0.08)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def wagtail_style(data: bytes) -> int:
    total = 0
    for spec in SPECS:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            height = round(image.height * spec.width / image.width)
            resized = image.resize((spec.width, height), Image.Resampling.LANCZOS)
        pil_format, params = WAGTAIL_PARAMS[spec.format]
        buffer = io.BytesIO()
        resized.save(buffer, pil_format, **params)
        total += buffer.tell()
    return total


def single_decode(data: bytes) -> int:
    total = 0
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (max(WIDTHS), max(WIDTHS) * image.height // image.width))
        image.load()
        for spec in SPECS:
            height = round(image.height * spec.width / image.width)
            resized = image.resize((spec.width, height), Image.Resampling.LANCZOS)
            pil_format, _extension, params = FORMATS[spec.format]
            buffer = io.BytesIO()
            resized.save(buffer, pil_format, **params)
            total += buffer.tell()
    return total


def newsroom(data: bytes) -> int:
    total = 0
    for _spec, _size, buffer in renditions_encode(
        file=io.BytesIO(data), specs=SPECS, focal=(0.5, 0.5)
    ):
        total += len(buffer.getbuffer())
    return total


def renditions_measure(rounds: int = 3, data: bytes | None = None) -> dict:
    data = data or photo_24mp()
    paths = {"wagtail": wagtail_style, "single_decode": single_decode, "newsroom": newsroom}
    best = dict.fromkeys(paths, float("inf"))
    sizes = {}
    for _round in range(rounds):
        for name, path in paths.items():
            started = time.perf_counter()
            sizes[name] = path(data)
            best[name] = min(best[name], time.perf_counter() - started)
    return {
        "photo": "one generated 24-MP JPEG (6000x4000), 8 renditions (4 widths x JPEG, WebP)",
        "seconds": {name: round(value, 3) for name, value in best.items()},
        "bytes": sizes,
        "vs_wagtail": round(best["wagtail"] / best["newsroom"], 2),
        "vs_single_decode": round(best["single_decode"] / best["newsroom"], 2),
        "rounds": rounds,
    }


def encoders_measure(repeat: int = 5) -> list[dict]:
    """Size and encode time of each encoder setting, on the 4 widths of the same picture."""
    with Image.open(io.BytesIO(photo_24mp())) as image:
        image.draft("RGB", (1600, 1067))
        image.load()
        pictures = [
            image.resize((w, round(image.height * w / image.width)), Image.Resampling.LANCZOS)
            for w in WIDTHS
        ]
    settings = [
        ("JPEG", "q82 baseline", {"quality": 82}),
        ("JPEG", "q82 optimize", {"quality": 82, "optimize": True}),
        ("JPEG", "q82 progressive", {"quality": 82, "progressive": True}),
        ("JPEG", "q82 both", {"quality": 82, "optimize": True, "progressive": True}),
        *[("WEBP", f"q80 method {m}", {"quality": 80, "method": m}) for m in (0, 2, 3, 4, 6)],
    ]
    rows = []
    for pil_format, label, params in settings:
        best, size = float("inf"), 0
        for _ in range(repeat):
            started = time.perf_counter()
            size = 0
            for picture in pictures:
                buffer = io.BytesIO()
                picture.save(buffer, pil_format, **params)
                size += buffer.tell()
            best = min(best, time.perf_counter() - started)
        ms = round(best * 1000, 1)
        rows.append({"setting": f"{pil_format} {label}", "ms": ms, "bytes": size})
    return rows
