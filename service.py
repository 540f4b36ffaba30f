"""The HTTP service: the Flask app of vnnews.web (blueprints `api` and `pages`), for WSGI servers and tests.

    waitress-serve --call service:create_app      # or: vnnews serve
"""

from vnnews.web import create_app, serve

__all__ = ["create_app", "serve"]
