"""The ASGI entry point of ``fiscalgw serve --workers N`` (N > 1): uvicorn starts N worker processes and
each one calls :func:`app_from_environment`, which builds that process's own gateway (keys, database pool,
relay thread) from the configuration named in ``FISCALGW_SERVE_CONFIG``, with the log format and level of
``FISCALGW_SERVE_LOG`` (``format:LEVEL``, as ``serve`` was given them). Several workers — and therefore
several relays — need PostgreSQL (ADR 0004); ``serve`` refuses them on SQLite.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from fastapi import FastAPI

from gateway.api.app import create_app
from gateway.bootstrap import build_gateway
from gateway.config import load_settings
from gateway.logging_setup import LogFormat, configure

CONFIG_ENV = "FISCALGW_SERVE_CONFIG"
"""The configuration file (or directory) each worker loads; ``fiscalgw serve`` sets it."""

LOG_ENV = "FISCALGW_SERVE_LOG"
"""``format:LEVEL`` for the worker's logging (``text:INFO``); ``fiscalgw serve`` sets it."""


def app_from_environment() -> FastAPI:
    """A worker's app: the gateway of ``$FISCALGW_SERVE_CONFIG`` with its push relay in a thread."""
    fmt, _, level = os.environ.get(LOG_ENV, "text:INFO").partition(":")
    log_format: LogFormat = "json" if fmt == "json" else "text"
    configure(log_format, level=getattr(logging, level, logging.INFO))
    settings = load_settings(Path(os.environ[CONFIG_ENV]))
    return create_app(build_gateway(settings), run_relay=True)
