"""The party registry: who the gateway talks to (finance levels, agency banks, the PBOC treasury).

Each party is identified by its natural code (SPEC §3): a finance party by its 9-digit ``MOF_DIV_CODE``, an
agency bank by its 12-digit CNAPS 行号, the PBOC treasury by its 10-character ``TreCode`` or 12-digit CFX
node code. The 9-digit ↔ 6-digit ``AdmDivCode`` mapping of the 电子凭证库 is declared here per party, never
derived by string surgery alone. Key material is referenced by path (relative to the configuration file);
:mod:`gateway.keyring` loads it.

Key rotation: ``certificate`` (or ``public_key``) takes one value or a list. During a changeover a party
lists its old and its new certificate; the gateway accepts a signature that verifies with any of them that
is valid now and not revoked (see ``docs/threat-model.md``), and the old one is removed once the party
has switched.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.functional_validators import BeforeValidator

from gateway.code_policy import CodePolicy
from gateway.errors import ConfigError, UnknownParty
from schemas.divisions import AdmDivCode, MofDivCode, check_mof_div_code

_BANK_NO = re.compile(r"^\d{12}$")
_PBC_ID = re.compile(r"^(?:[0-9A-Za-z]{10}|\d{12})$")
_USER_ID = re.compile(r"^[\x21-\x7e]{1,64}$")


def _one_or_many(value: Any) -> Any:
    """A TOML string or a list of strings, as a tuple."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return value


KeyPaths = Annotated[tuple[str, ...], BeforeValidator(_one_or_many)]
"""One key reference, or several during a key changeover."""


class PartyKind(enum.StrEnum):
    FINANCE = "finance"  # 财政
    BANK = "bank"  # 代理银行
    PBC = "pbc"  # 人民银行国库


class SignatureProfileConfig(BaseModel):
    """A counterparty's SM2 signature convention (SPEC §6); defaults are GM/T 0009."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    user_id: str = "1234567812345678"
    sig_format: Literal["der", "raw"] = "der"
    encoding: Literal["base64", "hex"] = "base64"

    @field_validator("user_id")
    @classmethod
    def _printable_user_id(cls, value: str) -> str:
        if not _USER_ID.match(value):
            raise ValueError("user_id must be 1-64 printable ASCII characters")
        return value


class Party(BaseModel):
    """One registered counterparty."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    kind: PartyKind
    name: str = Field(min_length=1)
    mof_div_codes: tuple[MofDivCode, ...] = ()
    """Divisions this party speaks for (finance: defaults to its own id)."""
    adm_div_codes: dict[str, AdmDivCode] = Field(default_factory=dict)
    """9-digit MOF_DIV_CODE → 6-digit AdmDivCode, for the divisions above."""
    certificate: KeyPaths = ()
    """Path of the party's SM2 certificate (PEM), relative to the configuration file; a list of paths while
    the party rotates its key (every listed certificate that is valid now and not revoked is accepted)."""
    public_key: KeyPaths = ()
    """Or a bare public key: SubjectPublicKeyInfo PEM path, or raw 04‖X‖Y as hex/base64 (a list while
    rotating)."""
    signature: SignatureProfileConfig = SignatureProfileConfig()
    wire_format: str = "mof.json"
    """The format deliveries are rendered in when the document's own format is not accepted."""
    also_accepts: tuple[str, ...] = ()
    """Further formats this party takes as they are (e.g. a finance party on ``mof.json`` that also takes
    ``evoucher`` 回单): a document in one of them is delivered in its own format."""
    push_url: str | None = None
    """Channel: the gateway POSTs deliveries here; ``None`` means the party pulls ``/v1/inbox``."""
    tre_code: str | None = None
    """PBOC only: the 国库主体代码 (TreCode) when the id is the CFX node code."""
    bank_codes: tuple[str, ...] = ()
    """Bank only: the 代理银行编码 values (e-voucher ``PayBankCode``) that address this bank."""
    codes: CodePolicy | None = None
    """代码校验 for this counterparty's documents: ``refuse`` or ``warn`` a value outside its code list;
    unset, the ``[codes]`` section decides by region (:mod:`gateway.code_policy`)."""

    def delivery_format(self, source_format: str) -> str:
        """The format a document in ``source_format`` is delivered to this party in."""
        return source_format if source_format in (self.wire_format, *self.also_accepts) else self.wire_format

    @property
    def channel(self) -> Literal["push", "pull"]:
        return "push" if self.push_url else "pull"

    @model_validator(mode="after")
    def _consistent(self) -> Party:
        if self.kind is PartyKind.FINANCE:
            try:
                check_mof_div_code(self.id)
            except ValueError as exc:
                raise ValueError(f"finance party id must be its MOF_DIV_CODE: {exc}") from None
            if not self.mof_div_codes:
                object.__setattr__(self, "mof_div_codes", (self.id,))
        elif self.kind is PartyKind.BANK and not _BANK_NO.match(self.id):
            raise ValueError("bank party id must be its 12-digit CNAPS 行号")
        elif self.kind is PartyKind.PBC and not _PBC_ID.match(self.id):
            raise ValueError("PBOC party id must be a 10-character TreCode or a 12-digit node code")
        if self.bank_codes and self.kind is not PartyKind.BANK:
            raise ValueError("bank_codes belong to bank parties only")
        stray = sorted(set(self.adm_div_codes) - set(self.mof_div_codes))
        if stray:
            raise ValueError(f"adm_div_codes maps divisions this party does not hold: {', '.join(stray)}")
        if bool(self.certificate) == bool(self.public_key):
            raise ValueError("give exactly one of certificate or public_key (a path, or a list of paths)")
        for reference in (*self.certificate, *self.public_key):
            if not reference.strip():
                raise ValueError("certificate and public_key entries must not be empty")
        if len(set(self.certificate)) != len(self.certificate) or len(set(self.public_key)) != len(
            self.public_key
        ):
            raise ValueError("a certificate or public_key is listed twice")
        if self.push_url is not None and not self.push_url.startswith(("http://", "https://")):
            raise ValueError("push_url must be an http:// or https:// URL")
        return self


class PartyRegistry:
    """Look-ups over the registered parties; ids and division codes are unique across the registry."""

    def __init__(self, parties: Iterable[Party]) -> None:
        self._by_id: dict[str, Party] = {}
        self._by_division: dict[str, Party] = {}
        self._by_adm: dict[str, str] = {}
        self._by_bank_code: dict[str, Party] = {}
        for party in parties:
            if party.id in self._by_id:
                raise ConfigError(f"party id {party.id} is registered twice")
            self._by_id[party.id] = party
            for code in party.mof_div_codes:
                if code in self._by_division:
                    other = self._by_division[code].id
                    raise ConfigError(f"division {code} is claimed by both {other} and {party.id}")
                self._by_division[code] = party
            for code in party.bank_codes:
                if code in self._by_bank_code:
                    other = self._by_bank_code[code].id
                    raise ConfigError(f"bank code {code} is claimed by both {other} and {party.id}")
                self._by_bank_code[code] = party
            for mof, adm in party.adm_div_codes.items():
                if adm in self._by_adm:
                    raise ConfigError(f"AdmDivCode {adm} is mapped from both {self._by_adm[adm]} and {mof}")
                self._by_adm[adm] = mof

    def __iter__(self) -> Iterator[Party]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    @property
    def parties(self) -> tuple[Party, ...]:
        return tuple(self._by_id.values())

    def get(self, party_id: str) -> Party:
        try:
            return self._by_id[party_id]
        except KeyError:
            raise UnknownParty(f"id {party_id!r}") from None

    def finance_for_division(self, mof_div_code: str) -> Party:
        """The finance party that speaks for a 9-digit MOF_DIV_CODE."""
        try:
            return self._by_division[mof_div_code]
        except KeyError:
            raise UnknownParty(f"division {mof_div_code!r}") from None

    def adm_div_code(self, mof_div_code: str) -> str:
        """The registered 6-digit AdmDivCode of a 9-digit MOF_DIV_CODE."""
        party = self.finance_for_division(mof_div_code)
        try:
            return party.adm_div_codes[mof_div_code]
        except KeyError:
            raise UnknownParty(f"AdmDivCode of division {mof_div_code!r}") from None

    def mof_div_code(self, adm_div_code: str) -> str:
        """The 9-digit MOF_DIV_CODE registered for a 6-digit AdmDivCode."""
        try:
            return self._by_adm[adm_div_code]
        except KeyError:
            raise UnknownParty(f"AdmDivCode {adm_div_code!r}") from None

    def bank(self, code: str) -> Party:
        """The agency bank addressed by ``code``: its 12-digit 行号 (id) or a registered 代理银行编码."""
        party = self._by_id.get(code) or self._by_bank_code.get(code)
        if party is None or party.kind is not PartyKind.BANK:
            raise UnknownParty(f"agency bank {code!r}")
        return party

    def of_kind(self, kind: PartyKind) -> tuple[Party, ...]:
        return tuple(p for p in self._by_id.values() if p.kind is kind)

    def as_mapping(self) -> Mapping[str, Party]:
        return dict(self._by_id)
