"""Paths for an audit from an OpenAPI document: FastAPI's own, a Swagger 2.0 one, and garbage."""

from __future__ import annotations

import enum
import json
from pathlib import Path as FilePath
from typing import Annotated, Any

import pytest
from fastapi import FastAPI, Path
from hypothesis import given
from hypothesis import strategies as st

from corsproof.audit.openapi import OpenApiError, OpenApiPaths, load_openapi, paths_from_openapi


class Color(enum.StrEnum):
    red = "red"
    blue = "blue"


def _app(**options: Any) -> FastAPI:
    app = FastAPI(**options)

    @app.get("/items/{item_id}")
    def item(item_id: Annotated[int, Path(examples=[17])]) -> dict[str, int]:
        return {"id": item_id}

    @app.put("/items/{item_id}")
    def put_item(item_id: Annotated[int, Path(examples=[17])]) -> dict[str, int]:
        return {"id": item_id}

    @app.get("/users/{name}/orders")
    def orders(
        name: Annotated[str, Path(openapi_examples={"alice": {"summary": "a user", "value": "alice smith/2"}})],
    ) -> list[int]:
        return []

    @app.get("/colors/{color}")
    def color(color: Color) -> str:
        return color.value

    @app.get("/orders/{order_id}")
    def order(order_id: int) -> dict[str, int]:  # no example: the audit must not guess an id
        return {"id": order_id}

    @app.delete("/orders/{order_id}")
    def cancel(order_id: int) -> None:
        return None

    @app.get("/me")
    def me() -> dict[str, str]:
        return {}

    @app.post("/transfers")
    def transfer() -> None:
        return None

    return app


def test_fastapis_document_gives_concrete_paths() -> None:
    found = paths_from_openapi(_app().openapi())
    assert found.reads == ("/items/17", "/users/alice%20smith%2F2/orders", "/colors/red", "/me")
    assert found.writes == (("PUT", "/items/17"), ("POST", "/transfers"))
    assert found.notes == (
        "GET /orders/{order_id}: skipped, no example for path parameter order_id",
        "DELETE /orders/{order_id}: skipped, no example for path parameter order_id",
    )


def test_a_relative_server_is_the_base_path_another_origins_is_not() -> None:
    relative = paths_from_openapi(_app(servers=[{"url": "/api/v1"}]).openapi())
    assert relative.reads[0] == "/api/v1/items/17"
    assert relative.writes[-1] == ("POST", "/api/v1/transfers")
    elsewhere = _app(servers=[{"url": "https://prod.example.com/v2/"}]).openapi()
    assert paths_from_openapi(elsewhere).reads[0] == "/items/17"
    assert "is not the audited origin" in paths_from_openapi(elsewhere).notes[0]
    assert paths_from_openapi(elsewhere, origin="https://prod.example.com").reads[0] == "/v2/items/17"


def test_parameters_from_the_path_item_and_refs_in_openapi_30() -> None:
    document = {
        "openapi": "3.0.3",
        "servers": [{"url": "{base}", "variables": {"base": {"default": "/svc"}}}],
        "components": {
            "parameters": {"Account": {"name": "account", "in": "path", "required": True, "example": "a b"}},
            "examples": {"Doc": {"value": 7}},
        },
        "paths": {
            "/accounts/{account}/docs/{doc}": {
                "parameters": [
                    {"$ref": "#/components/parameters/Account"},
                    {"name": "doc", "in": "path", "schema": {"type": "integer", "default": 1}},
                ],
                # the operation's own doc overrides the path item's
                "get": {
                    "parameters": [
                        {"name": "doc", "in": "path", "examples": {"d": {"$ref": "#/components/examples/Doc"}}}
                    ]
                },
                "patch": {},
            },
            "/broken/{x}": {"get": {"parameters": [{"$ref": "#/components/parameters/Missing"}]}},
            "/elsewhere/{x}": {"get": {"parameters": [{"$ref": "other.yaml#/X"}]}},
            "/kinds/{kind}": {
                "get": {"parameters": [{"name": "kind", "in": "path", "schema": {"enum": ["k1", "k2"]}}]}
            },
            "x-extension": {"ignored": True},
        },
    }
    found = paths_from_openapi(document)
    assert found.reads == ("/svc/accounts/a%20b/docs/7", "/svc/kinds/k1")
    assert found.writes == (("PATCH", "/svc/accounts/a%20b/docs/1"),)
    assert found.notes == (
        "GET /broken/{x}: skipped, $ref #/components/parameters/Missing points at nothing",
        "GET /elsewhere/{x}: skipped, $ref other.yaml#/X is not in this document",
    )


def test_swagger_20() -> None:
    document = {
        "swagger": "2.0",
        "basePath": "/v1/",
        "parameters": {"Id": {"name": "id", "in": "path", "type": "string", "x-example": "abc"}},
        "paths": {
            "/pets/{id}": {
                "parameters": [{"$ref": "#/parameters/Id"}],
                "get": {},
                "delete": {},
            },
            "/pets/{id}/photos/{n}": {
                "get": {
                    "parameters": [
                        {"$ref": "#/parameters/Id"},
                        {"name": "n", "in": "path", "type": "integer", "default": 3},
                    ]
                },
            },
            "/kinds/{kind}": {"get": {"parameters": [{"name": "kind", "in": "path", "enum": ["cat"]}]}},
            "/owners/{owner}": {"post": {"parameters": [{"name": "owner", "in": "path", "type": "string"}]}},
        },
    }
    assert paths_from_openapi(document) == OpenApiPaths(
        reads=("/v1/pets/abc", "/v1/pets/abc/photos/3", "/v1/kinds/cat"),
        writes=(("DELETE", "/v1/pets/abc"),),
        notes=("POST /owners/{owner}: skipped, no example for path parameter owner",),
    )


def test_load_a_file_or_a_url(tmp_path: FilePath) -> None:
    document = _app().openapi()
    saved = tmp_path / "openapi.json"
    saved.write_text(json.dumps(document))
    assert load_openapi(str(saved)) == document
    asked: list[str] = []

    def fetch(url: str) -> bytes:
        asked.append(url)
        return json.dumps(document).encode()

    assert load_openapi("http://127.0.0.1:8000/openapi.json", fetch) == document
    assert asked == ["http://127.0.0.1:8000/openapi.json"]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (b"{not json", "is not JSON: Expecting property name enclosed in double quotes at line 1"),
        (b"hello", "the top level is str, not an object"),  # YAML's reading of it: PyYAML is a test dependency
        (b"[1, 2]", "the top level is list, not an object"),
        (b'{"paths": {}}', "no `openapi` (3.x) or `swagger` (2.0) version field"),
        (b'{"openapi": "4.0", "paths": {}}', "OpenAPI version 4.0 is not supported"),
        (b'{"openapi": "3.1.0"}', "no `paths`"),
        (b'{"openapi": "3.1.0", "paths": []}', "`paths` is not an object"),
        (b'{"openapi": "3.1.0", "paths": {"/a": 1}}', "paths[/a] is not an object"),
        (b'{"openapi": "3.1.0", "paths": {"/a": {"get": []}}}', "GET /a: the operation is not an object"),
        (b'{"openapi": "3.1.0", "paths": {"/a": {"parameters": 3}}}', "paths[/a]: `parameters` is not a list"),
        (b"\xff\xfe\x00", "is not JSON"),
    ],
)
def test_malformed_documents_say_what_is_wrong(text: bytes, said: str) -> None:
    with pytest.raises(OpenApiError) as raised:
        paths_from_openapi(load_openapi("https://app.example/openapi.json", lambda url: text))
    assert said in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_yaml_document_is_read(tmp_path: FilePath) -> None:
    saved = tmp_path / "openapi.yaml"
    saved.write_text("openapi: 3.1.0\npaths: {}\n")
    assert load_openapi(str(saved)) == {"openapi": "3.1.0", "paths": {}}  # PyYAML is a test dependency


def test_a_missing_file_or_no_fetcher() -> None:
    with pytest.raises(OpenApiError, match="cannot read /nonexistent/openapi.json: No such file"):
        load_openapi("/nonexistent/openapi.json")
    with pytest.raises(OpenApiError, match="is a URL, and no way to fetch it was given"):
        load_openapi("https://app.example/openapi.json")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8) | st.sampled_from(["/a/{x}", "x"]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["get", "put", "parameters", "name", "in", "path", "example", "examples", "schema", "$ref"])
            | st.sampled_from(["value", "default", "enum", "allOf", "#/components/x", "/a/{x}", "x-a"])
            | st.text(max_size=5),
            inner,
            max_size=5,
        )
    ),
    max_leaves=30,
)
# "#/components/y" is y itself: a loop
REFS = st.sampled_from(
    ["#/paths", "#/components/x", "#/components/y", "#", "#/paths/~1a~1{x}/get", "#/components/x/0", "nope"]
)


@given(
    version=st.sampled_from([{"openapi": "3.1.0"}, {"openapi": "3.0.0"}, {"swagger": "2.0"}, {}]),
    paths=st.dictionaries(st.sampled_from(["/a/{x}", "/b", "/c/{x}/{y", "d", "x-e"]), JSON, max_size=3) | JSON,
    components=JSON,
    ref=REFS,
    servers=JSON,
)
def test_any_json_gives_paths_or_an_openapi_error(
    version: dict[str, str], paths: Any, components: Any, ref: str, servers: Any
) -> None:
    document = {**version, "paths": paths, "components": {"x": components, "y": {"$ref": ref}}, "servers": servers}
    try:
        found = paths_from_openapi(document)
    except OpenApiError as error:
        assert "\n" not in str(error)
    else:
        assert all(path.startswith("/") for path in found.reads)


@given(st.binary(max_size=200) | JSON.map(lambda value: json.dumps(value).encode()))
def test_any_bytes_load_or_give_an_openapi_error(data: bytes) -> None:
    try:
        paths_from_openapi(load_openapi("https://app.example/openapi.json", lambda url: data))
    except OpenApiError as error:
        assert "\n" not in str(error)
