"""Known-item search quality on real articles, ours against Whoosh's StandardAnalyzer:
`python bench/search_quality.py [--articles 2000] [--queries 200]`."""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from common import vietnews

from index.baseline import BaselineIndex
from index.evaluate import evaluate, known_items
from index.ingest import ingest_records
from index.search import SearchRequest, search
from index.store import Store
from models import topics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    articles = list(vietnews(args.articles))
    step = max(1, len(articles) // args.queries)
    items = known_items(articles[::step][: args.queries])
    with tempfile.TemporaryDirectory() as folder:
        model = topics.load(topics.MODEL_PATH)
        with Store(Path(folder) / "ours") as store:
            ingest_records(store, ((a["id"], a) for a in articles), model, topics.MODEL_PATH)
            started = time.perf_counter()
            ours = evaluate(lambda q: [h["id"] for h in search(store, SearchRequest(q=q))["hits"]], items)
            ours["seconds"] = round(time.perf_counter() - started, 1)
        baseline = BaselineIndex(Path(folder) / "baseline", articles)
        started = time.perf_counter()
        theirs = evaluate(baseline.search, items)
        theirs["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps({"vnnews": ours, "whoosh_standard_analyzer": theirs}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
