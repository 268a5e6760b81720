"""Configuration: one `Settings`, read from the environment (prefix ``KONSENSUS_``)."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from service.auth.keys import Keyring

DEVELOPMENT_SECRET = "development-only-secret-change-me-0123456789"
#: How long a webhook receiver has to answer (the SMS gateway has the same).
WEBHOOK_TIMEOUT_SECONDS = 10.0


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Everything the service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="KONSENSUS_", env_file=".env", extra="ignore")

    #: `development`, `test` or `production`: production refuses the demo accounts, the
    #: development secret and anything that would put a message in the clear.
    environment: Environment = Environment.DEVELOPMENT
    #: The database: `sqlite:///path` (the embedded default) or `postgresql://user@host/db`.
    database_url: str = "sqlite:///./konsensus.db"
    #: A PostgreSQL streaming replica of the database (`postgresql://user@host/db`) that the
    #: leaders' reports read their figures from, read-only, each page saying as of when;
    #: the audit event of the read is still written on the database. Unset (or SQLite):
    #: the reports read the database itself.
    reports_database_url: str | None = None
    #: Signs access tokens, staff sessions and personal links, and seals secrets at rest;
    #: a random value of at least 32 characters in production.
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    #: Secrets before the current one, comma-separated: what was made under them (access
    #: tokens, personal links, sealed values) is still accepted while they are listed.
    previous_secret_keys: SecretStr = SecretStr("")
    #: The `iss` of the access tokens this service issues and accepts.
    jwt_issuer: str = "konsensus"
    #: The `aud` of the access tokens this service issues and accepts.
    jwt_audience: str = "konsensus-api"
    #: How long an access token from the token endpoint is valid.
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    #: The address people and case systems reach the service at: personal links, problem
    #: types and webhook payloads are built from it.
    public_base_url: str = "http://127.0.0.1:8000"
    #: Log every SQL statement (for development; it logs what the statements carry).
    database_echo: bool = False
    #: Unknown personal links tried per address and minute before further tries are refused.
    link_guess_limit_per_minute: int = Field(default=10, ge=1, le=1000)
    #: Failed logins (token endpoint and login page) forgiven before delays begin, per
    #: account and per address; each further failure doubles the wait, up to the ceiling.
    login_free_failures_per_account: int = Field(default=5, ge=1, le=1000)
    #: Failed logins forgiven per address before delays begin (see the setting above).
    login_free_failures_per_address: int = Field(default=20, ge=1, le=10000)
    #: The first delay after the forgiven failures; it doubles with each further failure.
    login_delay_seconds: float = Field(default=2.0, gt=0, le=3600)
    #: The longest delay a failed login can earn.
    login_delay_ceiling_seconds: float = Field(default=900.0, gt=0, le=86400)
    #: How long failures are remembered after the last one.
    login_failure_window_seconds: int = Field(default=3600, ge=60, le=7 * 86400)
    #: Where failures are counted, shared by every process and instance: the database, or
    #: Redis (`redis://[:password@]host:port/db`) where configured.
    throttle_store: str = Field(default="database", pattern="^(database|redis)$")
    #: The Redis server failures are counted in, where `throttle_store` is `redis`.
    redis_url: str = "redis://127.0.0.1:6379/0"
    #: The prefix of this service's keys in Redis, so that several services can share one.
    redis_prefix: str = Field(default="konsensus:throttle:", max_length=100)
    #: Argon2 checks run at once in one process (each takes some 64 MiB); more wait.
    password_checks_at_once: int = Field(default=4, ge=1, le=64)
    #: Webhook receivers on loopback: for development and the tests only (refused in
    #: production). Private, link-local and metadata addresses are never accepted.
    webhook_allow_loopback: bool = False
    #: Active webhook subscriptions one integrator client may have.
    webhooks_per_client: int = Field(default=10, ge=1, le=1000)
    #: The largest request body read (JSON or form); a larger one is refused with 413.
    max_body_bytes: int = Field(default=1_000_000, ge=1024, le=100_000_000)
    # Staff sessions on the pages end at logout, password change and deactivation (a
    # per-person session version), after an absolute lifetime, and after idling.
    staff_session_hours: int = Field(default=8, ge=1, le=24)
    staff_session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    #: How long one call to a municipality's identity provider (discovery, keys, the token
    #: endpoint) may take before the sign-in says the provider does not answer.
    identity_provider_timeout_seconds: float = Field(default=5.0, gt=0, le=30)
    # Retention of operational records (a case's own period is the municipality's).
    retention_outbox_body_days: int = Field(default=30, ge=1, le=3650)
    retention_delivery_attempt_days: int = Field(default=90, ge=1, le=3650)
    retention_idempotency_hours: int = Field(default=48, ge=25, le=24 * 365)
    retention_address_days: int = Field(default=90, ge=1, le=3650)
    #: `text` for a person at a terminal, `json` (one object a line) for a log collector.
    log_format: str = Field(default="text", pattern="^(text|json)$")
    #: The least severe log record written.
    log_level: str = Field(default="INFO", pattern="^(DEBUG|INFO|WARNING|ERROR)$")

    # Delivery of the outbox (email, SMS, webhooks).
    #: `inprocess` delivers the outbox (and works the agreement report's views out ahead) from
    #: each serving process; `off` leaves both to `konsensus worker` processes of their own.
    dispatcher: str = Field(default="inprocess", pattern="^(inprocess|off)$")
    #: How often the dispatcher looks for messages due.
    dispatcher_interval_seconds: float = Field(default=2.0, gt=0, le=300)
    #: How often each process writes the read events it has buffered (a page or a meeting
    #: view seen); a crash loses at most this long of read events, never a write's event.
    audit_read_flush_seconds: float = Field(default=0.25, gt=0, le=10)
    #: How often the audit trail's new events are sealed into each municipality's chain.
    audit_seal_seconds: float = Field(default=1.0, gt=0, le=60)
    #: Attempts at one message before it is given up as failed (and shown as such).
    delivery_max_attempts: int = Field(default=8, ge=1, le=50)
    #: The wait after a failed attempt; it doubles with each further one.
    delivery_backoff_seconds: float = Field(default=30.0, gt=0)
    #: The longest wait between two attempts.
    delivery_backoff_ceiling_seconds: float = Field(default=3600.0, gt=0)
    #: How long a dispatcher holds a message it is sending before another may take it over;
    #: it must outlast one send (checked against the SMTP and webhook timeouts).
    delivery_lease_seconds: float = Field(default=120.0, gt=0)
    #: `smtp` sends through the relay below; `files` writes each message to `mailbox_dir`.
    email_backend: str = Field(default="files", pattern="^(smtp|files)$")
    #: Where the `files` backend writes messages (development and the demo).
    mailbox_dir: str = "mailbox"
    #: The SMTP relay's host.
    smtp_host: str = "127.0.0.1"
    #: The SMTP relay's port.
    smtp_port: int = Field(default=25, ge=1, le=65535)
    #: The SMTP login, where the relay asks for one.
    smtp_username: str | None = None
    #: The SMTP password, where the relay asks for one.
    smtp_password: SecretStr | None = None
    #: STARTTLS is used whenever the relay offers it; `true` requires it (always so in
    #: production), and a relay that does not offer it is not sent to.
    smtp_starttls: bool = False
    #: CA certificates (PEM) to verify the SMTP server by, for a relay whose certificate is
    #: issued by the organisation's own CA; otherwise the system's trust store.
    smtp_ca_file: str | None = None
    #: The sender of every email.
    smtp_from: str = "Konsensus <noreply@konsensus.invalid>"
    #: How long one SMTP conversation may take before the attempt counts as failed.
    smtp_timeout_seconds: float = Field(default=15.0, gt=0)
    #: `http` sends through the SMS gateway; `log` writes messages to the log (not in
    #: production).
    sms_backend: str = Field(default="log", pattern="^(http|log)$")
    #: The SMS gateway's address, for the `http` backend.
    sms_gateway_url: str = "http://127.0.0.1:8025/rest/mtsms"
    #: The SMS gateway's bearer token.
    sms_token: SecretStr | None = None
    #: The sender name an SMS shows (at most 11 characters).
    sms_sender: str = Field(default="Konsensus", max_length=11)

    @model_validator(mode="after")
    def _refuse_default_secret_outside_development(self) -> Settings:
        if self.environment is Environment.PRODUCTION:
            secret = self.secret_key.get_secret_value()
            if secret == DEVELOPMENT_SECRET or len(secret) < 32:
                raise ValueError(
                    "KONSENSUS_SECRET_KEY must be set to a random value of at least 32 "
                    "characters in production"
                )
        return self

    @model_validator(mode="after")
    def _nothing_in_clear_in_production(self) -> Settings:
        if self.environment is Environment.PRODUCTION and self.sms_backend == "log":
            raise ValueError(
                "KONSENSUS_SMS_BACKEND=log writes messages to the log, personal links "
                "included; production needs a gateway (http)"
            )
        if self.environment is Environment.PRODUCTION and self.webhook_allow_loopback:
            raise ValueError(
                "KONSENSUS_WEBHOOK_ALLOW_LOOPBACK=true is for development only; production "
                "needs false"
            )
        return self

    @property
    def smtp_requires_tls(self) -> bool:
        return self.smtp_starttls or self.is_production

    @model_validator(mode="after")
    def _lease_outlasts_a_send(self) -> Settings:
        # A message's lease is renewed right before it is sent and the send is cut off at
        # three quarters of it; a lease too short for one SMTP exchange would cut off every
        # slow but good delivery, or (with a cut-off longer than the lease) let a second
        # dispatcher send the same message.
        slowest = max(self.smtp_timeout_seconds, WEBHOOK_TIMEOUT_SECONDS)
        if self.delivery_lease_seconds * 0.75 < 2 * slowest:
            raise ValueError(
                f"KONSENSUS_DELIVERY_LEASE_SECONDS ({self.delivery_lease_seconds:g}) cannot hold "
                f"a delivery: it must be at least {2 * slowest / 0.75:g} s with an SMTP or "
                f"webhook timeout of {slowest:g} s"
            )
        return self

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION

    def keyring(self) -> Keyring:
        """The keys per purpose, derived from the current and the previous secrets."""
        return _keyring(
            self.secret_key.get_secret_value(), self.previous_secret_keys.get_secret_value()
        )

    @property
    def previous_secrets(self) -> tuple[str, ...]:
        return _previous(self.previous_secret_keys.get_secret_value())


def _previous(previous: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in previous.split(",") if p.strip())


@lru_cache(maxsize=8)
def _keyring(current: str, previous: str) -> Keyring:
    return Keyring(current, _previous(previous))


@lru_cache
def get_settings() -> Settings:
    return Settings()
