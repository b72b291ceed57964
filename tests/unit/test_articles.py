import json
from pathlib import Path

from assistant.articles import load_articles, parse_date
from tests.conftest import DEMO, WIKINEWS


def by_name(articles):
    return {Path(a.source_path.split("#")[0]).name + ("#" + a.source_path.split("#")[1] if "#" in a.source_path else ""): a for a in articles}


def test_seed_articles_get_date_outlet_dateline_and_a_title():
    articles, skipped = load_articles([str(DEMO)])
    assert skipped == []
    a = by_name(articles)
    first, second = a["000_6e7084da90daaea3.txt"], a["004_c23c7751a1e3a64a.txt"]
    # "BAKU, Azerbaijan, December 13." + the year the text mentions
    assert first.date == "2022-12-13" and first.dateline == "BAKU, Azerbaijan" and first.outlet == "Trend"
    assert first.title.startswith("Azerbaijanis living abroad issued a statement")
    # " date 2022-12-11 By Trend" header line
    assert second.date == "2022-12-11" and second.outlet == "Trend"
    assert second.title.startswith("The Azerbaijani Foreign Ministry has sent a note to Russia")
    assert not second.text.startswith("date")


def test_wikinews_header_gives_title_date_url_and_body():
    articles, skipped = load_articles([str(WIKINEWS)])
    assert [s.reason for s in skipped] == ["looks like a folder description, not an article"]
    assert len(articles) == 10
    for article in articles:
        name = Path(article.source_path).name
        assert article.date == name[:10]
        assert article.url.startswith("https://en.wikinews.org/wiki/")
        assert article.outlet == "Wikinews"
        first_line = (WIKINEWS / name).read_text().split("\n")[0]
        assert article.title == first_line
        assert not article.text.startswith(("date ", "source "))


def test_markdown_html_json_and_jsonl_are_read(tmp_path):
    (tmp_path / "a.md").write_text("---\ntitle: Front matter title\ndate: 2024-03-05\noutlet: Example Times\n---\n# Heading\n\nBody of the markdown article. It has two sentences.\n")
    (tmp_path / "b.html").write_text(
        "<html><head><title>Page title</title><meta property='article:published_time' content='2024-03-06T10:00:00Z'>"
        "<meta property='og:site_name' content='Daily Planet'><script>var x = 1;</script></head>"
        "<body><nav>Home | World</nav><h1>The headline</h1><p>First paragraph &amp; more.</p><p>Second one.</p></body></html>"
    )
    (tmp_path / "c.json").write_text(json.dumps({"title": "JSON one", "date": "March 7, 2024", "url": "https://example.org/x", "body": "The JSON body."}))
    (tmp_path / "d.jsonl").write_text(
        json.dumps({"title": "Line one", "date": "2024-03-08", "text": "First record text."}) + "\n"
        + "{broken json\n"
        + json.dumps({"title": "Line three", "text": "Third record text."}) + "\n"
    )
    # a news API's layout: the date as publishedAt, the outlet inside a source object
    (tmp_path / "e.json").write_text(json.dumps({"source": {"id": None, "name": "Daily Planet"}, "title": "API one",
                                                 "publishedAt": "2024-03-09T08:00:00Z", "content": "The API body."}))
    # a news scraper's layout (news-please): maintext, date_publish, source_domain
    (tmp_path / "f.json").write_text(json.dumps({"title": "Scraped one", "maintext": "The scraped body.",
                                                 "date_publish": "2024-03-10 07:15:00",
                                                 "source_domain": "www.example.org"}))
    articles, skipped = load_articles([str(tmp_path)])
    got = {a.title: a for a in articles}
    assert got["API one"].date == "2024-03-09" and got["API one"].outlet == "Daily Planet"
    scraped = got["Scraped one"]
    assert (scraped.text, scraped.date, scraped.outlet) == ("The scraped body.", "2024-03-10", "www.example.org")
    assert got["Front matter title"].date == "2024-03-05" and got["Front matter title"].outlet == "Example Times"
    assert got["Front matter title"].text.startswith("Body of the markdown article.")
    html = got["The headline"]
    assert html.date == "2024-03-06" and html.outlet == "Daily Planet"
    assert html.text == "First paragraph & more.\n\nSecond one."
    assert got["JSON one"].date == "2024-03-07" and got["JSON one"].url == "https://example.org/x"
    assert got["Line one"].source_path.endswith("d.jsonl#1") and got["Line three"].source_path.endswith("d.jsonl#3")
    assert [(Path(s.path).name, s.reason.split(":")[0]) for s in skipped] == [("d.jsonl:2", "broken JSON line")]


def test_bad_files_are_skipped_with_a_reason_naming_the_file(tmp_path):
    (tmp_path / "good.txt").write_text("A good article. It says something.")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 au lait, na\xefve.".encode("latin-1"))
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "blank.md").write_text("   \n\n  ")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    articles, skipped = load_articles([str(tmp_path), str(tmp_path / "missing")])
    assert [a.title for a in articles] == ["A good article"]
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert "binary" in reasons["binary.txt"]
    assert "not UTF-8" in reasons["latin1.txt"] and "iconv" in reasons["latin1.txt"]
    assert reasons["empty.txt"] == "empty file"
    assert reasons["blank.md"] == "empty file"
    assert "unsupported" in reasons["image.png"]
    assert reasons["missing"] == "no such file or folder"


def test_utf8_bom_and_utf16_are_decoded(tmp_path):
    (tmp_path / "bom.txt").write_bytes("\ufeffBOM article text here.".encode("utf-8"))
    (tmp_path / "u16.txt").write_bytes("UTF-16 article text here.".encode("utf-16"))
    articles, skipped = load_articles([str(tmp_path)])
    assert sorted(a.text for a in articles) == ["BOM article text here.", "UTF-16 article text here."]
    assert skipped == []


def test_same_text_gives_the_same_id_and_a_change_gives_a_new_one(tmp_path):
    (tmp_path / "a.txt").write_text("Same words in a file. Twice.")
    first = load_articles([str(tmp_path / "a.txt")])[0][0]
    again = load_articles([str(tmp_path / "a.txt")])[0][0]
    (tmp_path / "a.txt").write_text("Same words in a file. Changed.")
    changed = load_articles([str(tmp_path / "a.txt")])[0][0]
    assert first.id == again.id != changed.id


def test_dates_in_common_forms():
    assert parse_date("2022-12-11") == "2022-12-11"
    assert parse_date("December 13, 2022") == "2022-12-13"
    assert parse_date("13 December 2022") == "2022-12-13"
    assert parse_date("no date here") is None
