"""Caption, credit, copyright and source read from an upload's EXIF, IPTC and XMP, reconciled
by the Metadata Working Group's rules (`photo_metadata_from_file`)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles.photos.metadata import photo_fill_metadata, photo_metadata_from_file
from articles.photos.models import Photo
from tests.support.images import (
    fixture_photo,
    iptc_block,
    jpeg,
    md5,
    photoshop_segment,
    with_segments,
    xmp_segment,
)

XMP = {
    "dc:description": "XMP caption",
    "dc:creator": "XMP Creator",
    "dc:rights": "XMP rights",
    "photoshop:Credit": "XMP Agency",
    "photoshop:Source": "XMP source",
}
IPTC = iptc_block(
    [(120, "IPTC caption"), (80, "IPTC Creator"), (116, "IPTC rights"), (110, "IPTC Agency"),
     (115, "IPTC source")]
)  # fmt: skip
FROM_XMP = {
    "caption": "XMP caption",
    "credit": "XMP Creator/XMP Agency",
    "copyright": "XMP rights",
    "source": "XMP source",
}
FROM_IPTC = {
    "caption": "IPTC caption",
    "credit": "IPTC Creator/IPTC Agency",
    "copyright": "IPTC rights",
    "source": "IPTC source",
}


def metadata(data: bytes) -> dict[str, str]:
    return photo_metadata_from_file(file=SimpleUploadedFile("photo.jpg", data))


def exif(**tags) -> Image.Exif:
    result = Image.Exif()
    for key, value in tags.items():
        result[int(key[1:])] = value
    return result


def test_without_a_digest_xmp_wins_over_iptc():
    data = with_segments(jpeg(), photoshop_segment(IPTC), xmp_segment(XMP))

    assert metadata(data) == FROM_XMP


def test_with_a_matching_digest_xmp_wins_over_iptc():
    data = with_segments(jpeg(), photoshop_segment(IPTC, digest=md5(IPTC)), xmp_segment(XMP))

    assert metadata(data) == FROM_XMP


def test_with_a_digest_that_does_not_match_the_iptc_wins():
    """A tool that knows no XMP edited the IPTC after the XMP was last synchronised."""
    stale = md5(b"the IPTC block as it was when the XMP was written")
    data = with_segments(jpeg(), photoshop_segment(IPTC, digest=stale), xmp_segment(XMP))

    assert metadata(data) == FROM_IPTC


def test_exif_comes_first_where_present():
    tags = exif(t270="EXIF caption", t315="EXIF Artist", t33432="EXIF rights")
    stale = md5(b"something else")
    data = with_segments(jpeg(exif=tags), photoshop_segment(IPTC, digest=stale), xmp_segment(XMP))

    # Credit line and source have no EXIF tag: they come from the IPTC, which wins here.
    assert metadata(data) == {
        "caption": "EXIF caption",
        "credit": "EXIF Artist/IPTC Agency",
        "copyright": "EXIF rights",
        "source": "IPTC source",
    }


def test_blank_or_padded_exif_values_are_ignored():
    tags = exif(t270="   ", t315="\x00\x00\x00", t33432=" \x00 ")
    data = with_segments(jpeg(exif=tags), photoshop_segment(IPTC), xmp_segment(XMP))

    assert metadata(data) == FROM_XMP


def test_exif_text_in_utf8_and_copyright_in_two_parts():
    raw = exif(t270="Caf?? di Braga", t33432="Foto Rani\x00Redaksi").tobytes()
    data = jpeg()
    data = data[:2] + b"\xff\xe1" + (len(raw) + 2).to_bytes(2, "big") + raw.replace(
        b"??", "é".encode()
    ) + data[2:]  # fmt: skip

    assert metadata(data) == {"caption": "Café di Braga", "copyright": "Foto Rani, Redaksi"}


def test_iptc_fills_in_what_the_xmp_lacks():
    data = with_segments(
        jpeg(), photoshop_segment(IPTC), xmp_segment({"dc:description": "XMP caption"})
    )

    assert metadata(data) == {**FROM_IPTC, "caption": "XMP caption"}


def test_an_iptc_value_cut_at_its_length_limit_gives_way_to_the_whole_xmp_value():
    rights = "© 2026 " + "Newsroom photo desk, all rights reserved. " * 4
    iptc = iptc_block([(116, rights[:128]), (120, "IPTC caption")])
    data = with_segments(
        jpeg(),
        photoshop_segment(iptc, digest=md5(b"stale")),
        xmp_segment({"dc:rights": rights, "dc:description": "XMP caption"}),
    )

    assert metadata(data) == {"caption": "IPTC caption", "copyright": rights.strip()}


def test_the_default_language_of_an_xmp_alternative_is_taken():
    packet = xmp_segment({}).replace(
        b"</rdf:Description>",
        b'<dc:description><rdf:Alt><rdf:li xml:lang="id">Banjir di Bandung</rdf:li>'
        b'<rdf:li xml:lang="x-default">Flood in Bandung</rdf:li></rdf:Alt></dc:description>'
        b"</rdf:Description>",
    )
    packet = packet[:2] + (len(packet) - 2).to_bytes(2, "big") + packet[4:]

    assert metadata(with_segments(jpeg(), packet)) == {"caption": "Flood in Bandung"}


def test_a_credit_line_holding_the_creator_is_not_repeated():
    data = with_segments(
        jpeg(),
        xmp_segment(
            {"dc:creator": "Willy Kurniawan", "photoshop:Credit": "REUTERS/Willy Kurniawan"}
        ),
    )

    assert metadata(data) == {"credit": "REUTERS/Willy Kurniawan"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # IPTC only (its digest does not match, but there is no XMP to prefer).
        ("IPTC.jpg", {"caption": "A witty caption", "credit": "Phil Harvey/My Credit",
                      "copyright": "Copyright 2004 Phil Harvey", "source": "I'm the source"}),
        # EXIF description, artist and copyright before the XMP packet's.
        ("XMP.jpg", {"caption": "A witty caption", "credit": "Phil Harvey/My Credit",
                     "copyright": "Copyright 2004 Phil Harvey", "source": "I'm the source"}),
        ("ExifTool.jpg", {"caption": "A witty caption", "credit": "Phil Harvey/My Credit",
                          "copyright": "Copyright 2004 Phil Harvey", "source": "I'm the source"}),
        # EXIF; the IPTC credit line is the creator's name.
        ("GPS.jpg", {"caption": "Communications", "credit": "Ian Britton",
                     "copyright": "ian Britton - FreeFoto.com", "source": "FreeFoto.com"}),
        # IPTC and XMP without a digest: the XMP.
        ("PhotoMechanic.jpg", {"caption": "Caption", "credit": "Photographer/Credit",
                               "copyright": "Copyright", "source": "Source"}),
        ("Canon.jpg", {}),
        ("FotoStation.jpg", {}),
        ("Writer.jpg", {}),
    ],
)  # fmt: skip
def test_real_world_files(name, expected):
    assert photo_metadata_from_file(file=fixture_photo(name)) == expected


def test_a_file_that_is_no_image_has_none():
    assert metadata(b"not an image") == {}


def test_fill_metadata_keeps_what_the_editor_typed():
    photo = Photo(image=fixture_photo("PhotoMechanic.jpg"), caption="Typed by the desk")

    filled = photo_fill_metadata(photo=photo)

    assert filled == ["credit", "copyright", "source"]
    assert (photo.caption, photo.credit, photo.copyright, photo.source) == (
        "Typed by the desk", "Photographer/Credit", "Copyright", "Source",
    )  # fmt: skip
