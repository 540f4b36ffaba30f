"""Tests of the labeled corpus: the bundled files load and meet the quotas; bad files fail naming file and line."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest

import corpus
from corpus import TOPICS, Article, article_from_dict
from vnnews.errors import CorpusError, InvalidInput
from models.provinces import CURRENT_PROVINCES, FORMER_PROVINCES, current_name

FORMER_ONLY = {name for name in FORMER_PROVINCES if name not in CURRENT_PROVINCES}


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    return corpus.load()


# ---------------------------------------------------------------- the bundled corpus
def test_bundled_corpus_is_valid(articles):
    assert articles
    assert all(isinstance(a, Article) for a in articles)
    assert len({a.id for a in articles}) == len(articles)
    for a in articles:
        assert set(a.topics) <= set(TOPICS), a.id
        assert a.published is not None and dt.date(2019, 1, 1) <= a.published <= dt.date(2026, 12, 31), a.id
        assert a.title and a.body, a.id
        for name in a.provinces:
            assert current_name(name) is not None, (a.id, name)


def test_corpus_size(articles):
    assert len(articles) >= 600


@pytest.mark.parametrize("topic", TOPICS)
def test_corpus_topic_quota(articles, topic):
    assert sum(topic in a.topics for a in articles) >= 120


def test_corpus_negatives_quota(articles):
    assert sum(not a.topics for a in articles) >= 250


def test_every_current_province_is_the_subject_of_three_articles(articles):
    counts = Counter(p for a in articles for p in {current_name(name) for name in a.provinces})
    assert len(CURRENT_PROVINCES) == 34
    short = {p: counts[p] for p in CURRENT_PROVINCES if counts[p] < 3}
    assert not short, f"provinces with fewer than 3 articles: {short}"


def test_corpus_uses_former_province_names(articles):
    using = [a.id for a in articles if FORMER_ONLY & set(a.provinces)]
    assert len(using) >= 30


def test_fingerprint_is_stable_and_depends_on_the_bytes(tmp_path):
    assert corpus.fingerprint() == corpus.fingerprint()
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps(record()) + "\n", encoding="utf-8")
    first = corpus.fingerprint([path])
    path.write_text(json.dumps(record(title="Tin khác")) + "\n", encoding="utf-8")
    assert corpus.fingerprint([path]) != first


# ---------------------------------------------------------------- bad files
def record(**changes) -> dict:
    base = {"id": "t-001", "title": "Quán cà phê ở Huế đón khách sớm", "lead": "",
            "body": "Chủ quán mở cửa lúc năm giờ sáng.", "source": "Điểm Tin Sáng", "published": "2024-03-02",
            "topics": [], "provinces": ["Thừa Thiên Huế"]}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not ...}


def write_lines(path, lines: list[bytes]) -> None:
    path.write_bytes(b"\n".join(lines) + b"\n")


def line(rec: dict) -> bytes:
    return json.dumps(rec, ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize(
    ("second", "message"),
    [
        pytest.param(b'{"id": "t-002", "title": ', "not valid JSON", id="not-json"),
        pytest.param(line(record(id="t-002", title=...)), "`title`", id="missing-title"),
        pytest.param(line(record(id="t-002", title="   ")), "`title`", id="blank-title"),
        pytest.param(line(record(id="t-002", topics=["sports"])), "unknown topic 'sports'", id="unknown-topic"),
        pytest.param(line(record(id="t-002", published="2024-13-40")), "`published`", id="bad-date"),
        pytest.param(line(record(id="t-002", published=...)), "`published`", id="missing-date"),
        pytest.param(line(record(id="t-002", topics="ai")), "`topics`", id="topics-not-a-list"),
        pytest.param(line(record()), "duplicate id 't-001'", id="duplicate-id"),
        pytest.param("Tin tức hôm nay".encode("cp1258", errors="replace") + b"\xff\xfe", "not UTF-8", id="not-utf8"),
    ],
)
def test_bad_record_names_file_and_line(tmp_path, second, message):
    path = tmp_path / "bad.jsonl"
    write_lines(path, [line(record()), b"", second])
    with pytest.raises(CorpusError) as info:
        corpus.load([path])
    text = str(info.value)
    assert f"{path}:3" in text
    assert message in text


def test_duplicate_id_across_files_names_both(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(line(record()) + b"\n")
    (tmp_path / "b.jsonl").write_bytes(line(record(title="Bản tin khác")) + b"\n")
    with pytest.raises(CorpusError) as info:
        corpus.load([tmp_path])
    assert f"{tmp_path / 'b.jsonl'}:1" in str(info.value)
    assert f"{tmp_path / 'a.jsonl'}:1" in str(info.value)
    assert info.value.field == "id"


def test_missing_corpus_path_and_empty_folder(tmp_path):
    with pytest.raises(CorpusError, match="no such corpus file"):
        corpus.load([tmp_path / "nope.jsonl"])
    with pytest.raises(CorpusError, match="no .jsonl files"):
        corpus.load([tmp_path])


def test_good_file_loads(tmp_path):
    path = tmp_path / "good.jsonl"
    write_lines(path, [line(record()), b"  ", line(record(id="t-002", topics=["ai", "startup"], lead="Một câu."))])
    loaded = corpus.load([path])
    assert [a.id for a in loaded] == ["t-001", "t-002"]
    assert loaded[0].published == dt.date(2024, 3, 2)
    assert loaded[1].topics == ["ai", "startup"]
    assert loaded[0].provinces == ["Thừa Thiên Huế"]


# ---------------------------------------------------------------- article_from_dict
@pytest.mark.parametrize("name", ["id", "title", "lead", "body", "source", "url"])
@pytest.mark.parametrize("bad", [5, ["a"], {"a": 1}, True])
def test_article_from_dict_type_errors_name_the_field(name, bad):
    with pytest.raises(InvalidInput) as info:
        article_from_dict(record(**{name: bad}))
    assert info.value.field == name
    assert f"`{name}`" in info.value.message


@pytest.mark.parametrize("name", ["title", "body", "source"])
def test_article_from_dict_refuses_lone_surrogates(name):
    # json.loads('"\\ud800"') gives one; the segmenter cannot encode it, so it must stop here
    with pytest.raises(InvalidInput) as info:
        article_from_dict(record(**{name: "Tin nóng \ud800 hôm nay"}))
    assert info.value.field == name


@pytest.mark.parametrize("bad", [20240302, "hôm qua", "2024-02-30", ["2024-03-02"]])
def test_article_from_dict_bad_date_names_published(bad):
    with pytest.raises(InvalidInput) as info:
        article_from_dict(record(published=bad))
    assert info.value.field == "published"


@pytest.mark.parametrize("bad", [None, "tin", 3, ["tin"]])
def test_article_from_dict_needs_an_object(bad):
    with pytest.raises(InvalidInput, match="JSON object"):
        article_from_dict(bad)


def test_article_from_dict_needs_body_or_lead():
    with pytest.raises(InvalidInput) as info:
        article_from_dict(record(body="", lead=""))
    assert info.value.field == "body"
    only_lead = article_from_dict(record(body="", lead="Chỉ có một câu sapo."))
    assert only_lead.body == "Chỉ có một câu sapo." and only_lead.lead == ""


def test_article_from_dict_keeps_extra_fields_and_derives_an_id():
    rec = record(id=..., url="https://example.vn/tin-1", note="giữ lại")
    article = article_from_dict(rec)
    assert article.extra == {"note": "giữ lại"}
    assert article.id == corpus.derive_id(rec) and len(article.id) == 16
    assert article.to_dict()["note"] == "giữ lại"
    assert article.to_dict()["published"] == "2024-03-02"
    # labels are only read from the labeled corpus
    assert article.topics == [] and article.provinces == []
    assert article_from_dict(rec, labeled=True).provinces == ["Thừa Thiên Huế"]
