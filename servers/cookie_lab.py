"""good's cookie lab (issue 3): set cookies with chosen attributes, report what came back."""

from __future__ import annotations

from fastapi import FastAPI

from servers.origins import Origins


def create_cookie_lab(origins: Origins) -> FastAPI:
    return FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
