"""The network as the environment describes it: proxies and the certificates to trust.

httpx applies ``HTTP_PROXY``/``HTTPS_PROXY``/``ALL_PROXY``/``NO_PROXY`` only to transports it
builds itself (``trust_env``); the async client brings its own (``http1``, ``pool``), so
``env_proxy_mounts`` mounts one per proxy the environment names, keyed by the URL patterns httpx
derives from it. The sync client gets the same routing from httpx itself, so both clients go
through the same proxy for the same URL.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Callable

import httpx

# httpx's own reading of the proxy variables (the one its clients use), so the rules, NO_PROXY
# patterns included, are the same for the sync and the async client. Private to httpx, stable
# since 0.18.
from httpx._utils import get_environment_proxies

__all__ = ["env_proxy_mounts", "ssl_context"]


def env_proxy_mounts(
    transport_for: Callable[[str], httpx.AsyncBaseTransport],
) -> dict[str, httpx.AsyncBaseTransport | None]:
    """``mounts=`` for an ``httpx.AsyncClient``: a transport through each proxy the environment
    names (``transport_for(proxy_url)``), and None (no proxy) for the NO_PROXY patterns."""
    return {
        pattern: transport_for(url) if url else None
        for pattern, url in get_environment_proxies().items()
    }


def ssl_context(ca_bundle: str | None) -> ssl.SSLContext:
    """The context that verifies servers: the CA bundle file or directory given, else httpx's
    default (certifi, or ``SSL_CERT_FILE``/``SSL_CERT_DIR`` when set)."""
    if not ca_bundle:
        return httpx.create_ssl_context(trust_env=True)
    if os.path.isdir(ca_bundle):
        return ssl.create_default_context(capath=ca_bundle)
    return ssl.create_default_context(cafile=ca_bundle)
