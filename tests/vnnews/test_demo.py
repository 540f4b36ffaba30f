"""The demo corpus kept apart from the user's news: loaded only into a new data directory, marked, and removed by one
command that leaves the user's articles (even one stored under a demo id) and keeps the demo from coming back."""

from __future__ import annotations

import json

import pytest

from index.search import SearchRequest, search
from index.store import Store
from vnnews import cli, demo
from vnnews.ingest import ingest_records

DEMO = [
    {"id": "demo-1", "title": "Huế mở lớp lập trình miễn phí cho học sinh", "source": "Tin Mẫu",
     "published": "2026-11-02", "body": "Sở Giáo dục Huế mở mười lớp lập trình cuối tuần cho học sinh trung học."},
    {"id": "demo-2", "title": "Cần Thơ thử nghiệm xe buýt điện", "source": "Tin Mẫu", "published": "2026-11-03",
     "body": "Hai tuyến xe buýt điện chạy thử từ bến Ninh Kiều, mỗi ngày ba mươi chuyến."},
    {"id": "demo-3", "title": "Quảng Ninh số hoá hồ sơ đất đai", "source": "Tin Mẫu", "published": "2026-11-04",
     "body": "Toàn bộ hồ sơ đất đai của tỉnh được quét và đưa lên hệ thống dữ liệu dùng chung."},
]
MINE = {"id": "mine-1", "title": "Huế khai trương trung tâm dữ liệu tỉnh", "source": "Báo Của Tôi",
        "published": "2026-11-05", "body": "Trung tâm dữ liệu mới của Huế lưu hồ sơ của các sở, ngành."}


def _demo_file(tmp_path):
    path = tmp_path / "demo.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in DEMO), encoding="utf-8")
    return path


def test_demo_is_marked_removed_by_one_call_and_not_loaded_again(tmp_path, model, model_path):
    data_dir = tmp_path / "var"
    with Store(data_dir) as store:
        assert demo.should_load(data_dir, store.count())
        summary = demo.load_demo(store, model, model_path, data_dir, [_demo_file(tmp_path)])
        assert summary.added == 3 and demo.demo_state(data_dir).present
        assert all(store.get(r["id"])["demo"] for r in DEMO)
        assert [h["demo"] for h in search(store, SearchRequest(q="Huế"))["hits"]] == [True]
        # the user's news arrives: one new article, and one stored under a demo id (it replaces the demo one)
        mine = [("mine", MINE), ("mine", dict(MINE, id="demo-2", title="Cần Thơ mở tuyến xe buýt điện thật"))]
        ingest_records(store, iter(mine), model, model_path, workers=1)
        assert not store.get("mine-1")["demo"] and not store.get("demo-2")["demo"]
        assert demo.remove_demo(store, data_dir) == 2
        assert sorted(a["id"] for a in _all(store)) == ["demo-2", "mine-1"]
        assert demo.remove_demo(store, data_dir) == 0
        for article_id in ("demo-2", "mine-1"):
            store.delete(article_id)
        assert store.count() == 0 and not demo.should_load(data_dir, 0)  # removed once: never back by itself


def test_an_unmarked_demo_of_an_older_version_is_found_by_id_and_title(tmp_path, model, model_path):
    """Before demo.json, the demo was loaded unmarked: its articles are the corpus ids whose stored title is still
    the corpus title; the user's article under a demo id (another title) stays."""
    data_dir = tmp_path / "var"
    records = [("old", r) for r in DEMO[:2]] + [("mine", dict(DEMO[2], title="Bài của tôi"))]
    with Store(data_dir) as store:
        ingest_records(store, iter(records), model, model_path, workers=1)
        assert demo.demo_state(data_dir) is None and not demo.should_load(data_dir, store.count())
        assert demo.remove_demo(store, data_dir, [_demo_file(tmp_path)]) == 2
        assert [a["id"] for a in _all(store)] == ["demo-3"]
    assert demo.demo_state(data_dir).removed


def test_demo_is_not_loaded_where_feeds_or_articles_are(tmp_path):
    assert not demo.should_load(tmp_path, 1)
    (tmp_path / demo.FEEDS_FILE).write_bytes(b"")
    assert not demo.should_load(tmp_path, 0)


def test_an_unreadable_demo_file_is_no_demo_and_no_reload(tmp_path):
    (tmp_path / demo.DEMO_FILE).write_text("{not json", encoding="utf-8")
    state = demo.demo_state(tmp_path)
    assert state is not None and not state.present and not demo.should_load(tmp_path, 0)


def test_cli_demo_remove_and_load(tmp_path, capsys, monkeypatch, model, model_path):
    data_dir = tmp_path / "var"
    assert cli.main(["--data-dir", str(data_dir), "demo", "remove"]) == 0
    assert "nothing to remove" in capsys.readouterr().out
    monkeypatch.setattr("corpus.corpus_files", lambda paths=None: [_demo_file(tmp_path)])
    assert cli.main(["--model", str(model_path), "--data-dir", str(data_dir), "demo", "load"]) == 0
    assert "loaded 3 demo articles" in capsys.readouterr().out
    assert cli.main(["--data-dir", str(data_dir), "demo", "remove"]) == 0
    out = capsys.readouterr().out
    assert "removed 3 demo articles" in out and "holds 0 articles" in out
    with pytest.raises(SystemExit) as exit_:  # argparse's usage error (status 2), not a traceback
        cli.main(["--data-dir", str(data_dir), "demo", "wipe"])
    assert exit_.value.code == 2 and "invalid choice" in capsys.readouterr().err


def test_search_page_says_the_demo_is_there(tmp_path, model, model_path):
    from vnnews.web import create_app

    data_dir = tmp_path / "var"
    with Store(data_dir) as store:
        demo.load_demo(store, model, model_path, data_dir, [_demo_file(tmp_path)])
    app = create_app({"TESTING": True, "DATA_DIR": str(data_dir), "MODEL_PATH": str(model_path)})
    try:
        client = app.test_client()
        html = client.get("/?q=Huế").get_data(as_text=True)
        assert 'id="demo-notice"' in html and "vnnews demo remove" in html and "badge demo" in html
        with Store(data_dir) as store:
            demo.remove_demo(store, data_dir)
        assert 'id="demo-notice"' not in client.get("/").get_data(as_text=True)
    finally:
        app.extensions["vnnews"].store.close()


def _all(store):
    return search(store, SearchRequest(per_page=100))["hits"]
