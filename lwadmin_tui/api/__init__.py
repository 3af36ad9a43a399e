"""The LangWatch API client: httpx, pydantic models and typed errors. Never imports textual."""

from lwadmin_tui.api.auth import ApiKey, BearerAuth
from lwadmin_tui.api.client import LangWatchClient
from lwadmin_tui.api.errors import (
    AlreadyRevoked,
    ApiError,
    BadResponse,
    Forbidden,
    InvalidKeyId,
    LangWatchError,
    NotFound,
    RateLimited,
    RedirectRefused,
    ServerError,
    TransportError,
    Unauthorized,
)
from lwadmin_tui.api.models import ApiKeyDetail, ApiKeyInfo, RoleBinding

__all__ = [
    "AlreadyRevoked",
    "ApiError",
    "ApiKey",
    "ApiKeyDetail",
    "ApiKeyInfo",
    "BadResponse",
    "BearerAuth",
    "Forbidden",
    "InvalidKeyId",
    "LangWatchClient",
    "LangWatchError",
    "NotFound",
    "RateLimited",
    "RedirectRefused",
    "RoleBinding",
    "ServerError",
    "TransportError",
    "Unauthorized",
]
