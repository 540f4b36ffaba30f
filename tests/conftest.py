"""Shared fixtures: a trained model (once per session), temporary index folders, the demo index."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import corpus
from models import topics
from models.evaluate import SHARED_DATA
from vnnews.errors import ModelError


def pytest_configure(config):
    config.addinivalue_line("markers", "needs_shared_data: reads ../shared/data (skipped when absent)")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"{SHARED_DATA} is absent: the real-news evaluation data lives beside the project")
    return SHARED_DATA


@pytest.fixture(scope="session")
def model_path(tmp_path_factory) -> Path:
    """The bundled model when it was trained on the current corpus under this scikit-learn; else one trained now."""
    try:
        model = topics.load(topics.MODEL_PATH)
        if model.corpus_hash == corpus.fingerprint():
            return topics.MODEL_PATH
    except ModelError:  # missing, foreign or stale: train one below
        pass
    path = tmp_path_factory.mktemp("model") / "topics.joblib"
    articles = corpus.load()
    topics.train(articles, corpus_hash=corpus.fingerprint()).save(path)
    return path


@pytest.fixture(scope="session")
def model(model_path):
    return topics.load(model_path)


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "var"


@pytest.fixture(scope="session")
def demo_data_dir(tmp_path_factory, model, model_path) -> Path:
    """A data folder whose index holds the whole bundled corpus (built once; copy it before writing)."""
    from vnnews.ingest import ingest_records, iter_records
    from index.store import Store

    path = tmp_path_factory.mktemp("demo") / "var"
    with Store(path) as store:
        summary = ingest_records(store, iter_records(corpus.corpus_files()), model, model_path, workers=1)
    assert not summary.rejected, summary.rejected
    return path


@pytest.fixture
def demo_copy(demo_data_dir, tmp_path) -> Path:
    """A private, writable copy of the demo data folder."""
    target = tmp_path / "demo-var"
    shutil.copytree(demo_data_dir, target)
    return target


@pytest.fixture
def waitress_server():
    """Serve a Flask app with a real waitress server on 127.0.0.1 in a thread: `waitress_server(app)` → base URL.
    At teardown every connection is closed from inside the server's own loop (closing them from the test thread
    while the loop polled them raced: "Bad file descriptor" in the server thread), then the app's index is closed."""
    import threading

    import waitress

    running = []

    def start(app, threads: int = 8) -> str:
        server = waitress.create_server(app, host="127.0.0.1", port=0, threads=threads)
        thread = threading.Thread(target=server.run, name="waitress", daemon=True)
        thread.start()
        running.append((app, server, thread))
        return f"http://127.0.0.1:{server.effective_port}"

    yield start
    for app, server, thread in running:
        server.trigger.pull_trigger(lambda server=server: [d.close() for d in list(server._map.values())])
        thread.join(timeout=10)
        server.task_dispatcher.shutdown()
        app.extensions["vnnews"].store.close()
