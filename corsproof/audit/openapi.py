"""The paths an audit reads and writes, taken from the app's own OpenAPI document.

Listing forty `--path` options by hand is how paths get forgotten; the app's OpenAPI document
(FastAPI serves one at /openapi.json) already names every route. This module turns it into
concrete URLs: GET paths to read, and (METHOD, path) pairs that change state. A path parameter
is filled only from the document's own examples (an audit must not guess ids: a made-up id reads
a 404, which proves nothing about the data an attacker would get); a path whose parameter has no
example is skipped with a note saying which parameter to give an example for.

OpenAPI 3.0 and 3.1 are read, and Swagger 2.0 (`basePath`, `x-example`, `default`). Only local
`$ref`s ("#/components/parameters/...") are followed; an operation that needs another file is
skipped with a note. The base path: Swagger 2.0's `basePath`; in 3.x the path of the first
`servers` URL when that URL is relative ("/api/v1") or on the audited origin (when the caller
names it); another origin's server is not the app under audit, so its path is not used.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

READ_METHODS = ("get",)
WRITE_METHODS = ("post", "put", "patch", "delete")
_TEMPLATE = re.compile(r"\{([^{}]*)\}")
_MAX_REF_HOPS = 32  # a longer chain of $refs is a loop, or not worth following


class OpenApiError(ValueError):
    """The document cannot be used: the message (one line) says what is wrong."""


@dataclass(frozen=True)
class OpenApiPaths:
    reads: tuple[str, ...]  # concrete paths to GET, base path included
    writes: tuple[tuple[str, str], ...]  # (METHOD, path) for POST, PUT, PATCH, DELETE
    notes: tuple[str, ...]  # what was skipped, and why


class _Skip(Exception):
    """One operation cannot be made concrete; the message says why (it becomes a note)."""


def _show(text: object, limit: int = 60) -> str:
    """A key or value for a one-line message: printable, not too long."""
    shown = text if isinstance(text, str) and text.isprintable() else repr(text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _version(document: Mapping[str, Any]) -> int:
    """3 for OpenAPI 3.x, 2 for Swagger 2.0; anything else is not a document we can read."""
    openapi, swagger = document.get("openapi"), document.get("swagger")
    if isinstance(openapi, str) and openapi.startswith("3."):
        return 3
    if swagger == "2.0":
        return 2
    if openapi is None and swagger is None:
        raise OpenApiError("not an OpenAPI document: no `openapi` (3.x) or `swagger` (2.0) version field")
    raise OpenApiError(
        f"OpenAPI version {_show(openapi if openapi is not None else swagger)} is not supported: 3.x or 2.0"
    )


def _check(document: object) -> Mapping[str, Any]:
    """The document if its outline is one we can read; OpenApiError otherwise."""
    if not isinstance(document, Mapping):
        raise OpenApiError(f"not an OpenAPI document: the top level is {type(document).__name__}, not an object")
    _version(document)
    if "paths" not in document:
        raise OpenApiError("not an OpenAPI document: no `paths`")
    if not isinstance(document["paths"], Mapping):
        raise OpenApiError("`paths` is not an object")
    return document


def _resolve(document: Mapping[str, Any], value: Any) -> Any:
    """value with local $refs followed (JSON pointers into this document)."""
    for _ in range(_MAX_REF_HOPS):
        if not (isinstance(value, Mapping) and "$ref" in value):
            return value
        ref = value["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise _Skip(f"$ref {_show(ref)} is not in this document")
        target: Any = document
        for token in filter(None, ref[1:].split("/")):
            key = token.replace("~1", "/").replace("~0", "~")
            if isinstance(target, Mapping) and key in target:
                target = target[key]
            elif isinstance(target, list) and key.isdigit() and int(key) < len(target):
                target = target[int(key)]
            else:
                raise _Skip(f"$ref {_show(ref)} points at nothing")
        value = target
    raise _Skip("$refs loop")


def _parameters(document: Mapping[str, Any], where: str, declared: Any) -> dict[tuple[str, str], Mapping[str, Any]]:
    """The parameters of a path item or operation by (in, name), refs resolved."""
    if declared is None:
        return {}
    if not isinstance(declared, list):
        raise OpenApiError(f"{where}: `parameters` is not a list")
    found: dict[tuple[str, str], Mapping[str, Any]] = {}
    for item in declared:
        parameter = _resolve(document, item)
        if not isinstance(parameter, Mapping):
            raise OpenApiError(f"{where}: a parameter is not an object")
        name, place = parameter.get("name"), parameter.get("in")
        if isinstance(name, str) and isinstance(place, str):
            found[(place, name)] = parameter
    return found


def _first_example(document: Mapping[str, Any], examples: Any) -> Iterator[Any]:
    """The first value of an `examples` field: a list (JSON Schema, FastAPI's Path(examples=...))
    or a map of Example Objects (OpenAPI 3's parameter examples, FastAPI's openapi_examples)."""
    if isinstance(examples, list) and examples:
        yield examples[0]
    elif isinstance(examples, Mapping):
        for example in examples.values():
            example = _resolve(document, example)
            if isinstance(example, Mapping) and "value" in example:
                yield example["value"]
            return  # only the first: the one the author put forward


def _schema_examples(document: Mapping[str, Any], schema: Any, depth: int = 0) -> Iterator[Any]:
    schema = _resolve(document, schema)
    if not isinstance(schema, Mapping) or depth > 4:
        return
    if "example" in schema:
        yield schema["example"]
    yield from _first_example(document, schema.get("examples"))
    if "default" in schema:
        yield schema["default"]
    if "const" in schema:
        yield schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        yield schema["enum"][0]
    # Pydantic wraps a referenced enum or model as allOf: [{$ref}] (or anyOf with null).
    for combined in ("allOf", "anyOf", "oneOf"):
        members = schema.get(combined)
        if isinstance(members, list):
            for member in members:
                yield from _schema_examples(document, member, depth + 1)


def _examples(document: Mapping[str, Any], parameter: Mapping[str, Any]) -> Iterator[Any]:
    """Candidate values for a parameter, best first: its example, its examples, its schema's."""
    if "example" in parameter:
        yield parameter["example"]
    yield from _first_example(document, parameter.get("examples"))
    if "x-example" in parameter:  # Swagger 2.0 has no example field for parameters
        yield parameter["x-example"]
    yield from _schema_examples(document, parameter.get("schema"))
    # Swagger 2.0 puts a non-body parameter's schema keywords on the parameter itself.
    if "default" in parameter:
        yield parameter["default"]
    if isinstance(parameter.get("enum"), list) and parameter["enum"]:
        yield parameter["enum"][0]


def _segment(value: Any) -> str | None:
    """value as one percent-encoded path segment, or None when it cannot be one."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float | str):
        text = str(value)
    else:
        return None  # null, a list or an object: no single segment says it
    if not text:
        return None  # an empty segment would name another route
    try:
        # safe="": a "/" in an example is data, not a separator
        return quote(text, safe="")
    except UnicodeEncodeError:  # a lone surrogate from a JSON escape
        return None


def _concrete(
    document: Mapping[str, Any], template: str, parameters: Mapping[tuple[str, str], Mapping[str, Any]]
) -> str:
    """template with each {name} replaced by its parameter's example; _Skip when one has none."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        parameter = parameters.get(("path", name))
        if parameter is None:
            raise _Skip(f"path parameter {_show(name)} is not declared")
        for value in _examples(document, parameter):
            segment = _segment(value)
            if segment is not None:
                return segment
        raise _Skip(f"no example for path parameter {_show(name)}")

    path = _TEMPLATE.sub(fill, template)
    if "{" in path or "}" in path:
        raise _Skip("the path template is malformed")
    return path


def _base_path(document: Mapping[str, Any], version: int, origin: str | None) -> tuple[str, list[str]]:
    """The prefix of every path, and notes about where it came from (or why none)."""
    if version == 2:
        base = document.get("basePath")
        return (base.rstrip("/"), []) if isinstance(base, str) and base.startswith("/") else ("", [])
    servers = document.get("servers")
    if not isinstance(servers, list) or not servers or not isinstance(servers[0], Mapping):
        return "", []
    url = servers[0].get("url")
    if not isinstance(url, str):
        return "", []
    variables = servers[0].get("variables")
    if isinstance(variables, Mapping):  # "{basePath}" and friends: their defaults
        for name, variable in variables.items():
            if isinstance(variable, Mapping) and isinstance(variable.get("default"), str):
                url = url.replace("{" + str(name) + "}", variable["default"])
    try:
        parts = urlsplit(url)
    except ValueError:
        return "", [f"server {_show(url)}: not a URL, paths used as written"]
    if parts.scheme or parts.netloc:
        here = f"{parts.scheme}://{parts.netloc}".lower()
        if origin is None or here != origin.rstrip("/").lower():
            return "", [f"server {_show(url)} is not the audited origin: paths used as written"]
    path = parts.path.rstrip("/")
    if path and not path.startswith("/"):
        path = "/" + path  # "api/v1" is relative to the document's root
    if "{" in path:
        return "", [f"server {_show(url)} has a variable without a default: paths used as written"]
    return path, []


def paths_from_openapi(document: Mapping[str, Any], origin: str | None = None) -> OpenApiPaths:
    """The concrete paths of an OpenAPI 3.x or Swagger 2.0 document: GETs to read, writes, and
    notes on what was skipped. origin: the audited app's origin, to accept a `servers` URL on it."""
    document = _check(document)
    version = _version(document)
    base, notes = _base_path(document, version, origin)
    reads: dict[str, None] = {}  # dicts as ordered sets: the document's order, no repeats
    writes: dict[tuple[str, str], None] = {}
    for template, item in document["paths"].items():
        if isinstance(template, str) and template.startswith("x-"):
            continue  # an extension, not a path
        if not isinstance(template, str) or not template.startswith("/"):
            notes.append(f"{_show(template)}: skipped, a path starts with /")
            continue
        try:
            item = _resolve(document, item)
        except _Skip as why:
            notes.append(f"{_show(template)}: skipped, {why}")
            continue
        if not isinstance(item, Mapping):
            raise OpenApiError(f"paths[{_show(template)}] is not an object")
        try:
            shared = _parameters(document, f"paths[{_show(template)}]", _guard(item.get("parameters")))
        except _Skip as why:
            notes.append(f"{_show(template)}: skipped, {why}")
            continue
        for method in (*READ_METHODS, *WRITE_METHODS):
            if method not in item:
                continue
            operation = item[method]
            where = f"{method.upper()} {_show(template)}"
            if not isinstance(operation, Mapping):
                raise OpenApiError(f"{where}: the operation is not an object")
            try:
                # an operation's parameter overrides the path item's of the same name and place
                own = _parameters(document, where, _guard(operation.get("parameters")))
                path = base + _concrete(document, template, {**shared, **own})
            except _Skip as why:
                notes.append(f"{where}: skipped, {why}")
                continue
            if method in READ_METHODS:
                reads[path] = None
            else:
                writes[(method.upper(), path)] = None
    return OpenApiPaths(tuple(reads), tuple(writes), tuple(notes))


def _guard(declared: Any) -> Any:
    """`parameters` itself may be a $ref in a hand-written document: a skip, not a crash."""
    if isinstance(declared, Mapping) and "$ref" in declared:
        raise _Skip("`parameters` is a $ref")
    return declared


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def _parse(data: bytes, source: str) -> Any:
    """JSON; YAML too when PyYAML is installed (the standard library has no YAML reader)."""
    yaml_named = source.lower().split("?")[0].endswith((".yaml", ".yml"))
    if not yaml_named:
        try:
            return json.loads(data)
        except json.JSONDecodeError as error:
            if data.lstrip()[:1] in (b"{", b"["):  # meant as JSON: say where it breaks
                raise OpenApiError(f"{_show(source)} is not JSON: {error.msg} at line {error.lineno}") from None
        except (ValueError, RecursionError):  # not UTF-8, or nested past what Python parses
            raise OpenApiError(f"{_show(source)} is not JSON") from None
    try:
        yaml: Any = importlib.import_module("yaml")  # optional: used only when installed
    except ImportError:
        what = "is YAML" if yaml_named else "is not JSON"
        raise OpenApiError(
            f"{_show(source)} {what}, and PyYAML is not installed: give the JSON document (FastAPI: /openapi.json)"
        ) from None
    try:
        return yaml.safe_load(data)
    except (yaml.YAMLError, ValueError, RecursionError):
        raise OpenApiError(f"{_show(source)} is neither JSON nor YAML") from None


def load_openapi(source: str, fetch: Callable[[str], bytes] | None = None) -> Mapping[str, Any]:
    """The OpenAPI document at source: a file (JSON; YAML when PyYAML is installed) or an
    http(s) URL, read with fetch (the caller decides how, and where, the audit may connect)."""
    if _is_url(source):
        if fetch is None:
            raise OpenApiError(f"{_show(source)} is a URL, and no way to fetch it was given")
        data = fetch(source)
    else:
        try:
            data = Path(source).read_bytes()
        except OSError as error:
            raise OpenApiError(f"cannot read {_show(source)}: {error.strerror or error}") from None
    return _check(_parse(data, source))
