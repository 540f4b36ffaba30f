"""The web layer: `create_app()` builds the Flask app (blueprint `api` under /api, blueprint `pages` for HTML);
`serve()` runs it under waitress.

HTTP only: parsing requests, checking the API key, choosing each error's status and rendering templates. Every
decision about articles, tags, searches and digests is made by the layers below, which know nothing of Flask.
"""

from vnnews.web.app import create_app, serve

__all__ = ["create_app", "serve"]
