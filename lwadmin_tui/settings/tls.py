"""TLS is always verified; only the trusted CAs can be chosen.

`--ca-bundle PATH` (or `ca_bundle`) replaces the trusted CAs, for a corporate CA or a TLS-inspecting
proxy; otherwise `SSL_CERT_FILE` / `SSL_CERT_DIR` as OpenSSL and httpx read them; otherwise the
certifi bundle httpx ships with. There is no switch to turn verification off.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import certifi

from lwadmin_tui.settings.errors import ConfigError


@dataclass(frozen=True)
class TlsSettings:
    """The context every connection uses, and a sentence saying where its CAs come from."""

    context: ssl.SSLContext
    description: str


def tls_settings(ca_bundle: Path | None, env: Mapping[str, str] | None = None) -> TlsSettings:
    env = os.environ if env is None else env
    if ca_bundle is not None:
        return TlsSettings(_load(cafile=ca_bundle, what="--ca-bundle"), f"CAs from {ca_bundle}")
    if env.get("SSL_CERT_FILE"):
        path = Path(env["SSL_CERT_FILE"])
        return TlsSettings(
            _load(cafile=path, what="SSL_CERT_FILE"), f"CAs from SSL_CERT_FILE={path}"
        )
    if env.get("SSL_CERT_DIR"):
        path = Path(env["SSL_CERT_DIR"])
        return TlsSettings(_load(capath=path, what="SSL_CERT_DIR"), f"CAs from SSL_CERT_DIR={path}")
    bundle = Path(certifi.where())
    return TlsSettings(_load(cafile=bundle, what="certifi"), f"CAs from certifi ({bundle})")


def _load(*, what: str, cafile: Path | None = None, capath: Path | None = None) -> ssl.SSLContext:
    where = cafile or capath
    if where is None or not where.exists():
        raise ConfigError(f"The CA bundle {where} given by {what} does not exist.")
    try:
        context = ssl.create_default_context(
            cafile=str(cafile) if cafile else None, capath=str(capath) if capath else None
        )
    except (ssl.SSLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or type(error).__name__
        raise ConfigError(
            f"The CA bundle {where} given by {what} cannot be loaded ({reason})."
        ) from None
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    return context
