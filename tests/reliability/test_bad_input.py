"""Bad input: property-based fuzzing (hypothesis) of the readers, chunking and validation, and a corpus of
nasty files — binary, mixed encodings, BOMs, NUL bytes, a 50 MB article, 100k tiny files, deeply nested
HTML, broken JSONL, symlink loops, a FIFO, unreadable files — ingested beside good articles. Each nasty file
gets one clear per-file message, nothing crashes, and every good article is in the store (none lost)."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.articles import decode, load_file
from assistant.chunking import chunk_article
from assistant.citations import strip_control, validate
from assistant.errors import InputError
from assistant.service import Assistant
from assistant.types import Passage
from tests.conftest import DEMO, WIKINEWS
from tests.reliability.injectionkit import UNSAFE

FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SUFFIXES = [".txt", ".md", ".html", ".json", ".jsonl"]
TEXTISH = st.one_of(
    st.binary(max_size=3000),
    st.text(max_size=3000).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.lists(st.sampled_from(["<div>", "</div>", "<p>", "{", "}", "\"title\":", "\n", "date 2020-01-02\n", "\x00",
                              "\ufeff", "\x1b[2J", "é", "\xff", "Word. ", "[1]", "<script>", "\r\n", "# Head\n"]),
             max_size=300).map(lambda parts: "".join(parts).encode("utf-8", "surrogatepass")),
)


@FUZZ
@given(data=TEXTISH, suffix=st.sampled_from(SUFFIXES))
def test_any_bytes_in_any_supported_file_become_articles_or_a_reason_never_an_exception(tmp_path, data, suffix):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    articles, skipped = load_file(path, path.name)
    assert articles or skipped  # the user always learns what happened to the file
    assert all(s.reason and s.path.startswith(path.name) for s in skipped)
    for a in articles:
        assert a.text.strip() and not UNSAFE.search(a.text) and not UNSAFE.search(a.title)
        chunks = chunk_article(a, 200, 1)
        assert chunks and all(a.text[c.start:c.end] == c.text for c in chunks)  # offsets are exact


@FUZZ
@given(data=st.binary(max_size=2000))
def test_decode_returns_text_or_a_clear_input_error(data):
    try:
        assert isinstance(decode(data, "x.txt"), str)
    except InputError as exc:
        assert exc.message.startswith("x.txt: ") and exc.hint


@FUZZ
@given(text=st.text(max_size=500))
def test_stripped_text_never_carries_a_control_or_invisible_character(text):
    assert not UNSAFE.search(strip_control(text))


PASSAGES = [
    Passage(chunk_id=f"c{i}", article_id=f"a{i}", source_path=f"{i}.txt", title=f"T{i}", text=t, start=10 * i,
            end=10 * i + len(t), score=0.9)
    for i, t in enumerate(["Rescuers found 39 bodies in Magnitogorsk after the gas explosion. The building was old.",
                           "The escape room in Koszalin had no emergency exit. Five girls died of carbon monoxide."], 0)
]


@FUZZ
@given(raw=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)
       | st.lists(st.sampled_from(["Rescuers found 39 bodies", " in Magnitogorsk", ".", " [1]", " [2]", " [7]", "[0]",
                                   " [1, 2]", "\x1b[31m", " The articles do not say.", "\n- ", " Five girls died"]),
                  max_size=30).map("".join))
def test_validation_of_any_model_output_keeps_only_real_citations(raw):
    v = validate(raw, PASSAGES)
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", v.text)}
    assert numbers == {c.n for c in v.citations}
    for c in v.citations:
        p = next(p for p in PASSAGES if p.chunk_id == c.chunk_id)
        assert c.quote and c.quote in p.text and p.text[c.start - p.start:c.end - p.start] == c.quote
    assert not UNSAFE.search(v.text)


# ---- the nasty-file corpus ----------------------------------------------------------------------------

TINY_FILES = 100_000


def make_nasty(root: Path) -> dict[str, str]:
    """Nasty files under root/nasty; returns {file name: what its skip reason must say}."""
    nasty = root / "nasty"
    nasty.mkdir()
    expect: dict[str, str] = {}

    def put(name: str, data: bytes, reason: str) -> None:
        (nasty / name).write_bytes(data)
        expect[name] = reason

    put("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(2000), "binary")
    put("latin1.txt", "Caf\xe9 owners in Montr\xe9al protested new rules.".encode("latin-1"), "not UTF-8")
    put("mixed.md", "# Title\n\nUTF-8 caf\u00e9 and ".encode() + "latin-1 caf\xe9".encode("latin-1"), "not UTF-8")
    put("nul-start.txt", b"\x00\x00\x00\x00text after nuls", "binary")
    put("empty.txt", b"", "empty")
    put("whitespace.txt", b" \n\t\n  ", "empty")
    put("big.txt", b"Filler sentence for a very large article. " * (50 * 2**20 // 42 + 1), "MB is over")
    put("broken.json", b'{"title": "Half a record", "text": "The council met', "broken JSON")
    put("header-only.txt", b"A title\ndate 2020-01-02\n\n", "no article text")
    put("deep.html", b"<html><body>" + b"<div>" * 50_000 + b"</div>" * 10 + b"</body>", "no article text")
    (nasty / "loop-a.txt").symlink_to(nasty / "loop-b.txt")
    (nasty / "loop-b.txt").symlink_to(nasty / "loop-a.txt")
    expect["loop-a.txt"] = expect["loop-b.txt"] = "cannot read"
    (nasty / "dirloop").mkdir()
    (nasty / "dirloop" / "up").symlink_to(nasty, target_is_directory=True)  # a walk that followed it never ends
    os.mkfifo(nasty / "fifo.txt")  # reading it would block forever
    expect["fifo.txt"] = ""
    tiny = nasty / "tiny"
    tiny.mkdir()
    for i in range(TINY_FILES):
        (tiny / f"{i:06d}.txt").write_bytes(b"" if i % 2 else b"\n")
    if os.geteuid() != 0:  # root reads anything, so the case only exists for a normal user
        put("unreadable.txt", b"Secret article.", "cannot read")
        (nasty / "unreadable.txt").chmod(0)
    # good records hidden among broken ones, and good files with BOMs and NUL bytes late in the text
    (nasty / "mixed.jsonl").write_text(
        json.dumps({"title": "Dam opens in Laos", "text": "A new dam opened on the Mekong in Laos on Monday."}) + "\n"
        + '{"title": "broken", "text": \n' + "[1, 2, 3]\n"
        + json.dumps({"title": "Port strike ends", "text": "Dock workers in Antwerp ended their strike on Friday."})
        + "\n", encoding="utf-8")
    (nasty / "bom8.txt").write_bytes(b"\xef\xbb\xbfBOM article\ndate 2020-02-02\n\nA UTF-8 BOM opens this report on "
                                     b"rainfall in Lima, which reached a record 40 millimetres.\n")
    (nasty / "bom16.txt").write_bytes("UTF-16 article\ndate 2020-02-03\n\nThis report on Quito traffic is "
                                      "encoded as UTF-16 with a byte order mark.\n".encode("utf-16"))
    # NUL bytes past the first 8 KB (which is sniffed for binary): removed, the article kept
    (nasty / "late-nul.txt").write_bytes(b"Late NUL\ndate 2020-02-04\n\n" + b"Harbour cranes in Gdansk were "
                                         b"repaired after the storm. " * 200 + b"\x00\x00 The port reopened.\n")
    return expect


@pytest.mark.slow
def test_nasty_files_get_one_clear_message_each_and_good_articles_all_ingest(tmp_path, make_settings, embeddings):
    expect = make_nasty(tmp_path)
    good = tmp_path / "good"
    (good / "wikinews").mkdir(parents=True)
    for f in sorted(WIKINEWS.glob("*.txt"))[:4]:  # enough good files to prove none is lost; cheap to embed
        shutil.copy(f, good / "wikinews")
    shutil.copytree(DEMO, good / "demo")
    report = Assistant(make_settings(), embeddings=embeddings).ingest([str(tmp_path / "nasty"), str(good)])
    by_name: dict[str, list[str]] = {}
    for s in report.skipped:
        by_name.setdefault(Path(s.path.split("#")[0].split(":")[0]).name, []).append(s.reason)
    for name, reason in expect.items():
        if name == "fifo.txt":
            assert name in by_name or name not in {Path(p).name for p in report.added}
            continue
        assert name in by_name and len(by_name[name]) == 1, (name, by_name.get(name))
        assert reason in by_name[name][0], (name, by_name[name])
    tiny = [s for s in report.skipped if "/tiny/" in s.path]
    assert len(tiny) == TINY_FILES and {s.reason for s in tiny} == {"empty file"}
    added = {Path(p.split("#")[0]).name for p in report.added}
    wanted = {p.name for p in (good / "wikinews").glob("*.txt")} | {p.name for p in (good / "demo").glob("*.txt")}
    assert wanted <= added  # files lost: 0
    assert {"bom8.txt", "bom16.txt", "late-nul.txt", "mixed.jsonl"} <= added, (added, [s for s in report.skipped if "tiny" not in s.path])
    assert sum(p.startswith(str(tmp_path / "nasty" / "mixed.jsonl")) for p in report.added) == 2
    mixed = [s for s in report.skipped if "mixed.jsonl" in s.path]
    assert len(mixed) == 2 and all("JSON" in s.reason or "record" in s.reason for s in mixed), mixed
