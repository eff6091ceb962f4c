"""Reading WXR files: every bad input gets a clear error naming the line, and nothing is
written from a file that cannot be read."""

from __future__ import annotations

import pytest

from articles.models import Article
from articles.wordpress.wxr import Channel, WxrError, WxrItem, wxr_read
from tests.support.wordpress import PORTAL, import_state, run_import

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="{ns}" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:excerpt="{ns}excerpt/">
<channel>
<title>Uji</title><link>https://uji.test</link><language>id</language>
<wp:wxr_version>{version}</wp:wxr_version>
<wp:base_blog_url>https://uji.test</wp:base_blog_url>
"""
ITEM = """<item><title>{title}</title><link>https://uji.test/{id}/</link>
<dc:creator>admin</dc:creator>
<content:encoded><![CDATA[{body}]]></content:encoded>
<wp:post_id>{id}</wp:post_id><wp:post_date_gmt>2024-05-06 01:00:00</wp:post_date_gmt>
<wp:post_name>berita-{id}</wp:post_name><wp:status>publish</wp:status>
<wp:post_type>post</wp:post_type></item>
"""
TAIL = "</channel>\n</rss>\n"


def export(*items: str, ns="http://wordpress.org/export/1.2/", version="1.2") -> str:
    return HEAD.format(ns=ns, version=version) + "".join(items) + TAIL


def item(id=1, title="Berita", body="Isi berita."):
    return ITEM.format(id=id, title=title, body=body)


def write(tmp_path, content, name="export.xml") -> str:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return str(path)


def read_all(path):
    return list(wxr_read(path))


def error_of(tmp_path, content) -> WxrError:
    with pytest.raises(WxrError) as info:
        read_all(write(tmp_path, content))
    return info.value


@pytest.mark.parametrize(
    "ns", ["http://wordpress.org/export/1.2/", "https://wordpress.org/export/1.2/",
           "http://wordpress.org/export/1.0/", "https://wordpress.org/export/1.1/"],
)  # fmt: skip
def test_both_namespace_spellings_and_every_version_are_read(tmp_path, ns):
    version = ns.rstrip("/").rsplit("/", 1)[1]
    records = read_all(write(tmp_path, export(item(), ns=ns, version=version)))

    assert isinstance(records[0], Channel)
    assert records[0].wxr_version == version
    assert [r.title for r in records if isinstance(r, WxrItem)] == ["Berita"]


def test_not_xml(tmp_path):
    error = error_of(tmp_path, "This is a CSV, not an export\n1,2,3\n")
    assert error.line == 1
    assert "Not well-formed XML" in str(error)


def test_an_empty_file(tmp_path):
    assert "empty or not XML" in str(error_of(tmp_path, ""))


def test_xml_that_is_not_rss(tmp_path):
    error = error_of(tmp_path, '<?xml version="1.0"?>\n<html><body/></html>')
    assert error.line == 2
    assert "not <rss>" in str(error)


def test_rss_that_is_not_wxr(tmp_path):
    content = '<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title>' \
        "<item><title>A</title></item></channel></rss>"  # fmt: skip
    assert "no <wp:wxr_version>" in str(error_of(tmp_path, content))


def test_an_unknown_wxr_version(tmp_path):
    error = error_of(tmp_path, export(item(), version="2.0"))
    assert "Unknown WXR version '2.0'" in str(error)
    assert error.line == 6


def test_an_unknown_wxr_namespace(tmp_path):
    error = error_of(tmp_path, export(item(), ns="https://wordpress.org/export/9.9/"))
    assert "Unknown WXR namespace https://wordpress.org/export/9.9/" in str(error)


def test_a_missing_namespace_declaration(tmp_path):
    content = export(item()).replace(' xmlns:wp="http://wordpress.org/export/1.2/"', "")
    error = error_of(tmp_path, content)
    assert "unbound prefix" in str(error)
    assert error.line == 6


def test_malformed_cdata(tmp_path):
    content = export(item(id=1), item(id=2, body="Isi yang tidak ditutup"))
    content = content.replace("tidak ditutup]]>", "tidak ditutup]>")
    error = error_of(tmp_path, content)
    assert "unclosed CDATA section" in str(error)
    assert error.line == 22  # where expat finds the file ends inside it


def test_an_undeclared_entity(tmp_path):
    content = export(item()).replace(
        "<title>Berita</title>", "<title>Berita &nbsp; hari ini</title>"
    )
    error = error_of(tmp_path, content)
    assert "undefined entity" in str(error)
    assert error.line == 8


def test_external_entities_are_never_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("rahasia")
    content = export(item(title="&xxe;")).replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>',
    )
    error = error_of(tmp_path, content)
    assert "declares a DTD" in str(error)
    assert error.line == 2


def test_entity_expansion_is_refused(tmp_path):
    laughs = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    content = export(item(title="&lol9;")).replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY lol0 "lol">{laughs}]>',
    )
    assert "declares a DTD" in str(error_of(tmp_path, content))


def test_a_dtd_fetched_from_the_network_is_refused(tmp_path):
    content = export(item()).replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "http://169.254.169.254/latest/meta-data">',
    )
    assert "declares a DTD" in str(error_of(tmp_path, content))


def test_a_file_over_the_limit_is_refused_before_reading(tmp_path, settings):
    settings.WORDPRESS_IMPORT_MAX_BYTES = 1024 * 1024
    path = write(tmp_path, export(item(body="x" * (2 * 1024 * 1024))))
    with pytest.raises(WxrError, match="at most 1 MB can be imported at once"):
        read_all(path)


def test_invalid_utf8_and_control_characters_are_repaired_and_reported_per_post(
    editor, sent_tasks, tmp_path
):
    content = export(item(id=1, body="Bersih."), item(id=2, title="Rusak", body="Isi BAD"))
    data = content.encode("utf-8").replace(b"Isi BAD", b"Isi \xff\xfe rusak \x01\x0b")
    path = write(tmp_path, data)

    summary = run_import(path, editor)

    assert summary.as_dict()["kinds"]["post"] == {"created": 2}
    repaired = [w for w in summary.warnings if "replaced" in w]
    assert repaired == ["post 2: invalid UTF-8 or control characters were replaced"]
    assert "\ufffd rusak \ufffd" in Article.objects.get(headline="Rusak").body


def test_a_latin1_export_is_read_in_its_encoding(tmp_path):
    content = export(item(title="Caf\u00e9")).replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
    records = read_all(write(tmp_path, content.encode("latin-1")))
    assert [r.title for r in records if isinstance(r, WxrItem)] == ["Caf\u00e9"]


def test_nothing_is_written_when_the_end_of_the_file_is_broken(editor, sent_tasks, tmp_path):
    content = export(item(id=1), item(id=2)).replace("</channel>", "<item><title>Putus")
    path = write(tmp_path, content)
    before = import_state()

    with pytest.raises(WxrError):
        run_import(path, editor)

    assert import_state() == before


def test_a_missing_file(tmp_path):
    with pytest.raises(WxrError, match="cannot be read"):
        read_all(str(tmp_path / "missing.xml"))


def test_the_portal_fixture_reads_in_order():
    records = read_all(PORTAL)
    items = [r for r in records if isinstance(r, WxrItem)]
    assert [(i.post_type, i.post_id) for i in items] == [
        ("post", "101"), ("post", "102"), ("post", "103"), ("post", "104"),
        ("page", "2"), ("attachment", "201"), ("attachment", "202"), ("attachment", "203"),
    ]  # fmt: skip
    assert items[0].meta["_thumbnail_id"] == "201"
    assert items[0].comments == 1
