"""Framework-free core for Tencent Hunyuan's RunThread API (placeholder exports; filled in below)."""

from ._config import Credentials, Endpoint, resolve_credentials, resolve_endpoint
from ._errors import *  # noqa: F403
from ._signing import TC3Auth
