"""Tests of the `vnnews` command line through cli.main(argv): tag, evaluate, ingest, search."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vnnews import cli
from corpus import TOPICS

AI_ARTICLE = {
    "id": "cli-ai", "title": "Bệnh viện dùng trí tuệ nhân tạo đọc phim chụp phổi",
    "lead": "Hệ thống AI do kỹ sư trong nước huấn luyện giúp bác sĩ phát hiện tổn thương sớm hơn.",
    "body": "Mô hình học sâu được huấn luyện trên hàng chục nghìn phim X-quang. Trí tuệ nhân tạo khoanh vùng "
            "nghi tổn thương để bác sĩ rà lại. Nhóm phát triển cho biết mô hình AI sẽ được học thêm dữ liệu mới, "
            "và một chatbot AI sẽ trả lời câu hỏi của bệnh nhân.",
    "source": "Bản Tin Khoa Học", "note": "kept",
}
DANANG_ARTICLE = {
    "id": "cli-dn", "title": "Đà Nẵng mở thêm tuyến xe buýt ven biển",
    "body": "Sáng nay, UBND TP Đà Nẵng đưa vào khai thác tuyến xe buýt mới chạy dọc đường ven biển. "
            "Mỗi ngày tuyến có 40 chuyến, giá vé 7.000 đồng.",
    "published": "2025-08-02",
}
PLAIN_ARTICLE = {"title": "Giá rau xanh giảm sau mưa", "body": "Rau muống và cải ngọt về chợ nhiều, giá hạ một nửa."}


def dump(rows) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def run(capsys, *argv):
    """Run `vnnews argv...`; returns (exit status, stdout, stderr)."""
    status = cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    return status, out.out, out.err


# ---------------------------------------------------------------- tag
def test_tag_good_and_bad_lines(capsys, tmp_path, model_path):
    path = tmp_path / "in.jsonl"
    path.write_text(
        dump([AI_ARTICLE, DANANG_ARTICLE, PLAIN_ARTICLE])
        + '{"title": "hỏng", "body": \n'
        + dump([{"body": "Bài không có tiêu đề."}]),
        encoding="utf-8",
    )
    status, out, err = run(capsys, "--model", model_path, "tag", path)
    assert status != 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 3
    for given, row in zip([AI_ARTICLE, DANANG_ARTICLE, PLAIN_ARTICLE], rows):
        assert {k: row[k] for k in given} == given
        assert set(row) == set(given) | {"topics", "topic_scores", "provinces", "province_details"}
        assert set(row["topic_scores"]) == set(TOPICS)
        assert set(row["topics"]) <= set(TOPICS)
    ai, danang, plain = rows
    assert "ai" in ai["topics"]
    assert ai["topic_scores"]["ai"] > 0.5
    assert danang["provinces"] == ["Đà Nẵng"]
    assert danang["province_details"][0]["name"] == "Đà Nẵng"
    assert "Đà Nẵng" in danang["province_details"][0]["as_written"]
    assert plain["topics"] == []
    assert "line 4" in err and "not valid JSON" in err
    assert "line 5" in err and "`title`" in err
    assert "line 1:" not in err and "line 2:" not in err and "line 3:" not in err
    assert "2 bad line(s) skipped" in err


def test_tag_all_good_lines_exits_zero(capsys, tmp_path, model_path):
    path = tmp_path / "in.jsonl"
    path.write_text(dump([PLAIN_ARTICLE]) + "\n\n", encoding="utf-8")
    status, out, err = run(capsys, "--model", model_path, "tag", path)
    assert status == 0
    assert len(out.splitlines()) == 1
    assert "tagged 1 articles" in err


def test_tag_missing_input_file(capsys, tmp_path, model_path):
    status, out, err = run(capsys, "--model", model_path, "tag", tmp_path / "nope.jsonl")
    assert status == 2
    assert out == ""
    assert "no such file" in err and "nope.jsonl" in err


def test_tag_refuses_a_lone_surrogate(capsys, tmp_path, model_path):
    path = tmp_path / "in.jsonl"
    path.write_text(dump([PLAIN_ARTICLE]) + '{"title": "Tin \\ud800 nóng", "body": "Nội dung."}\n', encoding="utf-8")
    status, out, err = run(capsys, "--model", model_path, "tag", path)
    assert status == 1
    assert len(out.splitlines()) == 1
    assert "line 2" in err and "`title`" in err


@pytest.mark.slow
def test_tag_without_a_model_trains_one_first(capsys, tmp_path):
    model = tmp_path / "models" / "topics.joblib"
    path = tmp_path / "in.jsonl"
    path.write_text(dump([AI_ARTICLE]), encoding="utf-8")
    status, out, err = run(capsys, "--model", model, "tag", path)
    assert status == 0
    assert "No topic model" in err and "training" in err
    assert model.is_file()
    [row] = [json.loads(line) for line in out.splitlines()]
    assert "ai" in row["topics"]


# ---------------------------------------------------------------- evaluate
def test_evaluate_a_small_labeled_file(capsys, tmp_path, model_path):
    path = tmp_path / "dev.jsonl"
    rows = [
        AI_ARTICLE | {"topics": ["ai"], "provinces": []},
        DANANG_ARTICLE | {"topics": [], "provinces": ["Đà Nẵng"]},
        PLAIN_ARTICLE | {"topics": [], "provinces": []},
    ]
    path.write_text(dump(rows), encoding="utf-8")
    status, out, _ = run(capsys, "--model", model_path, "evaluate", "--data", path)
    assert status == 0
    report = json.loads(out)
    assert report["data"] == str(path)
    assert report["topics"]["n"] == 3
    assert report["topics"]["labels"]["ai"]["support"] == 1
    assert 0.0 <= report["topics"]["micro_f1"] <= 1.0
    assert report["topics"]["labels"]["ai"]["recall"] == 1.0
    assert report["provinces"]["support"] == 1
    assert report["provinces"]["f1"] == 1.0


def test_evaluate_without_data(capsys, tmp_path, model_path):
    status, _, err = run(capsys, "--model", model_path, "evaluate", "--data", tmp_path / "none.jsonl")
    assert status == 2
    assert "--data" in err and "none.jsonl" in err


def test_evaluate_a_file_with_one_bad_line(capsys, tmp_path, model_path):
    path = tmp_path / "dev.jsonl"
    path.write_text(dump([AI_ARTICLE | {"topics": ["ai"], "provinces": []}]) + "{not json\n", encoding="utf-8")
    status, out, err = run(capsys, "--model", model_path, "evaluate", "--data", path)
    assert (status, out) == (2, "")
    assert err == f"vnnews evaluate: error: {path}:2: not valid JSON (Expecting property name enclosed in double " \
                  "quotes at column 2)\n"


def test_a_bad_threads_setting_does_not_stop_help():
    env = {**os.environ, "VNNEWS_THREADS": "abc"}
    done = subprocess.run([sys.executable, "-m", "vnnews.cli", "--help"], capture_output=True, text=True, env=env)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("usage: vnnews")
    done = subprocess.run([sys.executable, "-m", "vnnews.cli", "serve", "--port", "0"], capture_output=True,
                          text=True, env=env)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1] == "vnnews serve: error: argument --threads: invalid int value: 'abc'"


# ---------------------------------------------------------------- ingest and search
@pytest.fixture
def inbox(tmp_path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "batch.json").write_text(json.dumps([AI_ARTICLE, DANANG_ARTICLE], ensure_ascii=False), encoding="utf-8")
    (folder / "feed.jsonl").write_text(
        dump([
            PLAIN_ARTICLE | {"id": "cli-plain", "url": "https://example.vn/rau"},
            {"id": "cli-bad", "title": "Ngày sai", "body": "Ngày đăng không hợp lệ.", "published": "hôm qua"},
            {"id": "cli-startup", "title": "Startup nông sản gọi vốn thành công",
             "body": "Công ty khởi nghiệp ở Cần Thơ vừa gọi vốn 2 triệu USD từ quỹ đầu tư mạo hiểm.",
             "published": "2026-11-12", "source": "Doanh Nhân Trẻ"},
        ]),
        encoding="utf-8",
    )
    return folder


def ingest(capsys, model_path, data_dir, *paths):
    status, out, err = run(capsys, "--model", model_path, "--data-dir", data_dir, "ingest", "--json", *paths)
    return status, json.loads(out), err


def test_ingest_then_reingest(capsys, tmp_path, model_path, inbox):
    data_dir = tmp_path / "var"
    status, summary, _ = ingest(capsys, model_path, data_dir, inbox)
    assert status == 1
    assert (summary["added"], summary["updated"], summary["unchanged"]) == (4, 0, 0)
    [rejected] = summary["rejected"]
    assert rejected["where"] == f"{inbox / 'feed.jsonl'}:2"
    assert "`published`" in rejected["reason"]
    assert summary["index_articles"] == 4
    assert summary["interrupted"] is False

    status, again, _ = ingest(capsys, model_path, data_dir, inbox / "batch.json", inbox / "feed.jsonl")
    assert status == 1
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 4)
    assert again["rejected"] == summary["rejected"]
    assert again["index_articles"] == 4


def test_ingest_text_summary_names_the_rejected_line(capsys, tmp_path, model_path, inbox):
    status, out, _ = run(capsys, "--model", model_path, "--data-dir", tmp_path / "var", "ingest", inbox)
    assert status == 1
    assert "added 4, updated 0, unchanged 0, rejected 1" in out
    assert f"rejected {inbox / 'feed.jsonl'}:2:" in out
    assert "the index now holds 4 articles" in out
    assert "vnnews optimize" not in out  # four articles are no bulk load


def test_a_bulk_ingest_into_several_segments_suggests_optimize(capsys, tmp_path, model_path, inbox, monkeypatch):
    monkeypatch.setattr(cli, "OPTIMIZE_HINT_ARTICLES", 4)  # as if these four were thousands
    _, out, _ = run(capsys, "--model", model_path, "--data-dir", tmp_path / "var", "ingest", "--commit-every", "1",
                    inbox)
    assert "the index is in 4 segments: `vnnews optimize` merges them into one" in out


def test_ingest_missing_path(capsys, tmp_path, model_path):
    status, out, err = run(capsys, "--model", model_path, "--data-dir", tmp_path / "var", "ingest", tmp_path / "nope")
    assert status == 2
    assert "no such file or folder" in err and "nope" in err


def test_optimize_merges_the_commits_into_one_segment(capsys, tmp_path, model_path, inbox):
    data_dir = tmp_path / "var"
    _, out, _ = run(capsys, "--model", model_path, "--data-dir", data_dir, "ingest", "--json", "--commit-every", "1",
                    inbox)
    assert json.loads(out)["index_segments"] == 4
    from index.store import Store

    def segments():
        with Store(data_dir, create=False) as store:
            return store.segments()

    assert segments() == 4
    status, out, _ = run(capsys, "--data-dir", data_dir, "optimize")
    assert status == 0 and "merged the index of 4 articles into one segment" in out
    assert segments() == 1
    status, out, _ = run(capsys, "--data-dir", data_dir, "search", "tri tue nhan tao", "--json")
    assert status == 0 and json.loads(out)["total"] >= 1


def test_optimize_without_an_index_says_how_to_make_one(capsys, tmp_path):
    status, _, err = run(capsys, "--data-dir", tmp_path / "empty", "optimize")
    assert status != 0 and "vnnews ingest" in err


@pytest.fixture
def ingested(capsys, tmp_path, model_path, inbox) -> Path:
    data_dir = tmp_path / "var"
    ingest(capsys, model_path, data_dir, inbox)
    return data_dir


def test_search_json_shape(capsys, ingested):
    status, out, _ = run(capsys, "--data-dir", ingested, "search", "tri tue nhan tao", "--json")
    assert status == 0
    result = json.loads(out)
    assert set(result) == {"query", "total", "groups", "page", "per_page", "hits", "facets", "took_ms"}
    assert result["page"] == 1 and result["per_page"] == 10
    assert result["total"] >= 1 and result["hits"]
    for hit in result["hits"]:
        assert set(hit) == {"id", "title", "url", "source", "published", "topics", "provinces", "score", "snippet",
                            "event_id", "demo", "others", "others_total"}
    assert result["hits"][0]["id"] == "cli-ai"
    assert "ai" in result["hits"][0]["topics"]


def test_search_filters_by_topic_and_province(capsys, ingested):
    status, out, _ = run(capsys, "--data-dir", ingested, "search", "--province", "da nang", "--json")
    assert status == 0
    result = json.loads(out)
    assert [h["id"] for h in result["hits"]] == ["cli-dn"]
    assert result["hits"][0]["provinces"] == ["Đà Nẵng"]
    assert result["hits"][0]["published"] == "2025-08-02"


def test_search_plain_text_output(capsys, ingested):
    status, out, _ = run(capsys, "--data-dir", ingested, "search", "xe buýt")
    assert status == 0
    assert out.startswith("1 articles")
    assert "1. Đà Nẵng mở thêm tuyến xe buýt ven biển" in out


def test_search_unknown_topic(capsys, ingested):
    status, out, err = run(capsys, "--data-dir", ingested, "search", "--topic", "nope", "--json")
    assert status != 0
    assert out == ""
    assert "'nope'" in err
    assert all(topic in err for topic in TOPICS)


def test_search_without_an_index(capsys, tmp_path):
    status, out, err = run(capsys, "--data-dir", tmp_path / "missing", "search", "khởi nghiệp")
    assert status != 0
    assert out == ""
    assert "vnnews ingest" in err
    assert not (tmp_path / "missing").exists() or not any((tmp_path / "missing").iterdir())
