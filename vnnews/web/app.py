"""The app factory and the production server."""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
import time
import weakref
from pathlib import Path
from typing import Callable

from flask import Flask, request, url_for

from index import search as searching
from index.store import Store
from models import topics
from nlp import segment
from vnnews import settings, templating
from vnnews.errors import InvalidInput
from vnnews.web import api, errors, feeds, pages
from vnnews.web.services import Services

_INT_SETTINGS = ("MAX_CONTENT_LENGTH", "MAX_PER_PAGE", "THREADS")
_STR_SETTINGS = ("DATA_DIR", "MODEL_PATH", "API_KEY")


def create_app(config: dict | None = None) -> Flask:
    """Build the app: settings defaults, then VNNEWS_* environment variables, then `config`; load model and index."""
    app = Flask(__name__)
    _configure(app, config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]  # facet counts are ordered by count
    # One Jinja environment for pages and digests (vnnews.templating), with Flask's request helpers added.
    env = templating.environment()
    env.globals.update(url_for=url_for, request=request, page_url=pages.page_url)
    app.jinja_env = env  # type: ignore[misc]

    model = topics.load(Path(app.config["MODEL_PATH"]))
    segment.load()  # underthesea loads lazily with no lock: load it before serving concurrent requests
    store = Store(app.config["DATA_DIR"])
    searching.warm(store)  # vocabulary and facet arrays now, not on the first user's query
    services = Services(model=model, store=store)
    app.extensions["vnnews"] = services
    # Flask has no shutdown signal: the index closes when the app is collected or the process exits (and `serve`
    # closes it when waitress stops); closing twice is harmless.
    weakref.finalize(app, services.close)

    errors.register(app)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(feeds.blueprint)  # /api/feeds and the feed-health page /feeds
    return app


def _configure(app: Flask, config: dict | None) -> None:
    app.config.from_mapping(settings.defaults())
    app.config.from_prefixed_env("VNNEWS")
    # from_prefixed_env reads values as JSON: VNNEWS_API_KEY=123 would become the int 123. Paths and keys are text.
    for name in _STR_SETTINGS:
        if f"VNNEWS_{name}" in os.environ:
            app.config[name] = os.environ[f"VNNEWS_{name}"]
    if config:
        app.config.update(config)
    for name in _INT_SETTINGS:
        try:
            app.config[name] = int(app.config[name])
        except (TypeError, ValueError):
            raise InvalidInput(f"setting {name} must be a whole number, not {app.config[name]!r}", field=name)
    app.config["API_KEY"] = "" if app.config.get("API_KEY") is None else str(app.config["API_KEY"])


def serve(app: Flask, host: str = "127.0.0.1", port: int = 8000, threads: int = 8, processes: int = 1,
          after_fork: Callable[[], None] | None = None) -> None:
    """Run the app under waitress (the production server) until interrupted or terminated, then close its index.

    A search is CPU work under Python's GIL: one process uses one core however many threads it has, and many busy
    threads in one process slow each other down (measured at 100,000 articles, 8 clients: 42 queries/s with one
    worker thread, 21 with eight). So with `processes` > 1 the listening socket is bound once and that many processes
    serve it: this one and copies forked from it once the model is loaded and the index warmed (they share those
    pages until either writes them), each taking its share of the connections (`_Balance`). Writes from any of them
    go through the index's file lock and every process sees each commit. `after_fork` (the feed poller) runs in this
    process only. Forking needs a POSIX system; on others `processes` is 1.
    """
    try:
        listener = socket.create_server((host, port), backlog=1024)
    except OSError as exc:
        app.extensions["vnnews"].close()
        raise InvalidInput(f"cannot listen on {host}:{port}: {exc.strerror or exc}; is another server running "
                           "there? Choose another --port", field="port") from exc
    children: list[int] = []
    balance = None
    if processes > 1 and hasattr(os, "fork"):
        balance = _Balance(processes)
        parent = os.getpid()
        for slot in range(1, processes):
            pid = os.fork()
            if pid == 0:
                _serve_forked(app, listener, threads, parent, balance, slot)  # never returns
            children.append(pid)
    if after_fork is not None:
        after_fork()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _exit_on_signal)  # `kill` stops the server as Ctrl-C does: index closed
    try:
        _run(app, listener, threads, balance, 0)
    finally:
        for pid in children:
            _stop(pid)
        app.extensions["vnnews"].close()
        listener.close()


class _Balance:
    """How many connections each serving process holds, in memory the forked processes share, so that each takes
    its share of them.

    The processes accept from one listening socket, and a client's kept-alive connection stays with the process
    that accepted it. Left to the kernel, 8 clients' connections split 4/4 between two processes only about one
    time in four (binomially: 5/3 44%, 6/2 22%, 7/1 6%), and the busier process answers its clients up to several
    times slower while the other has spare time: at 100,000 articles, 8 clients' p95 over the query mix measured
    86 ms with a 4/4 split, 99 ms with 5/3, 119 ms with 6/2, 130 ms with 7/1. So each process publishes its count
    (and when it last did) on every turn of its event loop, and listens for new connections only while it holds no
    more than any other process that published within STALE seconds (a process that died stops counting). An idle
    process's event loop turns every TURN seconds (waitress: every second), so a process that stopped listening
    while another was below it notices soon when that changes.
    """

    TURN = 0.1  # seconds between turns of an idle process's event loop
    STALE = 2.0  # seconds without a turn after which a process no longer counts

    def __init__(self, processes: int):
        import multiprocessing

        self.counts = multiprocessing.RawArray("d", processes)  # shared memory, inherited by forked processes
        self.beats = multiprocessing.RawArray("d", processes)

    def attach(self, server, slot: int) -> None:
        """Make a waitress server (in the process serving `slot`) listen only while its share is not exceeded."""
        readable = server.readable
        counts, beats = self.counts, self.beats
        server.adj.asyncore_loop_timeout = self.TURN

        def balanced() -> bool:
            listening = readable()  # waitress's own checks (connection limit, housekeeping) first
            now = time.monotonic()
            held = counts[slot] = len(server._map)  # its channels: its connections, and two every process has
            beats[slot] = now
            return listening and all(held <= count for count, beat in zip(counts, beats) if now - beat < self.STALE)

        server.readable = balanced


def _run(app: Flask, listener: socket.socket, threads: int, balance: _Balance | None, slot: int) -> None:
    """waitress.serve on the shared listening socket, with the process's share of connections when balanced."""
    import logging

    from waitress.server import create_server

    logging.basicConfig()
    server = create_server(app, sockets=[listener], threads=threads)
    if balance is not None:
        balance.attach(server, slot)
    server.print_listen("Serving on http://{}:{}")
    server.run()


def _exit_on_signal(signum, frame) -> None:
    raise SystemExit(0)  # waitress stops its loop on SystemExit, then `serve` closes the index


def _serve_forked(app: Flask, listener: socket.socket, threads: int, parent: int, balance: _Balance, slot: int
                  ) -> None:
    """A forked serving process: dies with its parent (Linux: even when the parent is killed with -9), serves the
    shared socket until told to stop, closes its copy of the index and leaves without the parent's exit handlers."""
    status = 0
    try:
        _die_with_parent()
        if os.getppid() != parent:  # the parent was gone before we asked
            os._exit(0)
        signal.signal(signal.SIGTERM, _exit_on_signal)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        _run(app, listener, threads, balance, slot)
    except BaseException:  # noqa: BLE001  (a forked child must never return into the parent's code)
        status = 1
    finally:
        try:
            app.extensions["vnnews"].close()
        finally:
            os._exit(status)


def _die_with_parent() -> None:
    """Linux's PR_SET_PDEATHSIG: SIGTERM to this process when its parent dies; elsewhere nothing."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
