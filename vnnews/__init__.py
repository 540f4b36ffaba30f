"""vnnews, the application: what joins the text (nlp/), the tagger (models/) and the index (index/) together.

- errors.py, settings.py: the error family and the settings every layer shares (they import nothing of ours);
- records.py, labels.py: the Article and Tags records and the topic/province vocabulary;
- ingest/: validate → normalize → segment → tag → index (the one place nlp, models and index meet);
- digest/: topic digests built from index queries;
- web/: the Flask app (blueprints `api` and `pages`, the OpenAPI document, the templates);
- cli.py: the `vnnews` command.
"""
