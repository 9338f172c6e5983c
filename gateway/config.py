"""Settings: a TOML file (``fiscalgw.toml``, written by ``fiscalgw init``) overridden by ``FISCALGW_*``
environment variables (nested with ``__``, e.g. ``FISCALGW_DATABASE__URL``, ``FISCALGW_MODE``).

Relative paths in the file (keys, certificates, a SQLite database) are relative to the file's directory.
"""

from __future__ import annotations

import ipaddress
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from gateway.code_policy import CodesSection
from gateway.errors import ConfigError
from gateway.parties import Party, PartyRegistry, SignatureProfileConfig
from schemas.base import problems_from

CONFIG_FILE_NAME = "fiscalgw.toml"
DEFAULT_CONFIG_DIR = Path(".fiscalgw")


class GatewaySection(BaseModel):
    """The gateway's own identity: it signs responses and pushes with this key."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(default="fiscalgw", min_length=1)
    name: str = "fiscalgw gateway"
    key: str
    """PKCS#8 PEM path of the gateway's SM2 private key."""
    key_password_env: str | None = None
    """Name of an environment variable holding the key's password (encrypted PKCS#8), if any."""
    certificate: str
    trust_roots: tuple[str, ...] = Field(min_length=1)
    """CA certificates (PEM) every party certificate must chain to."""
    signature: SignatureProfileConfig = SignatureProfileConfig()
    announced_certificates: tuple[str, ...] = ()
    """The gateway's other certificates receivers should accept during its own key rotation: the next one
    (announced before the switch) or the previous one (kept for a while after it)."""
    revocation_list: str | None = None
    """A file of revoked certificate serials / SM3 fingerprints, re-read when it changes (keyring.py)."""


class DatabaseSection(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str = "sqlite:///fiscalgw.db"
    """SQLAlchemy URL. SQLite (file) by default; ``postgresql+psycopg://…`` for several processes or nodes."""


class IngestSection(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    timestamp_window_seconds: int = Field(default=300, gt=0, le=86_400)
    max_body_bytes: int = Field(default=16 * 1024 * 1024, gt=0)
    body_read_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    """A request body must arrive completely within this time, or the connection is answered 408 and
    closed (a client trickling bytes cannot hold a worker)."""


class DeliverySection(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    max_attempts: int = Field(default=8, ge=1, le=100)
    """Push attempts before an outbox row goes to the dead-letter state."""
    backoff_base_seconds: float = Field(default=2.0, gt=0)
    backoff_cap_seconds: float = Field(default=600.0, gt=0)
    lease_seconds: int = Field(default=120, gt=0)
    """A claimed push row is invisible to other relays this long; a dead relay's rows come back after it.
    Keep it well above the push timeout (10 s)."""
    push_concurrency: int = Field(default=8, ge=1, le=64)
    """Pushes one relay has in flight at once (each to its receiver's ``push_url``); 1 pushes one by one."""
    pull_visibility_seconds: int = Field(default=300, gt=0)
    """A pulled inbox item not acknowledged within this time is offered again."""

    @model_validator(mode="after")
    def _cap_not_below_base(self) -> DeliverySection:
        if self.backoff_cap_seconds < self.backoff_base_seconds:
            raise ValueError("backoff_cap_seconds must not be below backoff_base_seconds")
        return self


class WebSection(BaseModel):
    """The ops web pages (``/ui``): the session cookie is signed with ``session_secret``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    session_secret: SecretStr | None = Field(default=None, min_length=32)
    """At least 32 characters; when unset, a random secret is drawn per process (sessions end on restart
    and do not carry across processes)."""
    session_max_age_seconds: int = Field(default=8 * 3600, gt=0, le=7 * 86_400)
    secure_cookies: bool | None = None
    """Mark the cookies ``Secure`` (the browser then sends them over HTTPS only). Unset: always in
    production mode; in dev mode whenever ``fiscalgw serve`` binds a host that is not loopback
    (:meth:`Settings.for_bind_host`). Production mode refuses ``false``."""


Exposure = Literal["open", "token", "off"]
"""``open``: anyone; ``token``: a person's bearer token (viewer or ops); ``off``: not served (404)."""


class ApiSection(BaseModel):
    """The API's self-description and monitoring endpoints. Unset, each follows the mode: everything
    ``open`` in dev mode; in production mode ``docs = "off"`` and ``metrics = "token"``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    docs: Exposure | None = None
    """``/docs``, ``/redoc`` and ``/openapi.json``. With ``token`` only ``/openapi.json`` is served (with
    the bearer token); the HTML pages are not, since a browser page cannot send the token."""
    metrics: Exposure | None = None
    """Prometheus ``/metrics``; with ``token``, scrape with ``authorization: {credentials: …}``."""


class ReconciliationPair(BaseModel):
    """One scheduled indicator reconciliation (``[[reconciliation.pairs]]``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    upper: str = Field(pattern=r"^[0-9]{9}$")
    lower: str = Field(pattern=r"^[0-9]{9}$")
    fiscal_year: int = Field(ge=2000, le=2100)
    cron: str = Field(pattern=r"^\S+( \S+){4}$")
    """Five-field crontab (minute hour day month weekday) in ``reconciliation.timezone``."""
    in_transit_hours: int = Field(default=48, ge=0, le=8784)

    @property
    def job_id(self) -> str:
        return f"indicators|{self.upper}|{self.lower}|{self.fiscal_year}"


class PaymentReconciliation(BaseModel):
    """One scheduled payment reconciliation (``[[reconciliation.payments]]``): a division, optionally one
    agency bank; each firing reconciles the day ``days_back`` days before its local date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    adm_div_code: str = Field(pattern=r"^[0-9]{6}$")
    pay_bank_code: str | None = Field(default=None, min_length=1, max_length=200, pattern=r"^[^|]+$")
    cron: str = Field(pattern=r"^\S+( \S+){4}$")
    """Five-field crontab (minute hour day month weekday) in ``reconciliation.timezone``."""
    days_back: int = Field(default=1, ge=0, le=366)
    unpaid_hours: int = Field(default=24, ge=0, le=8784)
    uncleared_hours: int = Field(default=24, ge=0, le=8784)

    @property
    def job_id(self) -> str:
        return f"payments|{self.adm_div_code}|{self.pay_bank_code or '*'}|-{self.days_back}d"


class ReconciliationSection(BaseModel):
    """Scheduled reconciliation: ``fiscalgw serve`` runs each indicator pair and each payment entry on its
    cron (one node per firing)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str = "Asia/Shanghai"
    pairs: tuple[ReconciliationPair, ...] = ()
    payments: tuple[PaymentReconciliation, ...] = ()

    @model_validator(mode="after")
    def _unique_payment_jobs(self) -> ReconciliationSection:
        ids = [p.job_id for p in self.payments]
        if len(ids) != len(set(ids)):
            raise ValueError(
                "reconciliation.payments: two entries with the same division, bank and days_back"
            )
        return self


class Person(BaseModel):
    """A person with an API token: ``ops`` may act on deliveries; ``viewer`` may only read."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    role: Literal["ops", "viewer"]
    token_sm3: str = Field(pattern=r"^[0-9a-f]{64}$")
    """Lowercase hex SM3 of the bearer token; the token itself is never stored."""
    tracking_divisions: tuple[str, ...] = ()
    """资金追踪 scope: the 9-digit divisions whose indicators (and their downstream execution) this person
    may read, or ``["*"]`` for every division. Empty (the default) reads none: default deny."""

    @field_validator("tracking_divisions")
    @classmethod
    def _divisions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for code in value:
            if code != "*" and not (len(code) == 9 and code.isdigit()):
                raise ValueError(f"tracking_divisions: {code[:32]!r} is neither a 9-digit MOF_DIV_CODE nor *")
        return value


class Settings(BaseSettings):
    """Everything the gateway needs to start. Build it with :func:`load_settings`."""

    model_config = SettingsConfigDict(
        env_prefix="FISCALGW_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    mode: Literal["dev", "production"] = "production"
    """``dev`` accepts the keys ``fiscalgw init`` generates; ``production`` refuses them."""
    config_dir: Path = Path(".")
    gateway: GatewaySection
    database: DatabaseSection = DatabaseSection()
    ingest: IngestSection = IngestSection()
    delivery: DeliverySection = DeliverySection()
    parties: tuple[Party, ...] = ()
    people: tuple[Person, ...] = ()
    reconciliation: ReconciliationSection = ReconciliationSection()
    web: WebSection = WebSection()
    api: ApiSection = ApiSection()
    codes: CodesSection = CodesSection()
    """代码校验: ``refuse`` or ``warn`` (default) a value outside its code list
    (:mod:`gateway.code_policy`)."""

    @model_validator(mode="after")
    def _production_cookies_are_secure(self) -> Settings:
        if self.mode == "production" and self.web.secure_cookies is False:
            raise ValueError(
                "web.secure_cookies = false is refused in production mode (serve the pages over HTTPS)"
            )
        return self

    @property
    def secure_cookies(self) -> bool:
        """Whether the web pages mark their cookies ``Secure`` (see :attr:`WebSection.secure_cookies`)."""
        return self.mode == "production" or bool(self.web.secure_cookies)

    def for_bind_host(self, host: str) -> Settings:
        """These settings as ``fiscalgw serve --host HOST`` runs them: an unset ``web.secure_cookies`` is
        decided by the host — ``Secure`` unless it is a loopback address (or ``localhost``)."""
        if self.web.secure_cookies is not None:
            return self
        web = self.web.model_copy(update={"secure_cookies": not is_loopback(host)})
        return self.model_copy(update={"web": web})

    @property
    def docs_exposure(self) -> Exposure:
        if self.api.docs is not None:
            return self.api.docs
        return "open" if self.mode == "dev" else "off"

    @property
    def metrics_exposure(self) -> Exposure:
        if self.api.metrics is not None:
            return self.api.metrics
        return "open" if self.mode == "dev" else "token"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment wins over the file (which arrives as init arguments).
        return (env_settings, init_settings)

    def path(self, relative: str) -> Path:
        """A path from the file, resolved against the configuration directory."""
        candidate = Path(relative)
        return candidate if candidate.is_absolute() else self.config_dir / candidate

    @property
    def database_url(self) -> str:
        """The database URL with a relative SQLite file placed in the configuration directory."""
        url = self.database.url
        prefix = "sqlite:///"
        if url.startswith(prefix):
            rest = url[len(prefix) :]
            if rest and rest != ":memory:" and not rest.startswith("/"):
                return prefix + str((self.config_dir / rest).resolve())
        return url

    def registry(self) -> PartyRegistry:
        return PartyRegistry(self.parties)


def is_loopback(host: str) -> bool:
    """``127.0.0.0/8``, ``::1`` and ``localhost``; anything else (``0.0.0.0`` included) is reachable."""
    if host.strip("[]").lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def load_settings(path: Path) -> Settings:
    """Read a ``fiscalgw.toml`` (or the one in a directory) and apply ``FISCALGW_*`` overrides.

    Raises :class:`ConfigError` naming the file and every offending field."""
    file = path / CONFIG_FILE_NAME if path.is_dir() else path
    try:
        data: dict[str, Any] = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"no configuration file at {file} (create one with `fiscalgw init DIR`)") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    if "config_dir" in data:
        raise ConfigError(f"{file}: config_dir is set from the file's location, not in the file")
    data["config_dir"] = file.parent.resolve()
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        problems = "; ".join(str(p) for p in problems_from(exc))
        raise ConfigError(f"{file}: {problems}") from None
    try:
        settings.registry()  # duplicate ids and division codes are configuration errors
    except ConfigError as exc:
        raise ConfigError(f"{file}: {exc}") from None
    return settings
