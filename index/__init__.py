"""The search index (Whoosh, via whoosh-reloaded). Every use of Whoosh lives in this package.

Public surface (other layers use only these):

- `index.store.Store(data_dir)`: opens or creates the index under `data_dir/index`; the single writer.
    - `upsert(docs: list[IndexDoc]) -> list[str]`: "added" | "updated" | "unchanged" per doc, committed on return;
      `upsert_later(docs) -> Future` of the same, so a bulk ingest overlaps preparing and writing.
    - `delete(article_id) -> bool`, `get(article_id) -> dict | None` (stored article: id, title, lead, body, url,
      source, published (ISO str or None), topics, provinces, former_provinces, province_details),
      `count() -> int`, `close()`.
- `index.document.IndexDoc`: the plain record the store takes (article, tags, analyzed terms, content hash); made
  by vnnews.ingest, which is where nlp/, models/ and index/ meet. This package never imports models/.
- `index.search`:
    - `SearchRequest(q="", topic=None, province=None, source=None, date_from=None, date_to=None,
      sort="relevance", page=1, per_page=10)` with `SearchRequest.from_params(mapping)` that validates strings
      (raises InvalidInput naming the field);
    - `search(store, request) -> dict`: exactly the JSON of `vnnews search --json` and `GET /api/search`;
    - `iter_articles(store, request_without_paging) -> Iterator[dict]`: every matching stored article (for digests);
    - `date_bounds(store) -> (date | None, date | None)`: earliest and latest `published` in the index.
"""
