"""Ingest, where nlp/, models/ and index/ meet: read records (files), prepare them (validate, normalize, segment,
tag → IndexDoc) and write them through the store's single writer (pipeline)."""

from vnnews.ingest.files import iter_records
from vnnews.ingest.pipeline import COMMIT_EVERY, IngestSummary, ingest_records
from vnnews.ingest.prepare import prepare, prepare_many

__all__ = ["iter_records", "COMMIT_EVERY", "IngestSummary", "ingest_records", "prepare", "prepare_many"]
