"""What every API request brings besides its wire document, read one way:

* :func:`storable_parameters` — an application-wide dependency: no path segment, query parameter name or
  value may hold U+0000 or a lone surrogate (``400 invalid_text``, :mod:`gateway.services.text`), checked
  before any handler, authentication or database look-up;
* :func:`json_object` — a JSON request body (reconciliation runs, break comments, inbox rejections) read
  strictly by :func:`adapters.json_text.loads`: a repeated key is ``400 duplicate_key``, a lone surrogate or a
  NUL anywhere in it ``400 invalid_text``, anything else that is not one JSON object ``400 bad_request``.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from adapters import json_text
from adapters.errors import MalformedDocument
from gateway.services.errors import BadRequest, DuplicateKey, InvalidText
from gateway.services.text import storable_json, storable_pairs


async def storable_parameters(request: Request) -> None:
    storable_pairs(request.path_params.items(), "path segment")
    storable_pairs(request.query_params.multi_items(), "query parameter")


async def json_object(request: Request) -> dict[str, Any]:
    """The body as one JSON object (an empty body is not one)."""
    raw = await request.body() or b"null"
    try:
        body = json_text.loads(raw.decode(json.detect_encoding(raw)))
    except UnicodeDecodeError:
        raise BadRequest("the body must be a JSON object (UTF-8)") from None
    except MalformedDocument as exc:
        if exc.code == "duplicate_key":
            raise DuplicateKey(exc.message) from None
        if exc.code == "invalid_text":
            raise InvalidText(exc.message) from None
        raise BadRequest(f"the body must be a JSON object ({exc.message})") from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    storable_json(body, "a string of the body")
    return body
