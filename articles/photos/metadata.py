"""Caption, credit, copyright and source read from a photo's EXIF, IPTC and XMP metadata,
reconciled by the Metadata Working Group's rules. Read from the upload, before the stored
file loses its metadata (`articles.photos.clean`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from articles.photos.images import PHOTO_FORMATS
from articles.photos.models import Photo

IPTC_CHARSET = (1, 90)
# Photoshop image resources (APP13): the IPTC-IIM block, and the MD5 digest of the IPTC block
# an XMP-aware tool last saw (MWG: it tells whether the XMP is still in step with the IPTC).
PHOTOSHOP_IPTC = 0x0404
PHOTOSHOP_IPTC_DIGEST = 0x0425


@dataclass(frozen=True)
class MetadataField:
    """Where one value lives in EXIF (IFD0 tag), IPTC (dataset) and XMP (property, without
    its namespace as Pillow gives it), and the IPTC dataset's length limit."""

    exif: int | None
    iptc: tuple[int, int]
    xmp: str
    iptc_limit: int


# The MWG's Description, Creator and Copyright; the credit line and the source have no EXIF
# tag and are reconciled between IPTC and XMP the same way.
METADATA_FIELDS = {
    "description": MetadataField(0x010E, (2, 120), "description", 2000),
    "creator": MetadataField(0x013B, (2, 80), "creator", 32),
    "rights": MetadataField(0x8298, (2, 116), "rights", 128),
    "credit_line": MetadataField(None, (2, 110), "Credit", 32),
    "source": MetadataField(None, (2, 115), "Source", 32),
}
METADATA_LIMITS = {"caption": 5000, "credit": 255, "copyright": 255, "source": 255}


def photo_metadata_from_file(*, file) -> dict[str, str]:
    """Caption, credit, copyright and source from a photo's EXIF, IPTC and XMP metadata.

    Agency pictures carry them; photo desks expect them pre-filled. Where the three disagree,
    the Metadata Working Group's rules pick (as ExifTool's MWG module does):

    * EXIF `ImageDescription`, `Artist` and `Copyright` first, unless blank;
    * then XMP, unless the IPTC block carries a digest (Photoshop resource 0x0425) that does
      not match it: a tool that knows no XMP edited the IPTC later, and the IPTC wins (an
      IPTC value cut at its dataset's length limit gives way to the XMP value it starts);
    * IPTC where the XMP lacks the value.

    The credit is "Creator/Credit line" ("Name/Agency", the house style without "Foto:"),
    or whichever there is; the source is who supplied the photo (IPTC Source). Reads the
    file's headers only. Missing values are left out of the result.
    """
    from articles.photos.pillow import Image, IptcImagePlugin

    file.seek(0)
    try:
        with Image.open(file, formats=PHOTO_FORMATS) as image:
            exif = image.getexif()
            photoshop = image.info.get("photoshop") or {}
            iptc = IptcImagePlugin.getiptcinfo(image) or {}
            try:
                xmp = image.getxmp() if hasattr(image, "getxmp") else {}
            except Exception:  # noqa: BLE001 - a broken XMP packet is simply ignored
                xmp = {}
    except (OSError, SyntaxError, ValueError):
        return {}
    finally:
        file.seek(0)
    iptc_block = photoshop.get(PHOTOSHOP_IPTC)
    digest = photoshop.get(PHOTOSHOP_IPTC_DIGEST)
    # No digest, or one that matches the IPTC present: the XMP is current.
    xmp_current = digest is None or (
        iptc_block is not None and digest == hashlib.md5(iptc_block).digest()  # noqa: S324
    )
    utf8 = iptc.get(IPTC_CHARSET) == b"\x1b%G"
    descriptions = _xmp_descriptions(xmp)
    values = {}
    for name, field in METADATA_FIELDS.items():
        exif_value = _exif_text(exif.get(field.exif)) if field.exif else ""
        xmp_value = _xmp_value(descriptions, field.xmp).strip()
        iptc_value = _iptc_text(iptc.get(field.iptc), utf8).strip()
        if exif_value:
            values[name] = exif_value
            continue
        iptc_wins = bool(iptc) and not (xmp_value and xmp_current)
        cut = len(iptc_value) == field.iptc_limit and xmp_value.startswith(iptc_value)
        values[name] = iptc_value if iptc_wins and not cut else xmp_value
    found = {
        "caption": values["description"],
        "credit": _credit(values["creator"], values["credit_line"]),
        "copyright": values["rights"],
        "source": values["source"],
    }
    return {name: value[: METADATA_LIMITS[name]] for name, value in found.items() if value}


def photo_fill_metadata(*, photo: Photo) -> list[str]:
    """Fill `photo`'s empty caption, credit, copyright and source from its file; no save.

    Returns the names of the fields it filled. A value an editor typed is never replaced.
    """
    found = photo_metadata_from_file(file=photo.image)
    filled = []
    for field, value in found.items():
        if not getattr(photo, field):
            setattr(photo, field, value)
            filled.append(field)
    return filled


def _credit(creator: str, credit_line: str) -> str:
    """ "Name/Agency" from the creator and the credit line, unless one holds the other."""
    if not creator or creator.casefold() in credit_line.casefold():
        return credit_line
    if not credit_line or credit_line.casefold() in creator.casefold():
        return creator
    return f"{creator}/{credit_line}"


def _exif_text(value) -> str:
    """An EXIF ASCII value as text: UTF-8 where it is (as the MWG recommends), else Latin-1
    as Pillow reads it; NUL-separated parts (Copyright's photographer and editor) joined;
    blank and padding-only values are empty."""
    if isinstance(value, bytes):
        raw = value
    elif isinstance(value, str):
        raw = value.encode("latin-1", errors="replace")
    else:
        return ""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return ", ".join(part.strip() for part in text.split("\x00") if part.strip())


def _iptc_text(value, utf8: bool) -> str:
    if not value:
        return ""
    if isinstance(value, list):
        value = b", ".join(value)
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return "" if utf8 else value.decode("latin-1")


def _xmp_descriptions(xmp: dict) -> list[dict]:
    try:
        descriptions = xmp["xmpmeta"]["RDF"]["Description"]
    except (KeyError, TypeError):
        return []
    if isinstance(descriptions, dict):
        descriptions = [descriptions]
    return [item for item in descriptions if isinstance(item, dict)]


def _xmp_value(descriptions: list[dict], key: str) -> str:
    for description in descriptions:
        if key in description:
            return _xmp_text(description[key])
    return ""


def _xmp_text(value) -> str:
    """Flatten XMP's rdf:Alt (the x-default language, else the first) and rdf:Seq / rdf:Bag
    (every item) structures to one string."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if isinstance(value.get("Alt"), dict):
            items = value["Alt"].get("li", [])
            items = items if isinstance(items, list) else [items]
            default = [i for i in items if isinstance(i, dict) and i.get("lang") == "x-default"]
            return _xmp_text((default or items or [""])[0])
        for container in ("Alt", "Seq", "Bag"):
            if container in value:
                return _xmp_text(value[container])
        if "li" in value:
            return _xmp_text(value["li"])
        return str(value.get("text", ""))
    if isinstance(value, list):
        texts = [_xmp_text(item) for item in value]
        return ", ".join(text for text in texts if text)
    return ""
