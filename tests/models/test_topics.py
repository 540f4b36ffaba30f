"""Tests of models.topics: training on a tiny hand-made set, deciding, save/load, refusing stale or broken files."""

from __future__ import annotations

import copy

import joblib
import pytest
import sklearn

from corpus import TOPICS, Article
from vnnews.errors import ModelError
from models import topics
from models.cues import FEATURES_PER_LABEL, GROUPS, cue_features, digital_rules
from models.topics import TopicModel, feature_text

DT = "digital_transformation"
# A few words each, with the cue words of each topic; 8 per topic and 8 with none.
TINY = [
    ("ai", "Trí tuệ nhân tạo đọc phim X-quang", "Bệnh viện dùng trí tuệ nhân tạo và học máy để đọc phim."),
    ("ai", "Chatbot AI trả lời bệnh nhân", "Mô hình ngôn ngữ lớn giúp chatbot AI trả lời câu hỏi."),
    ("ai", "Học máy dự báo sâu bệnh lúa", "Nhóm kỹ sư huấn luyện mô hình học máy và trí tuệ nhân tạo."),
    ("ai", "Cảnh báo lừa đảo deepfake bằng AI", "Kẻ gian dùng AI tạo video deepfake giả giọng người thân."),
    ("ai", "Sinh viên làm trợ lý ảo AI", "Trợ lý ảo dùng trí tuệ nhân tạo hiểu tiếng Việt."),
    ("ai", "Phòng thí nghiệm học sâu mới", "Các nhà khoa học nghiên cứu học sâu và thị giác máy tính."),
    ("ai", "Giáo viên thử ChatGPT soạn bài", "ChatGPT và các mô hình AI tạo sinh vào lớp học."),
    ("ai", "Camera AI nhận diện biển số", "Thị giác máy tính và trí tuệ nhân tạo nhận diện xe."),
    ("startup", "Startup nông sản gọi vốn thành công", "Công ty khởi nghiệp gọi vốn từ quỹ đầu tư mạo hiểm."),
    ("startup", "Nhà sáng lập trẻ khởi nghiệp từ quê", "Chàng trai khởi nghiệp với xưởng gốm và gọi vốn."),
    ("startup", "Vườn ươm khởi nghiệp nhận hồ sơ", "Vườn ươm hỗ trợ các startup mới khởi nghiệp."),
    ("startup", "Shark Tank rót vốn cho startup trà", "Nhà sáng lập startup trà gọi vốn trên Shark Tank."),
    ("startup", "Quỹ đầu tư mạo hiểm tìm startup", "Quỹ đầu tư mạo hiểm rót vốn vòng gọi vốn series A."),
    ("startup", "Cuộc thi ý tưởng khởi nghiệp sinh viên", "Sinh viên khởi nghiệp mang ý tưởng tới cuộc thi."),
    ("startup", "Startup giao hàng huy động vốn", "Startup huy động vốn từ nhà đầu tư thiên thần."),
    ("startup", "Hệ sinh thái khởi nghiệp đổi mới sáng tạo", "Nhiều startup khởi nghiệp đổi mới sáng tạo ra đời."),
    (DT, "Chuyển đổi số ở cấp xã", "Xã đẩy mạnh chuyển đổi số và dịch vụ công trực tuyến."),
    (DT, "Người dân dùng VNeID làm thủ tục", "Dịch vụ công trực tuyến kết nối VNeID, chuyển đổi số."),
    (DT, "Hóa đơn điện tử cho hộ kinh doanh", "Chuyển đổi số giúp hộ kinh doanh dùng hóa đơn điện tử."),
    (DT, "Bệnh viện số hóa hồ sơ bệnh án", "Số hóa hồ sơ bệnh án là bước chuyển đổi số ngành y."),
    (DT, "Thanh toán không dùng tiền mặt ở chợ", "Chợ chuyển đổi số, thanh toán không dùng tiền mặt."),
    (DT, "Chính quyền số phục vụ dân", "Tỉnh xây dựng chính quyền số và nền tảng số."),
    (DT, "Đô thị thông minh và dữ liệu số", "Thành phố làm đô thị thông minh, chuyển đổi số."),
    (DT, "Trường học số hóa học bạ", "Nhà trường chuyển đổi số, số hóa học bạ và sổ điểm."),
    ("", "Mưa lớn gây ngập nhiều tuyến phố", "Nước dâng cao sau trận mưa kéo dài cả buổi chiều."),
    ("", "Giá vàng tăng mạnh trong tuần", "Giá vàng miếng tăng theo thị trường thế giới."),
    ("", "Đội bóng địa phương thắng trận", "Các cầu thủ ghi hai bàn trong hiệp hai."),
    ("", "Lễ hội hoa xuân mở cửa", "Người dân đi xem hoa và chụp ảnh dịp cuối tuần."),
    ("", "Giá lúa tăng nhẹ đầu vụ", "Nông dân phấn khởi vì thương lái mua lúa giá cao."),
    ("", "Tàu cá cập cảng an toàn", "Ngư dân đưa tàu vào bờ tránh bão."),
    ("", "Cầu mới thông xe trước Tết", "Cây cầu giúp người dân đi lại thuận tiện hơn."),
    ("", "Học sinh tựu trường năm học mới", "Các em háo hức gặp thầy cô và bạn bè."),
]
HELD_OUT_AI = Article(
    id="held-out", title="Trí tuệ nhân tạo giúp bác sĩ chẩn đoán",
    body="Bệnh viện tỉnh đưa trí tuệ nhân tạo và mô hình học máy vào đọc phim, AI phát hiện tổn thương sớm.",
)
HELD_OUT_NONE = Article(id="held-out-2", title="Mưa lớn làm ngập chợ", body="Nước mưa tràn vào các sạp hàng.")


def tiny_articles() -> list[Article]:
    return [
        Article(id=f"tiny-{i}", title=title, body=body, topics=[topic] if topic else [])
        for i, (topic, title, body) in enumerate(TINY)
    ]


@pytest.fixture(scope="module")
def tiny_model() -> TopicModel:
    return topics.train(tiny_articles(), corpus_hash="tiny")


@pytest.fixture(scope="module")
def tiny_path(tiny_model, tmp_path_factory):
    return tiny_model.save(tmp_path_factory.mktemp("tiny") / "topics.joblib")


def decide(model: TopicModel, article: Article) -> list[str]:
    [scores] = model.scores([feature_text(article.title, article.lead, article.body)])
    return model.decide(scores)


def test_tiny_model_gets_an_obvious_ai_article_right(tiny_model):
    assert tiny_model.labels == TOPICS
    assert decide(tiny_model, HELD_OUT_AI) == ["ai"]


def test_tiny_model_scores_and_metadata(tiny_model):
    [scores] = tiny_model.scores([feature_text(HELD_OUT_AI.title, "", HELD_OUT_AI.body)])
    assert set(scores) == set(TOPICS)
    assert all(0.0 <= s <= 1.0 for s in scores.values())
    assert scores["ai"] > scores["startup"] and scores["ai"] > scores["digital_transformation"]
    assert "ai" not in decide(tiny_model, HELD_OUT_NONE)
    assert set(tiny_model.thresholds) == set(TOPICS)
    assert all(0.25 <= t <= 0.75 for t in tiny_model.thresholds.values())
    assert tiny_model.n_articles == len(TINY)
    assert tiny_model.sklearn_version == sklearn.__version__
    assert tiny_model.metrics["cross_validation"]["n"] == len(TINY)
    assert tiny_model.version.startswith("topics-") and tiny_model.version.endswith("-tiny")


def test_decide_uses_each_labels_threshold(tiny_model):
    at = dict(tiny_model.thresholds)
    assert tiny_model.decide(at) == list(TOPICS)
    below = {label: t - 0.01 for label, t in at.items()}
    assert tiny_model.decide(below) == []


def test_train_refuses_too_few_articles():
    with pytest.raises(ModelError, match="at least 20"):
        topics.train(tiny_articles()[:10])


def test_train_refuses_a_label_with_too_few_examples():
    articles = [a for a in tiny_articles() if a.topics != ["ai"]] + tiny_articles()[:2]
    with pytest.raises(ModelError, match="too few training articles for ai"):
        topics.train(articles)


def test_save_load_round_trip(tiny_model, tiny_path):
    loaded = topics.load(tiny_path)
    assert isinstance(loaded, TopicModel)
    assert loaded.thresholds == tiny_model.thresholds
    assert loaded.corpus_hash == "tiny" and loaded.labels == TOPICS
    text = feature_text(HELD_OUT_AI.title, "", HELD_OUT_AI.body)
    assert loaded.scores([text]) == tiny_model.scores([text])
    assert not tiny_path.with_suffix(".tmp").exists()


def test_model_saved_under_another_sklearn_version_is_refused(tiny_path, tmp_path):
    stale = copy.copy(topics.load(tiny_path))  # a copy: load() caches the object it returns
    stale.sklearn_version = "0.0"
    path = tmp_path / "stale.joblib"
    joblib.dump(stale, path)
    with pytest.raises(ModelError) as info:
        topics.load(path)
    assert "0.0" in info.value.message and sklearn.__version__ in info.value.message
    assert "vnnews train" in info.value.message
    assert topics.load(tiny_path).sklearn_version == sklearn.__version__


def test_model_with_old_feature_format_is_refused(tiny_path, tmp_path):
    old = copy.copy(topics.load(tiny_path))
    old.format = topics.FORMAT - 1
    path = tmp_path / "old.joblib"
    joblib.dump(old, path)
    with pytest.raises(ModelError, match="vnnews train"):
        topics.load(path)


def test_missing_model_file(tmp_path):
    with pytest.raises(ModelError) as info:
        topics.load(tmp_path / "nope.joblib")
    assert "vnnews train" in info.value.message
    assert "nope.joblib" in info.value.message


@pytest.mark.parametrize("kind", ["garbage", "truncated", "empty", "not-a-model"])
def test_corrupt_model_file(tiny_path, tmp_path, kind):
    path = tmp_path / f"{kind}.joblib"
    if kind == "garbage":
        path.write_bytes(b"this is not a model \x00\x01\x02" * 10)
    elif kind == "truncated":
        data = tiny_path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif kind == "empty":
        path.write_bytes(b"")
    else:
        joblib.dump({"labels": TOPICS}, path)
    with pytest.raises(ModelError) as info:
        topics.load(path)
    assert "vnnews train" in info.value.message


def test_feature_text_marks_the_ai_acronym_and_joins_compounds():
    text = feature_text("AI giúp khởi nghiệp", "", "Ai cũng muốn dùng AI.")
    words = text.split()
    assert words.count("ai_acronym") == 3  # twice from the doubled title, once from the body
    assert "ai" in words  # the everyday "who"
    assert "khởi_nghiệp" in words
    assert "." in words and "." not in topics.word_tokens(text)  # kept for the cue features, not a word


def _cues(title: str, body: str) -> dict[str, list[float]]:
    row = cue_features([feature_text(title, "", body)]).toarray()[0]
    per = FEATURES_PER_LABEL
    named = {group: list(row[i * per:(i + 1) * per]) for i, group in enumerate(GROUPS)}
    named["stock"] = [row[-1]]
    return named


# Positions in a group's row: mentions, in the head, as list items, not as list items, as a stated purpose.
TOTAL, HEAD, LISTED, UNLISTED, PURPOSE = range(5)


def test_a_field_in_a_list_of_several_is_a_list_item_and_two_goals_are_not():
    listed = _cues("Hai tỉnh ký thỏa thuận hợp tác", "Hai bên hợp tác trong các lĩnh vực du lịch, y tế, giáo dục và "
                   "chuyển đổi số. Đoàn thăm cảng biển.")
    assert listed[DT][LISTED] > 0 and listed[DT][UNLISTED] == 0
    purpose = _cues("Ký kết hợp tác", "Sáng 5/3, hai sở ký bản ghi nhớ, nhằm thúc đẩy đổi mới sáng tạo và chuyển đổi "
                    "số trong ngành văn hóa. Đoàn thăm bảo tàng.")
    assert purpose[DT][LISTED] == 0 and purpose[DT][HEAD] > 0 and purpose[DT][PURPOSE] > 0
    assert purpose["innovation"][LISTED] == 0


def test_the_science_policy_stock_phrase_is_not_an_innovation_or_startup_cue():
    stock = _cues("Bộ và tỉnh ký chương trình phối hợp về KH,CN&ĐMST",
                  "Hai bên phối hợp phát triển khoa học, công nghệ và đổi mới sáng tạo, đầu tư cho KH,CN&ĐMST.")
    assert stock["innovation"][TOTAL] == 0 and stock["startup"][TOTAL] == 0 and stock["stock"][0] > 0
    plain = _cues("Tỉnh mở trung tâm đổi mới sáng tạo", "Trung tâm đổi mới sáng tạo hỗ trợ khởi nghiệp.")
    assert plain["innovation"][TOTAL] > 0 and plain["startup"][TOTAL] > 0 and plain["stock"][0] == 0


def test_a_name_echoed_in_brackets_is_one_mention():
    once = _cues("Tin công nghệ", "Dự án ứng dụng trí tuệ nhân tạo (AI) cho nông dân.")
    twice = _cues("Tin công nghệ", "Dự án ứng dụng trí tuệ nhân tạo và AI cho nông dân.")
    assert once["ai"][TOTAL] < twice["ai"][TOTAL]


DT_RULE = "digital_transformation"


def test_digitalisation_stated_as_the_purpose_in_the_opening_sentence_is_a_subject():
    text = feature_text("Hai sở ký kết hợp tác phát triển ngành gốm",
                        "", "Sáng 3/4, hai sở ký bản ghi nhớ nhằm thúc đẩy chuyển đổi số trong ngành gốm. "
                        "Lò gốm cổ được trùng tu, nghệ nhân trẻ được đào tạo.")
    assert digital_rules([], text) == [DT_RULE]
    listed = feature_text("Hai tỉnh ký kết hợp tác", "", "Hai tỉnh hợp tác về du lịch, y tế, giáo dục và chuyển đổi "
                          "số. Lò gốm cổ được trùng tu, nghệ nhân trẻ được đào tạo.")
    assert digital_rules([], listed) == []


def test_a_passing_mention_deep_in_a_long_article_about_something_else_is_not_a_subject():
    body = " ".join(f"Đợt {i}, quỹ khởi nghiệp rót vốn cho nhóm startup thứ {i} ở vườn ươm của thành phố."
                    for i in range(30))
    long_text = feature_text("Quỹ khởi nghiệp tăng vốn", "", body + " Các nhóm được học kỹ năng chuyển đổi số.")
    assert digital_rules(["startup", DT_RULE], long_text) == ["startup"]
    short = feature_text("Quỹ khởi nghiệp tăng vốn", "", "Quỹ rót vốn cho startup. Các nhóm học chuyển đổi số.")
    assert digital_rules(["startup", DT_RULE], short) == ["startup", DT_RULE]  # a short item has no "passing"


def test_scores_are_the_pipelines_without_scikit_learns_joblib_wrapper(model, monkeypatch):
    # That wrapper resets the process's warning filters (global before Python 3.14) while it runs a task, so server
    # threads tagging at once raced on them and warned ("`sklearn.utils.parallel.delayed` should be used with ...").
    from sklearn.utils import parallel

    texts = [feature_text("Đà Nẵng mở vườn ươm khởi nghiệp trí tuệ nhân tạo",
                          "Thành phố hỗ trợ doanh nghiệp chuyển đổi số.", ""), feature_text("Giá vàng hôm nay", "", "")]
    expected = [{label: round(float(p), 4) for label, p in zip(model.labels, row)}
                for row in model.pipeline.predict_proba(texts)]

    def refuse(self, iterable):
        raise AssertionError("scored through sklearn.utils.parallel.Parallel")

    monkeypatch.setattr(parallel.Parallel, "__call__", refuse)
    assert model.scores(texts) == expected
