"""Image files built byte by byte for tests: JPEG segments (XMP, IPTC in Photoshop APP13,
comments), PNG chunks, and what agency and phone files carry (GPS, place names, trailers);
and the real-world photos of `../shared/fixtures/photos` as uploads."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from xml.sax.saxutils import escape

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.support import FIXTURE_PHOTOS

XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"
IPTC_DIGEST_RESOURCE = 0x0425
IPTC_RESOURCE = 0x0404


def jpeg(*, size=(40, 20), exif: Image.Exif | None = None, **save_options) -> bytes:
    """A small JPEG, red on the left and blue on the right (a turn is visible)."""
    image = Image.new("RGB", size, "red")
    image.paste(Image.new("RGB", (size[0] // 2, size[1]), "blue"), (size[0] // 2, 0))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif or Image.Exif(), **save_options)
    return buffer.getvalue()


def with_segments(data: bytes, *segments: bytes) -> bytes:
    """`data` (a JPEG) with `segments` inserted right after its SOI marker."""
    assert data[:2] == b"\xff\xd8"
    return data[:2] + b"".join(segments) + data[2:]


def segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


def xmp_segment(properties: dict[str, str], *, attributes: dict[str, str] | None = None) -> bytes:
    """APP1 with an XMP packet. `properties` maps "prefix:Name" to a value, written as an
    rdf:Alt (dc:description, dc:rights), rdf:Seq (dc:creator) or a simple element."""
    elements = []
    for name, value in properties.items():
        if name in ("dc:description", "dc:rights", "dc:title"):
            inner = f'<rdf:Alt><rdf:li xml:lang="x-default">{escape(value)}</rdf:li></rdf:Alt>'
        elif name == "dc:creator":
            inner = f"<rdf:Seq><rdf:li>{escape(value)}</rdf:li></rdf:Seq>"
        else:
            inner = escape(value)
        elements.append(f"<{name}>{inner}</{name}>")
    attrs = "".join(f' {name}="{escape(value)}"' for name, value in (attributes or {}).items())
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"'
        ' xmlns:exif="http://ns.adobe.com/exif/1.0/"'
        ' xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"'
        f"{attrs}>{''.join(elements)}</rdf:Description>"
        '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    )
    return segment(0xE1, XMP_HEADER + packet.encode())


def iptc_block(datasets: list[tuple[int, str]], *, utf8: bool = True) -> bytes:
    """IPTC-IIM datasets of record 2 (with the UTF-8 charset of record 1 first)."""
    out = b""
    if utf8:
        out += b"\x1c\x01\x5a" + struct.pack(">H", 3) + b"\x1b%G"
    for number, value in datasets:
        raw = value.encode()
        out += b"\x1c\x02" + bytes([number]) + struct.pack(">H", len(raw)) + raw
    return out


def photoshop_segment(iptc: bytes, *, digest: bytes | None = None) -> bytes:
    """APP13 "Photoshop 3.0" with the IPTC block and, if given, the IPTC digest (0x0425)."""

    def resource(code: int, data: bytes) -> bytes:
        padding = b"\x00" if len(data) % 2 else b""
        return (
            b"8BIM"
            + struct.pack(">H", code)
            + b"\x00\x00"
            + struct.pack(">I", len(data))
            + (data + padding)
        )

    payload = b"Photoshop 3.0\x00" + resource(IPTC_RESOURCE, iptc)
    if digest is not None:
        payload += resource(IPTC_DIGEST_RESOURCE, digest)
    return segment(0xED, payload)


def md5(data: bytes) -> bytes:
    return hashlib.md5(data).digest()  # noqa: S324 - the IPTC digest is MD5 by definition


def exif_with(**tags) -> Image.Exif:
    """EXIF with IFD0 tags by number (`exif_with(t270="…")`) and a GPS position."""
    exif = Image.Exif()
    for key, value in tags.items():
        exif[int(key[1:])] = value
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "S", (6.0, 54.0, 51.0), "E", (107.0, 36.0, 35.0)
    return exif


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A valid, tiny PNG whose header claims `width` x `height` RGB pixels (a bomb's shape)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def with_png_chunks(data: bytes, *chunks: bytes) -> bytes:
    """`data` (a PNG) with `chunks` inserted right after IHDR."""
    ihdr_end = 8 + 25
    return data[:ihdr_end] + b"".join(chunks) + data[ihdr_end:]


def pixels(data: bytes) -> list[bytes]:
    """Every frame's decoded pixels (RGBA), to compare pictures byte for byte. A JPEG has
    one: a multi-picture file's other "frames" are previews."""
    image = Image.open(io.BytesIO(data))
    frames = []
    count = 1 if image.format in ("JPEG", "MPO") else getattr(image, "n_frames", 1)
    for index in range(count):
        image.seek(index)
        frames.append(image.convert("RGBA").tobytes())
    return frames


def fixture_photo(name: str) -> SimpleUploadedFile:
    """An upload of one of the real-world photos in `FIXTURE_PHOTOS`."""
    return SimpleUploadedFile(name, (FIXTURE_PHOTOS / name).read_bytes(), "image/jpeg")


def rotated_jpeg(*, width: int = 400, height: int = 200, orientation: int = 6) -> bytes:
    """A landscape JPEG whose EXIF says "rotate 90° clockwise", with a GPS position.

    The left half is red and the right half blue, so the applied rotation is visible.
    """
    image = Image.new("RGB", (width, height), "red")
    image.paste(Image.new("RGB", (width // 2, height), "blue"), (width // 2, 0))
    exif = Image.Exif()
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1] = "S"
    gps[2] = (6.0, 54.0, 51.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=90)
    return buffer.getvalue()
