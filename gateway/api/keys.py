"""``GET /v1/gateway/certificates``: the gateway's certificates, current first, then the announced ones
(the next key before a switch, the previous one after it), so receivers can take a new key before the
gateway starts signing with it. Public material only; the answer is signed like every other."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from gateway.api.deps import GatewayDep
from gateway.api.signed import signed_json
from gateway.wire_signature import rfc3339

router = APIRouter(prefix="/v1/gateway", tags=["keys"])


@router.get("/certificates")
async def gateway_certificates(request: Request, gw: GatewayDep) -> Response:
    keyring = gw.keyring
    entries: list[dict[str, Any]] = [
        {
            "status": "current" if index == 0 else "announced",
            "serial": f"{certificate.serial_number:X}",
            "fingerprint_sm3": certificate.fingerprint(),
            "subject": certificate.subject,
            "not_before": rfc3339(certificate.not_before),
            "not_after": rfc3339(certificate.not_after),
            "pem": certificate.to_pem().decode("ascii"),
        }
        for index, certificate in enumerate(keyring.gateway_certificates)
    ]
    return signed_json(gw, request, {"gateway": gw.settings.gateway.id, "certificates": entries})
