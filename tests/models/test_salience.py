"""Province salience: the features a reader weighs, on text we write, and the learned model's use."""

from __future__ import annotations

import numpy as np
import pytest

from vnnews.records import Article
from models import salience
from models.provinces import FEATURES, candidates, tag_provinces


def _features(title: str, body: str, lead: str = "") -> dict[str, dict[str, float]]:
    return {c.name: c.features for c in candidates(title, body, lead)}


def test_every_candidate_has_every_feature():
    found = candidates("Đà Nẵng mở trung tâm khởi nghiệp", "UBND TP Đà Nẵng cho biết trung tâm đặt tại Hải Châu.")
    assert [c.name for c in found] == ["Đà Nẵng"]
    assert set(found[0].features) == set(FEATURES)


def test_title_lead_and_body_mentions_are_counted_apart():
    f = _features("Hà Nội thử nghiệm xe buýt điện", "Thành phố sẽ mở rộng tuyến. Người dân Hà Nội ủng hộ.",
                  "Sở Giao thông Hà Nội cho biết kế hoạch.")["Hà Nội"]
    assert (f["title"], f["lead"], f["body"] + f["body_cue"]) == (1.0, 1.0, 1.0)


def test_a_dateline_is_read():
    f = _features("Mở cửa khu đô thị mới", "Nội dung bài viết.", "TP.HCM - Sáng 5/12, thành phố khai trương.")
    assert f["Hồ Chí Minh"]["dateline"] == 1.0


def test_a_name_inside_an_organisation_is_marked():
    f = _features("Kết quả kinh doanh quý III", "Công ty Đà Nẵng cho biết lợi nhuận tăng so với cùng kỳ.")
    assert f["Đà Nẵng"]["org"] == 1.0


def test_one_of_a_list_of_provinces_is_weak():
    f = _features("Mưa lớn ở miền Bắc", "Các tỉnh Hà Giang, Lào Cai, Yên Bái và Lai Châu có mưa to.")
    assert all(f[name]["weak"] >= 1.0 for name in f) and len(f) >= 3


def test_share_and_relative_score_compare_the_provinces_named():
    f = _features("Cần Thơ khởi công cầu mới", "Cần Thơ đầu tư lớn. Cầu nối sang Vĩnh Long. Cần Thơ kỳ vọng.")
    assert f["Cần Thơ"]["relative_hand_score"] == 1.0
    assert f["Cần Thơ"]["share"] > f["Vĩnh Long"]["share"]
    assert f["Cần Thơ"]["candidates"] == 2.0


def test_a_learned_model_decides_with_its_threshold():
    """Trained on articles we write where only the title's province is the subject: the body-only one is left."""
    articles = []
    for i in range(40):
        articles.append(Article(id=f"a{i}", title=f"Hà Nội triển khai dự án số {i}",
                                body=f"Dự án {i} được triển khai. Đoàn công tác từng tới Huế để học hỏi.",
                                provinces=["Hà Nội"]))
        articles.append(Article(id=f"b{i}", title=f"Huế công bố kế hoạch {i}",
                                body=f"Kế hoạch {i} của tỉnh. Nhiều chuyên gia từ Hà Nội tham dự.",
                                provinces=["Huế"]))
    model = salience.train(articles, groups=list(range(len(articles))))
    tagged = [m.name for m in tag_provinces("Hà Nội triển khai dự án số 99",
                                            "Dự án được triển khai. Đoàn công tác từng tới Huế để học hỏi.",
                                            salience=model)]
    assert tagged == ["Hà Nội"]
    assert 0.2 <= model.threshold <= 0.8
    assert np.isclose(sum(model.probabilities([_features("Huế mở hội chợ", "Hội chợ ở Huế.")["Huế"]])), 
                      model.probabilities([_features("Huế mở hội chợ", "Hội chợ ở Huế.")["Huế"]])[0])


@pytest.mark.parametrize("title, body", [("", ""), ("😀", "<p></p>"), ("Hà Nội", "x" * 100_000)])
def test_hard_inputs_give_a_list(title, body):
    assert isinstance(candidates(title, body), list)


def test_a_process_that_used_the_model_can_fork_workers_that_use_it(model_path):
    """`vnnews ingest` forks its workers; an OpenMP model used in the parent hung them (HistGradientBoosting did)."""
    import subprocess
    import sys
    from pathlib import Path

    script = f"""
import multiprocessing
from pathlib import Path
from models import topics
from models.provinces import tag_many_provinces
model = topics.load(Path({str(model_path)!r}))
texts = [("Đà Nẵng mở trung tâm khởi nghiệp", "UBND TP Đà Nẵng cho biết.", "")] * 3
tag_many_provinces(texts, model.salience)
def work(_):
    return [m.name for m in tag_many_provinces(texts, model.salience)[0]]
with multiprocessing.get_context("fork").Pool(2) as pool:
    print(pool.map(work, range(4)))
"""
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str([["Đà Nẵng"]] * 4)
