"""Model access for LLM roles: specs, backends, retries, cache, usage and spend."""

from .calls import CallRecord, CallTotals, call_sink
from .client import Completion, ModelClient
from .messages import ImagePart, Message, encode_image
from .redact import redact_secrets, redact_url
from .sanitise import sanitise, terminal_safe
from .spec import ModelSpec, ModelSpecError, is_model_spec, parse_spec

__all__ = [
    "CallRecord",
    "CallTotals",
    "Completion",
    "ImagePart",
    "Message",
    "ModelClient",
    "ModelSpec",
    "ModelSpecError",
    "call_sink",
    "encode_image",
    "is_model_spec",
    "parse_spec",
    "redact_secrets",
    "redact_url",
    "sanitise",
    "terminal_safe",
]
