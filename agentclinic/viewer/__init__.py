"""The log viewer: runs, episode lists and transcripts as web pages.

``agentclinic view`` serves them locally (needs the ``view`` extra: Starlette and uvicorn);
:func:`write_site` writes the same pages as static files (needs only Jinja2).
"""

from .static_site import write_site

__all__ = ["write_site"]
