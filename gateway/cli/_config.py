"""Where the CLI finds its configuration: ``--config FILE|DIR``, else ``./.fiscalgw/``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gateway.config import DEFAULT_CONFIG_DIR, Settings, load_settings
from gateway.errors import GatewayError


def add_config_argument(parser: Any) -> None:
    parser.add_argument(
        "--config", metavar="FILE", help=f"fiscalgw.toml or its directory (default ./{DEFAULT_CONFIG_DIR}/)"
    )


def config_path(value: str | None) -> Path:
    return Path(value) if value else DEFAULT_CONFIG_DIR


def settings_from(value: str | None) -> Settings:
    from gateway.cli._common import CLIError

    try:
        return load_settings(config_path(value))
    except GatewayError as exc:
        raise CLIError(str(exc)) from None
