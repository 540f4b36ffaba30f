"""The real labeled set's loader: references validated with file and line, text joined from a data folder, the
vietnews title hash checked. The data folder here is one we write (our own sentences), not ../shared/data."""

from __future__ import annotations

import gzip
import json
import lzma

import pytest

from corpus.real import load_real, read_labels, title_sha
from vnnews.errors import CorpusError

LABEL = {"topics": ["startup"], "provinces": ["Đà Nẵng"], "labeled_by": "two readers", "labeled_on": "2026-12-05"}


@pytest.fixture
def data_dir(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    with gzip.open(folder / "rss-2025-08-2026-02.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "abc", "title": "Quỹ mới cho người khởi nghiệp ở Đà Nẵng",
                                 "summary": "Thành phố lập quỹ hỗ trợ các nhóm khởi nghiệp trẻ.",
                                 "sources": ["Báo thử"], "published": "2025-09-01T08:00:00+07:00"}) + "\n")
    with gzip.open(folder / "vietnews-100k.jsonl.gz", "wt", encoding="utf-8") as handle:
        for title in ("Bài thứ nhất", "Nông dân bán nông sản qua sàn số"):
            handle.write(json.dumps({"id": "x", "title": title, "lead": "Mở đầu.", "body": "Thân bài."}) + "\n")
    with lzma.open(folder / "vntc10-train.jsonl.xz", "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "V1", "label": "Khoa hoc", "text": "Tiêu đề một bài khoa học ngắn. Nội dung "
                                 "bài viết nói về một thí nghiệm."}) + "\n")
    return folder


def _write(folder, records):
    folder.mkdir(exist_ok=True)
    (folder / "labels.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                         encoding="utf-8")
    return folder


def test_labels_are_joined_to_their_text(tmp_path, data_dir):
    labels = _write(tmp_path / "real", [
        {"file": "rss-2025-08-2026-02.jsonl.gz", "id": "abc", **LABEL},
        {"file": "vietnews-100k.jsonl.gz", "line": 2, "title_sha": title_sha("Nông dân bán nông sản qua sàn số"),
         **LABEL, "topics": ["digital_transformation"], "provinces": []},
        {"file": "vntc10-train.jsonl.xz", "id": "V1", **LABEL, "topics": [], "provinces": []},
    ])
    articles = load_real(data_dir, labels)
    by_id = {a.id: a for a in articles}
    assert sorted(by_id) == ["rss-abc", "vietnews-line-2", "vntc-V1"]
    assert by_id["rss-abc"].title == "Quỹ mới cho người khởi nghiệp ở Đà Nẵng"
    assert by_id["rss-abc"].topics == ["startup"] and by_id["rss-abc"].provinces == ["Đà Nẵng"]
    assert by_id["rss-abc"].extra["kind"] == "rss"
    assert by_id["vietnews-line-2"].topics == ["digital_transformation"]
    assert by_id["vietnews-line-2"].extra["kind"] == "full"
    assert by_id["vntc-V1"].title == "Tiêu đề một bài khoa học ngắn."


def test_a_changed_vietnews_line_is_refused(tmp_path, data_dir):
    labels = _write(tmp_path / "real", [{"file": "vietnews-100k.jsonl.gz", "line": 1, "title_sha": "0123456789",
                                         **LABEL}])
    with pytest.raises(CorpusError) as caught:
        load_real(data_dir, labels)
    assert caught.value.message.startswith(f"{labels / 'labels.jsonl'}:1: line 1 of vietnews-100k.jsonl.gz is not")


@pytest.mark.parametrize("record, message", [
    ({"file": "other.jsonl", "id": "a"}, "`file` must be one of"),
    ({"file": "vietnews-100k.jsonl.gz", "line": 0, "title_sha": "0123456789"}, "`line` must be a line number"),
    ({"file": "vietnews-100k.jsonl.gz", "line": 3, "title_sha": "xyz"}, "`title_sha` must be 10 hex digits"),
    ({"file": "rss-2025-08-2026-02.jsonl.gz", "id": ""}, "`id` must name the article"),
    ({"file": "rss-2025-08-2026-02.jsonl.gz", "id": "a", "topics": ["sport"]}, "unknown topic 'sport'"),
    ({"file": "rss-2025-08-2026-02.jsonl.gz", "id": "a", "provinces": "Huế"}, "`provinces` must be a list"),
    ({"file": "rss-2025-08-2026-02.jsonl.gz", "id": "a", "labeled_by": ""}, "`labeled_by` must say who"),
    ({"file": "rss-2025-08-2026-02.jsonl.gz", "id": "a", "labeled_on": "yesterday"}, "`labeled_on` must be an ISO"),
])
def test_a_bad_record_is_named_by_file_and_line(tmp_path, record, message):
    good = {"file": "rss-2025-08-2026-02.jsonl.gz", "id": "ok", **LABEL}
    labels = _write(tmp_path / "real", [good, {**LABEL, **record}])
    with pytest.raises(CorpusError) as caught:
        read_labels(labels)
    assert caught.value.message.startswith(f"{labels / 'labels.jsonl'}:2: {message}")


def test_an_unknown_reference_is_named(tmp_path, data_dir):
    labels = _write(tmp_path / "real", [{"file": "rss-2025-08-2026-02.jsonl.gz", "id": "nope", **LABEL}])
    with pytest.raises(CorpusError) as caught:
        load_real(data_dir, labels)
    assert caught.value.message == f"{labels / 'labels.jsonl'}:1: no article 'nope' in {data_dir / 'rss-2025-08-2026-02.jsonl.gz'}"


def test_without_the_data_folder_it_says_training_uses_the_corpus(tmp_path):
    labels = _write(tmp_path / "real", [{"file": "rss-2025-08-2026-02.jsonl.gz", "id": "abc", **LABEL}])
    with pytest.raises(CorpusError) as caught:
        load_real(tmp_path / "absent", labels)
    assert "training uses corpus/ alone" in caught.value.message


def test_the_shipped_labels_are_valid():
    records = read_labels()
    assert len(records) >= 2500
    refs = [json_key(r) for _, r in records]
    assert len(set(refs)) == len(refs)


def json_key(record: dict) -> tuple:
    return (record["file"], record.get("id"), record.get("line"))


def test_an_article_labeled_twice_is_refused(tmp_path):
    record = {"file": "rss-2025-08-2026-02.jsonl.gz", "id": "abc", **LABEL}
    labels = _write(tmp_path / "real", [record, record])
    with pytest.raises(CorpusError) as caught:
        read_labels(labels)
    assert caught.value.message == (f"{labels / 'labels.jsonl'}:2: the same article is labeled twice "
                                    f"(first at {labels / 'labels.jsonl'}:1)")
