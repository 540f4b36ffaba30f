"""What the views use: the app's loaded topic model and open index (its extension "vnnews")."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from index.store import Store
from models.topics import TopicModel


@dataclass
class Services:
    """The app's extension: the loaded topic model and the open index, closed once with the app."""

    model: TopicModel
    store: Store

    def close(self) -> None:
        self.store.close()


def services() -> Services:
    """The current app's model and index."""
    return current_app.extensions["vnnews"]
