"""Uploaded images as newsroom stores them: the picture, and nothing that could say more.

An upload may carry the photographer's position (EXIF GPS, XMP and IPTC location fields),
camera serial numbers, comments, thumbnails and previews, and bytes that are no image data at
all: HTML after a PNG's end, a ZIP after a GIF's trailer, markup in a PNG text chunk or a
JPEG comment (a polyglot). `image_clean` rewrites the file's container and keeps only what a
decoder needs to show the same picture: the compressed image data as it was (nothing is
re-encoded, no quality is lost), colour information (ICC profile, PNG colour chunks, JPEG's
JFIF and Adobe segments), animation control, and the EXIF orientation as the only metadata.
Everything else, and anything after the image's end, is dropped; the result of cleaning a
clean file is the same file.

`PhotoField` runs it on every file it stores (photos and author pictures, whatever saves
them). Caption and credit are read from the upload before (`photo_fill_metadata`).
"""

from __future__ import annotations

import struct
import zlib

EXIF_ORIENTATION = 0x0112

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Chunks that draw the picture (image data, palette, transparency, colour, pixel size,
# animation); text, time, EXIF and private chunks are left out.
PNG_KEPT_CHUNKS = frozenset(
    {
        b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT",
        b"sRGB", b"cICP", b"mDCV", b"cLLI", b"bKGD", b"pHYs", b"acTL", b"fcTL", b"fdAT",
    }
)  # fmt: skip
WEBP_KEPT_CHUNKS = frozenset({b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"})
WEBP_FRAME_CHUNKS = frozenset({b"VP8 ", b"VP8L", b"ALPH"})
# VP8X flags: EXIF and XMP present.
WEBP_FLAG_EXIF = 0x08
WEBP_FLAG_XMP = 0x04
# GIF application extensions that carry the loop count; any other (XMP, ICC) is left out.
GIF_LOOP_APPLICATIONS = (b"NETSCAPE2.0", b"ANIMEXTS1.0")


class ImageCleanError(ValueError):
    """The file is not a JPEG, PNG, GIF or WebP whose structure can be read to its end."""


def image_clean(data: bytes) -> bytes:
    """`data` (a JPEG, PNG, GIF or WebP file) without metadata or bytes past the image.

    Keeps the EXIF orientation (as a minimal EXIF block) so the picture stays upright.
    Raises `ImageCleanError` for any other format or a file cut short.
    """
    if data.startswith(b"\xff\xd8"):
        return _clean_jpeg(data)
    if data.startswith(PNG_SIGNATURE):
        return _clean_png(data)
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return _clean_gif(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _clean_webp(data)
    raise ImageCleanError("Not a JPEG, PNG, GIF or WebP file.")


def _orientation(exif: bytes) -> int:
    """The orientation in an EXIF block (with or without the "Exif\\0\\0" header); 1 if none."""
    from articles.photos.pillow import Image

    try:
        parsed = Image.Exif()
        parsed.load(exif)
        value = parsed.get(EXIF_ORIENTATION, 1)
    except Exception:  # noqa: BLE001 - a damaged EXIF block simply has no orientation
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _orientation_exif(orientation: int) -> bytes:
    """A TIFF-structured EXIF block holding only `orientation` (no "Exif\\0\\0" header)."""
    from articles.photos.pillow import Image

    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = orientation
    return exif.tobytes()[len(b"Exif\x00\x00") :]


# --- JPEG ----------------------------------------------------------------------------------


def _clean_jpeg(data: bytes) -> bytes:
    """SOI, a thumbnail-less JFIF header, the orientation, then tables, frame and scans up to
    the first EOI. Dropped: other APPn segments (EXIF, XMP, IPTC, MPF previews, maker data),
    comments, stray bytes between segments and everything after EOI (an MPO's other images).
    """
    size = len(data)
    jfif = b""
    segments: list[bytes] = []
    orientation = 1
    pos = 2
    while True:
        if pos >= size:
            raise ImageCleanError("The JPEG ends before its end marker.")
        if data[pos] != 0xFF:
            # Stray bytes between segments: decoders skip them, and so are they dropped.
            pos = data.find(b"\xff", pos)
            if pos < 0:
                raise ImageCleanError("The JPEG ends before its end marker.")
            continue
        while pos < size and data[pos] == 0xFF:  # fill bytes before a marker
            pos += 1
        if pos >= size:
            raise ImageCleanError("The JPEG ends before its end marker.")
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # EOI
            break
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a length
            continue
        if pos + 2 > size:
            raise ImageCleanError("The JPEG ends inside a segment.")
        length = int.from_bytes(data[pos : pos + 2], "big")
        if length < 2 or pos + length > size:
            raise ImageCleanError("The JPEG ends inside a segment.")
        payload = data[pos + 2 : pos + length]
        pos += length
        if marker == 0xDA:  # SOS: the header, then entropy-coded data up to the next marker
            end = _scan_end(data, pos)
            segments.append(b"\xff\xda" + length.to_bytes(2, "big") + payload + data[pos:end])
            pos = end
        elif marker == 0xE0:
            if payload.startswith(b"JFIF\x00") and len(payload) >= 14 and not jfif:
                # Density kept; the optional thumbnail is not (zero width and height).
                jfif = _jpeg_segment(0xE0, payload[:12] + b"\x00\x00")
        elif marker == 0xE1:
            if payload.startswith(b"Exif\x00\x00"):
                orientation = _orientation(payload)
        elif marker == 0xE2:
            if payload.startswith(b"ICC_PROFILE\x00"):
                segments.append(_jpeg_segment(marker, payload))
        elif marker == 0xEE:
            if payload.startswith(b"Adobe"):  # colour transform of CMYK and YCCK files
                segments.append(_jpeg_segment(marker, payload))
        elif 0xE3 <= marker <= 0xEF or marker == 0xFE:
            pass  # other application data and comments
        else:
            segments.append(_jpeg_segment(marker, payload))  # tables and the frame header
    exif = b""
    if orientation != 1:
        exif = _jpeg_segment(0xE1, b"Exif\x00\x00" + _orientation_exif(orientation))
    return b"".join([b"\xff\xd8", jfif, exif, *segments, b"\xff\xd9"])


def _jpeg_segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + (len(payload) + 2).to_bytes(2, "big") + payload


def _scan_end(data: bytes, pos: int) -> int:
    """Where the entropy-coded data starting at `pos` ends: at the first marker that is not
    a stuffed 0xFF00 or a restart marker."""
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            raise ImageCleanError("The JPEG ends inside its image data.")
        following = data[pos + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            pos += 2
        elif following == 0xFF:
            pos += 1
        else:
            return pos


# --- PNG -----------------------------------------------------------------------------------


def _clean_png(data: bytes) -> bytes:
    """The signature and `PNG_KEPT_CHUNKS` up to IEND, with the orientation as an eXIf chunk
    before the image data; chunk bytes are copied as they were."""
    chunks: list[bytes] = []
    orientation = 1
    pos = len(PNG_SIGNATURE)
    while True:
        if pos + 12 > len(data):
            raise ImageCleanError("The PNG ends before its IEND chunk.")
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data):
            raise ImageCleanError("The PNG ends inside a chunk.")
        if kind == b"eXIf":
            orientation = _orientation(data[pos + 8 : end - 4])
        elif kind in PNG_KEPT_CHUNKS:
            chunks.append(data[pos:end])
        pos = end
        if kind == b"IEND":
            break
    if orientation != 1:
        first_data = next(i for i, chunk in enumerate(chunks) if chunk[4:8] in (b"IDAT", b"IEND"))
        chunks.insert(first_data, _png_chunk(b"eXIf", _orientation_exif(orientation)))
    return PNG_SIGNATURE + b"".join(chunks)


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    crc = struct.pack(">I", zlib.crc32(kind + payload))
    return len(payload).to_bytes(4, "big") + kind + payload + crc


# --- GIF -----------------------------------------------------------------------------------


def _clean_gif(data: bytes) -> bytes:
    """Header, screen descriptor and colour table, then frames (graphic control, image
    descriptor, colour table, image data) up to the trailer, and the loop count. Dropped:
    comments, plain-text and other application extensions (XMP), stray bytes, and anything
    after the trailer (an appended ZIP)."""
    if len(data) < 13:
        raise ImageCleanError("The GIF ends inside its header.")
    pos = 13 + _gif_color_table_size(data[10])
    out = [data[:pos]]
    while True:
        if pos >= len(data):
            break  # no trailer: decoders stop here too, and one is written below
        introducer = data[pos]
        if introducer == 0x3B:
            break
        if introducer == 0x21:
            if pos + 2 > len(data):
                raise ImageCleanError("The GIF ends inside an extension.")
            label = data[pos + 1]
            blocks, pos = _gif_sub_blocks(data, pos + 2)
            if label == 0xF9 and blocks and len(blocks[0]) == 4:
                out.append(b"\x21\xf9\x04" + blocks[0] + b"\x00")
            elif label == 0xFF and blocks and blocks[0] in GIF_LOOP_APPLICATIONS:
                loop = next((b for b in blocks[1:] if len(b) == 3 and b[0] == 1), None)
                if loop is not None:
                    out.append(b"\x21\xff\x0b" + blocks[0] + b"\x03" + loop + b"\x00")
        elif introducer == 0x2C:
            start = pos
            if pos + 11 > len(data):
                raise ImageCleanError("The GIF ends inside an image descriptor.")
            pos += 10 + _gif_color_table_size(data[pos + 9]) + 1  # + LZW minimum code size
            _blocks, pos = _gif_sub_blocks(data, pos)
            out.append(data[start:pos])
        else:
            pos += 1  # a stray byte, skipped as decoders skip it
    out.append(b"\x3b")
    return b"".join(out)


def _gif_color_table_size(packed: int) -> int:
    return 3 * 2 ** ((packed & 0x07) + 1) if packed & 0x80 else 0


def _gif_sub_blocks(data: bytes, pos: int) -> tuple[list[bytes], int]:
    """The data sub-blocks starting at `pos` and the position after their terminator."""
    blocks = []
    while True:
        if pos >= len(data):
            raise ImageCleanError("The GIF ends inside a data block.")
        size = data[pos]
        pos += 1
        if size == 0:
            return blocks, pos
        if pos + size > len(data):
            raise ImageCleanError("The GIF ends inside a data block.")
        blocks.append(data[pos : pos + size])
        pos += size


# --- WebP ----------------------------------------------------------------------------------


def _clean_webp(data: bytes) -> bytes:
    """The RIFF container rebuilt from `WEBP_KEPT_CHUNKS` (frames from their image chunks
    only), with the orientation as the only EXIF; nothing past the RIFF size is kept."""
    riff_end = min(len(data), 8 + int.from_bytes(data[4:8], "little"))
    found = list(_riff_chunks(data, 12, riff_end))
    orientation = next((_orientation(payload) for kind, payload in found if kind == b"EXIF"), 1)
    if not found or found[0][0] != b"VP8X":
        orientation = 1  # EXIF needs the extended format's header; a simple WebP has none
    chunks = []
    for kind, payload in found:
        if kind == b"ANMF":
            if len(payload) < 16:
                raise ImageCleanError("The WebP has a damaged animation frame.")
            frame = [
                _riff_chunk(sub_kind, sub_payload)
                for sub_kind, sub_payload in _riff_chunks(payload, 16, len(payload))
                if sub_kind in WEBP_FRAME_CHUNKS
            ]
            chunks.append(_riff_chunk(kind, payload[:16] + b"".join(frame)))
        elif kind == b"VP8X":
            if len(payload) < 10:
                raise ImageCleanError("The WebP has a damaged VP8X chunk.")
            flags = payload[0] & ~(WEBP_FLAG_EXIF | WEBP_FLAG_XMP)
            if orientation != 1:
                flags |= WEBP_FLAG_EXIF
            chunks.append(_riff_chunk(kind, bytes([flags]) + payload[1:]))
        elif kind in WEBP_KEPT_CHUNKS:
            chunks.append(_riff_chunk(kind, payload))
    if not chunks:
        raise ImageCleanError("The WebP holds no image.")
    if orientation != 1:
        chunks.append(_riff_chunk(b"EXIF", _orientation_exif(orientation)))
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + len(body).to_bytes(4, "little") + body


def _riff_chunks(data: bytes, pos: int, end: int):
    while pos + 8 <= end:
        kind = data[pos : pos + 4]
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        if pos + 8 + size > end:
            raise ImageCleanError("The WebP ends inside a chunk.")
        yield kind, data[pos + 8 : pos + 8 + size]
        pos += 8 + size + (size & 1)  # chunks are padded to an even size


def _riff_chunk(kind: bytes, payload: bytes) -> bytes:
    padding = b"\x00" if len(payload) & 1 else b""
    return kind + len(payload).to_bytes(4, "little") + payload + padding
