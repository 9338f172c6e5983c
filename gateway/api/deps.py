"""Request dependencies, as module-level ``Annotated`` aliases (STYLE.md §4.8 trap)."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from gateway.bootstrap import Gateway


def get_gateway(request: Request) -> Gateway:
    return cast(Gateway, request.app.state.gateway)


GatewayDep = Annotated[Gateway, Depends(get_gateway)]
