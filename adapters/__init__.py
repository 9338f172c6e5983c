"""Wire-format adapters: parse bytes → canonical messages, render canonical messages → bytes.

A library: it imports only :mod:`schemas` (never the gateway, FastAPI or SQLAlchemy), does no I/O and
holds no keys.
"""

from adapters.base import Adapter, Document, Record
from adapters.errors import (
    AdapterError,
    AmbiguousFormat,
    DocumentTooLarge,
    MalformedDocument,
    TranslationError,
    UnknownFormat,
    UnrecognisedFormat,
)
from adapters.limits import DEFAULT_LIMITS, Limits
from adapters.registry import AdapterRegistry, default_registry

__all__ = [
    "DEFAULT_LIMITS",
    "Adapter",
    "AdapterError",
    "AdapterRegistry",
    "AmbiguousFormat",
    "Document",
    "DocumentTooLarge",
    "Limits",
    "MalformedDocument",
    "Record",
    "TranslationError",
    "UnknownFormat",
    "UnrecognisedFormat",
    "default_registry",
]
