"""good's CORS protocol lab (issue 5): responses shaped by the request, as WPT's resources are."""

from __future__ import annotations

from fastapi import FastAPI

from servers.origins import Origins


def create_cors_lab(origins: Origins) -> FastAPI:
    return FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
