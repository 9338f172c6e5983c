"""Tokens for people (ops and viewers). A bearer token is checked against the SM3 digests in the
configuration in constant time; roles: ``viewer`` reads any message, ``ops`` also acts on deliveries."""

from __future__ import annotations

import hmac
from typing import Literal

from gateway.config import Person
from gateway.services.errors import Forbidden, Unauthenticated
from gateway.services.ports import ServiceContext
from signing import sm3_hex


def person_for(gw: ServiceContext, authorization: str | None, *, need: Literal["viewer", "ops"]) -> Person:
    """The person presenting ``Authorization: Bearer <token>``, if their role allows ``need``."""
    if authorization is None or not authorization.startswith("Bearer "):
        raise Unauthenticated("an Authorization: Bearer <token> header is required")
    digest = sm3_hex(authorization[len("Bearer ") :].strip().encode("utf-8"))
    found: Person | None = None
    for person in gw.settings.people:
        if hmac.compare_digest(person.token_sm3, digest):
            found = person
    if found is None:
        raise Unauthenticated("unknown token")
    if need == "ops" and found.role != "ops":
        raise Forbidden(f"{found.name} is a viewer; this action needs the ops role")
    return found
