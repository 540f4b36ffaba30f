"""Digests: story grouping, summaries, counts, Markdown and HTML. Every article here is written for these tests."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from vnnews import digest
from vnnews.errors import InvalidInput
from nlp import segment

WEEK = {"date_from": dt.date(2026, 11, 15), "date_to": dt.date(2026, 11, 21)}

# One event (Sao Biển AI raises 2 million USD) told by two outlets in different words, a day apart.
RAISE_A = {
    "id": "t-1", "source": "Cổng Tin Miền Trung", "url": "https://example.vn/sao-bien-goi-von", "published": "2026-11-16",
    "title": "Sao Biển AI gọi được 2 triệu USD để mở rộng trợ lý tổng đài",
    "lead": "Công ty khởi nghiệp Sao Biển AI ở quận Hải Châu vừa hoàn tất vòng hạt giống 2 triệu USD do quỹ Hải Đăng "
            "Capital dẫn dắt.",
    "body": "ĐÀ NẴNG – Sao Biển AI được kỹ sư Lê Quang Vĩnh lập năm 2024, chuyên làm trợ lý giọng nói trả lời tổng đài "
            "cho khách sạn và hãng lữ hành.\n"
            "Ảnh: Đội ngũ Sao Biển AI tại văn phòng\n"
            "Hệ thống hiện nghe và trả lời khoảng 18.000 cuộc gọi mỗi tháng bằng tiếng Việt, tiếng Anh và tiếng Hàn. "
            "Số vốn mới sẽ dùng để tuyển thêm 25 kỹ sư và mở văn phòng ở Nha Trang trong năm 2027.\n"
            "\"Khách du lịch gọi lúc nửa đêm vẫn cần người trả lời\", anh Vĩnh nói.",
    "topics": ["ai", "startup"], "provinces": ["Đà Nẵng"], "topic_scores": {"ai": 0.93, "startup": 0.88},
}
RAISE_B = {
    "id": "t-2", "source": "Doanh Nhân Trẻ", "url": "https://example.vn/tong-dai-ao", "published": "2026-11-17",
    "title": "Tổng đài ảo nói ba thứ tiếng của người Đà Nẵng thuyết phục nhà đầu tư",
    "lead": "",
    "body": "Mỗi tháng, trợ lý giọng nói của Sao Biển AI nhấc máy gần 18.000 lần thay cho lễ tân của các khách sạn ven "
            "biển Mỹ Khê. Ngày 16/11, doanh nghiệp này công bố nhận 2 triệu USD từ Hải Đăng Capital.\n"
            "Người sáng lập Lê Quang Vĩnh, cựu kỹ sư phần mềm, khởi sự công ty năm 2024 với ba đồng nghiệp cũ. Anh "
            "cho biết tiền sẽ được chi cho 25 kỹ sư mới và một chi nhánh tại Nha Trang.\n"
            "Giới đầu tư đánh giá trợ lý tổng đài là mảng hiếm hoi có doanh thu đều ngay từ năm đầu.",
    "topics": ["ai", "startup"], "provinces": ["Đà Nẵng"],
}
# A different event in the same place and week, on the same topic, in much the same vocabulary.
DRONE = {
    "id": "t-3", "source": "Tin Nhanh Việt", "url": "https://example.vn/drone-lua", "published": "2026-11-17",
    "title": "Startup drone phun thuốc ở Hòa Vang nhận 800.000 USD",
    "lead": "Nông Cơ Xanh, công ty khởi nghiệp làm thiết bị bay cho ruộng lúa, vừa gọi vốn thành công từ quỹ Gạo "
            "Ventures.",
    "body": "Máy bay không người lái của Nông Cơ Xanh dùng camera để nhận ra chỗ lúa bị sâu và chỉ phun ở đó. Theo bà "
            "Trương Thị Mai, giám đốc công ty, lượng thuốc giảm khoảng 35% so với phun thủ công.\n"
            "Vòng vốn 800.000 USD sẽ giúp công ty sản xuất thêm 60 chiếc drone trước vụ đông xuân. Hiện Nông Cơ Xanh "
            "phục vụ 14 hợp tác xã ở huyện Hòa Vang và Điện Bàn.",
    "topics": ["startup"], "provinces": ["Đà Nẵng"],
}
# Another AI event the same week: a hospital chatbot.
CHATBOT = {
    "id": "t-4", "source": "Bản Tin Khoa Học", "url": "https://example.vn/chatbot-benh-vien", "published": "2026-11-20",
    "title": "Bệnh viện Đà Nẵng dùng chatbot nhắc lịch tái khám",
    "lead": "Trợ lý ảo trên Zalo nhắc bệnh nhân mãn tính đến tái khám và trả lời câu hỏi về thuốc.",
    "body": "Sau ba tháng thử nghiệm, chatbot đã gửi hơn 9.000 tin nhắc lịch và giúp tỷ lệ bỏ tái khám giảm từ 21% "
            "xuống 12%. Bác sĩ Phan Minh Tú, phó giám đốc bệnh viện, cho biết mọi câu trả lời về thuốc đều lấy từ "
            "hướng dẫn của khoa Dược.",
    "topics": ["ai"], "provinces": ["Đà Nẵng"],
}
ARTICLES = [RAISE_A, RAISE_B, DRONE, CHATBOT]


@pytest.fixture(scope="module")
def week():
    return digest.digest_from_articles(ARTICLES, topic=None, province="Đà Nẵng", **WEEK)


def _ids(story: dict) -> list[str]:
    return [s["id"] for s in story["sources"]]


def test_paraphrases_of_one_event_are_one_story(week):
    top = week["stories"][0]
    assert _ids(top) == ["t-1", "t-2"]
    assert [s["source"] for s in top["sources"]] == ["Cổng Tin Miền Trung", "Doanh Nhân Trẻ"]
    assert top["published"] == "2026-11-16"
    assert {s["url"] for s in top["sources"]} == {RAISE_A["url"], RAISE_B["url"]}


def test_different_events_on_one_topic_stay_apart(week):
    assert sorted(map(_ids, week["stories"])) == [["t-1", "t-2"], ["t-3"], ["t-4"]]


def test_same_wording_in_different_provinces_is_two_events():
    twin = dict(RAISE_B, id="t-9", provinces=["Khánh Hòa"])
    result = digest.digest_from_articles([RAISE_B, twin], topic=None, province=None, **WEEK)
    assert sorted(map(_ids, result["stories"])) == [["t-2"], ["t-9"]]


def test_copies_more_than_three_days_apart_are_two_stories():
    later = dict(RAISE_B, id="t-8", published="2026-11-21")
    result = digest.digest_from_articles([RAISE_A, later], topic=None, province=None, **WEEK)
    assert len(result["stories"]) == 2


def test_stored_event_ids_decide_the_grouping_of_feed_articles():
    """The feed poller's event ids stand: the same event id is one story even in other words (DRONE and CHATBOT
    share little), different event ids stay apart even when the digest's own pass would join them (RAISE_A/B)."""
    articles = [dict(RAISE_A, event_id="e1"), dict(RAISE_B, event_id="e2"), dict(DRONE, event_id="e3"),
                dict(CHATBOT, event_id="e3", published="2026-11-18")]
    result = digest.digest_from_articles(articles, topic=None, province=None, **WEEK)
    assert sorted(map(_ids, result["stories"])) == [["t-1"], ["t-2"], ["t-3", "t-4"]]
    # an article without an event id (a JSON Lines ingest) still joins a feed story by the digest's own pass
    mixed = digest.digest_from_articles([dict(RAISE_A, event_id="e1"), RAISE_B], topic=None, province=None, **WEEK)
    assert sorted(map(_ids, mixed["stories"])) == [["t-1", "t-2"]]


def test_ranking_puts_the_story_told_by_more_outlets_first(week):
    assert week["stories"][0]["score"] > week["stories"][1]["score"]
    # Among single-outlet stories the more recent one comes first.
    assert _ids(week["stories"][1]) == ["t-4"]


@pytest.mark.parametrize("article", ARTICLES, ids=lambda a: a["id"])
def test_summary_is_two_sentences_of_the_article_in_order(article):
    text = "\n".join([article["lead"], article["body"]])
    summary = digest.summarize(article)
    sentences = segment.sentences(summary)
    assert len(sentences) == 2
    positions = [text.find(s) for s in sentences]
    assert all(p >= 0 for p in positions), sentences
    assert positions == sorted(positions)


def test_summary_skips_datelines_captions_and_quotes():
    candidates = digest.summary_candidates(RAISE_A)
    assert not any(c.startswith("ĐÀ NẴNG") or c.startswith("Ảnh") for c in candidates)
    assert "Sao Biển AI được kỹ sư Lê Quang Vĩnh lập năm 2024" in candidates[1]
    assert all(digest.MIN_SENTENCE_WORDS <= len(c.split()) <= digest.MAX_SENTENCE_WORDS for c in candidates)


def test_story_summary_comes_from_its_lead_article(week):
    top = week["stories"][0]
    lead = next(a for a in ARTICLES if a["id"] == top["id"])
    for sentence in segment.sentences(top["summary"]):
        assert sentence in "\n".join([lead["lead"], lead["body"]])


def test_counts_cover_every_day_with_zeros(week):
    assert week["total"] == 4
    assert list(week["per_day"]) == [f"2026-11-{d}" for d in range(15, 22)]
    assert week["per_day"] == {"2026-11-15": 0, "2026-11-16": 1, "2026-11-17": 2, "2026-11-18": 0,
                               "2026-11-19": 0, "2026-11-20": 1, "2026-11-21": 0}
    assert week["per_province"] == {"Đà Nẵng": 4}
    assert week["per_source"] == {"Bản Tin Khoa Học": 1, "Cổng Tin Miền Trung": 1, "Doanh Nhân Trẻ": 1,
                                  "Tin Nhanh Việt": 1}
    assert (week["from"], week["to"], week["province"], week["topic"]) == ("2026-11-15", "2026-11-21", "Đà Nẵng", None)


def test_articles_outside_the_period_or_filter_are_left_out():
    old = dict(DRONE, id="t-7", published="2026-10-01")
    undated = dict(DRONE, id="t-6", published=None)
    result = digest.digest_from_articles([old, undated, *ARTICLES], topic="ai", province=None, **WEEK)
    assert result["total"] == 3
    assert sum(result["per_day"].values()) == 3


def test_per_source_is_sorted_by_count():
    extra = dict(CHATBOT, id="t-5", published="2026-11-15", title="Một bài khác")
    result = digest.digest_from_articles([*ARTICLES, extra], topic=None, province=None, **WEEK)
    assert list(result["per_source"].items())[0] == ("Bản Tin Khoa Học", 2)


def test_key_terms_are_multi_word_without_numbers_or_the_topic():
    articles = [dict(a, key_terms=terms) for a, terms in zip(ARTICLES, [
        ["khởi nghiệp", "trợ lý giọng nói", "quỹ đầu tư", "2 triệu"],
        ["khởi nghiệp", "trợ lý giọng nói", "quỹ đầu tư", "người sáng lập"],
        ["khởi nghiệp", "quỹ đầu tư", "máy bay không người lái"],
        ["trợ lý ảo", "bệnh viện"],
    ])]
    result = digest.digest_from_articles(articles, topic="startup", province=None, **WEEK)
    terms = {t["term"]: t["count"] for t in result["key_terms"]}
    assert terms["quỹ đầu tư"] == 3
    assert "khởi nghiệp" not in terms          # the topic's own name
    assert all(len(t.split()) > 1 and not re.search(r"\d", t) for t in terms)


def test_key_terms_are_computed_when_missing(week):
    terms = [t["term"] for t in week["key_terms"]]
    assert terms and all(len(t.split()) > 1 for t in terms)
    assert "đà nẵng" not in [t.lower() for t in terms]   # the digest's own province


def test_empty_digest():
    result = digest.digest_from_articles([], topic="ai", province=None, **WEEK)
    assert result["total"] == 0 and result["stories"] == [] and set(result["per_day"].values()) == {0}
    assert "Không có bài nào" in digest.render_markdown(result)
    assert "<svg" in digest.render_html(result)


def test_markdown_reads_like_a_digest(week):
    text = digest.render_markdown(week)
    assert text.startswith("# Điểm tin tại Đà Nẵng, 15/11–21/11/2026\n")
    assert "4 bài từ 4 đầu báo trong 7 ngày; nhiều nhất ngày 17/11 (2 bài)." in text
    assert "**Theo ngày:** CN 15/11: 0 · T2 16/11: 1 · T3 17/11: 2 · T4 18/11: 0" in text
    assert "1. [**Sao Biển AI gọi được 2 triệu USD để mở rộng trợ lý tổng đài**](<https://example.vn/sao-bien-goi-von>)" \
           " (16/11/2026 · 2 đầu báo)" in text
    assert "   Nguồn: Cổng Tin Miền Trung, Doanh Nhân Trẻ\n" in text
    assert "   " + week["stories"][0]["summary"] in text
    assert text.count("Nguồn:") == 3


def test_markdown_heading_names_topic_and_city():
    result = digest.digest_from_articles([], topic="startup", province="Hồ Chí Minh", **WEEK)
    assert digest.render_markdown(result).startswith("# Điểm tin Khởi nghiệp tại TP. Hồ Chí Minh, 15/11–21/11/2026")


def test_html_is_a_standalone_page_with_the_figures(week):
    page = digest.render_html(week)
    assert page.startswith("<!doctype html>") and "<script" not in page.lower()
    assert "@media print" in page
    assert page.count('<rect class="bar"') == 7
    assert "<title>T3 17/11: 2 bài</title>" in page
    assert "Sao Biển AI gọi được 2 triệu USD" in page and 'href="https://example.vn/sao-bien-goi-von"' in page
    assert re.search(r"<td>Đà Nẵng</td><td class=\"n\">4</td>", page)


def test_html_and_markdown_escape_article_text():
    evil = dict(CHATBOT, title="<script>alert('x')</script> Chatbot *mới*", url="javascript:alert(1)",
                source="<b>Báo</b>")
    result = digest.digest_from_articles([evil], topic=None, province=None, **WEEK)
    page = digest.render_html(result)
    assert "<script>" not in page and "&lt;script&gt;alert(" in page
    assert "javascript:" not in page and "<b>Báo</b>" not in page
    text = digest.render_markdown(result)
    assert "<script>" not in text and "\\<script\\>" in text and "\\*mới\\*" in text and "javascript:" not in text


@pytest.mark.parametrize("kwargs, period", [
    ({"date_from": "9999-12-30"}, ("9999-12-30", "9999-12-31")),
    ({"date_to": "0001-01-02"}, ("0001-01-01", "0001-01-02")),
])
def test_a_one_sided_period_stops_at_the_ends_of_the_calendar(store, kwargs, period):
    result = digest.build_digest(store, **kwargs)
    assert (result["from"], result["to"]) == period and result["total"] == 0


@pytest.mark.parametrize("kwargs, field", [
    ({"topic": "sport"}, "topic"),
    ({"limit": 0}, "limit"),
    ({"limit": 51}, "limit"),
    ({"date_from": dt.date(2026, 11, 22)}, "from"),
    ({"date_from": dt.date(2024, 1, 1)}, "to"),
])
def test_digest_from_articles_rejects_bad_arguments(kwargs, field):
    args = {"topic": None, "province": None, **WEEK, **kwargs}
    with pytest.raises(InvalidInput) as caught:
        digest.digest_from_articles([], **args)
    assert caught.value.field == field


# ---------------------------------------------------------------- build_digest over a real index
@pytest.fixture
def store(tmp_path, model):
    """A real index holding ARTICLES with their hand-written labels (not the model's), so counts are known."""
    from vnnews.ingest import prepare_many
    from index.store import Store
    from models.tagger import Tags

    docs = prepare_many([{k: v for k, v in a.items() if k not in ("topics", "provinces", "topic_scores")}
                         for a in ARTICLES], model)
    for doc, article in zip(docs, ARTICLES):
        doc.tags = Tags(topics=article["topics"], topic_scores=article.get("topic_scores", {}),
                        provinces=article["provinces"],
                        province_details=[{"name": p, "as_written": [p], "score": 1.0} for p in article["provinces"]],
                        former_provinces=[])
    with Store(tmp_path / "var") as store:
        store.upsert(docs)
        yield store


def test_build_digest_defaults_to_the_last_week_of_data(store):
    result = digest.build_digest(store, topic="ai", province="da nang")   # a tone-less spelling of Đà Nẵng
    assert (result["topic"], result["province"]) == ("ai", "Đà Nẵng")
    latest = max(dt.date.fromisoformat(a["published"]) for a in ARTICLES)
    first = latest - dt.timedelta(days=6)
    assert (result["from"], result["to"]) == (first.isoformat(), latest.isoformat())
    expected = [a for a in ARTICLES if "ai" in a["topics"] and "Đà Nẵng" in a["provinces"]
                and first.isoformat() <= a["published"] <= latest.isoformat()]
    assert result["total"] == len(expected) > 0


def test_build_digest_accepts_iso_strings_and_one_bound(store):
    result = digest.build_digest(store, date_from="2026-11-16", limit="2")
    assert (result["from"], result["to"]) == ("2026-11-16", "2026-11-22")
    assert len(result["stories"]) == 2


@pytest.mark.parametrize("kwargs, field", [
    ({"topic": "sport"}, "topic"),
    ({"province": "Atlantis"}, "province"),
    ({"date_from": "2026-11-20", "date_to": "2026-11-10"}, "from"),
    ({"date_from": "hôm qua"}, "from"),
    ({"limit": 100}, "limit"),
])
def test_build_digest_rejects_bad_arguments(store, kwargs, field):
    with pytest.raises(InvalidInput) as caught:
        digest.build_digest(store, **kwargs)
    assert caught.value.field == field
    if field == "topic":
        assert "ai, startup, digital_transformation" in caught.value.message


def test_a_sampled_digest_lists_every_outlet_of_a_listed_event(tmp_path, model, monkeypatch):
    """A long period is read as a sample (here: one article a day); a listed story whose event has copies the sample
    left out still lists them, and `outlets` counts every outlet that told it."""
    from index.store import Store
    from vnnews.digest import build as digest_build
    from vnnews.ingest import prepare_many

    outlets = ["Báo Một", "Báo Hai", "Báo Ba"]
    copies = [dict(RAISE_A, id=f"copy-{n}", source=name, event_id="ev-raise", published="2026-11-16",
                   title=f"{RAISE_A['title']} ({name})") for n, name in enumerate(outlets)]
    with Store(tmp_path / "var") as store:
        store.upsert(prepare_many(copies + [dict(DRONE, published="2026-11-16")], model))
        monkeypatch.setattr(digest_build, "MAX_READ", 1)
        monkeypatch.setattr(digest_build, "MIN_READ_PER_DAY", 1)
        result = digest.build_digest(store, date_from="2026-11-10", date_to="2026-11-20", limit=5)
    assert result["read"]["articles"] == 1 and result["read"]["of"] == 4  # one article of that day was read
    [story] = [s for s in result["stories"] if s["id"].startswith("copy-")]
    assert sorted(_ids(story)) == ["copy-0", "copy-1", "copy-2"] and story["outlets"] == 3
    assert {s["source"] for s in story["sources"]} == set(outlets)
