"""The corpus app's views and routes on Django (settings: tests.corpus.django_settings)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from tests.corpus import USER

_orders: list[str] = []


def _log_in_first() -> JsonResponse:
    return JsonResponse({"error": "log in first"}, status=401)


def login(request: HttpRequest) -> HttpResponse:
    """Logs alice in: a new session, sent in the `sid` cookie by SessionMiddleware."""
    request.session.cycle_key()
    request.session["user"] = USER
    return HttpResponse("<!doctype html><title>logged in</title><p>Logged in as alice.")


@csrf_exempt
def me(request: HttpRequest) -> HttpResponse:
    """GET: the user's private data; PUT: a state change; each 401 without a session."""
    user = request.session.get("user")
    if user is None:
        return _log_in_first()
    if request.method == "PUT":
        return JsonResponse({"user": user, "updated": True})
    if request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET, PUT"})
    return JsonResponse({"user": user, "email": f"{user}@mail.example", "card": "**** 4242"})


@csrf_exempt
def order(request: HttpRequest) -> HttpResponse:
    """A form post placing an order with a session; 401 without."""
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    if request.session.get("user") is None:
        return _log_in_first()
    _orders.append(request.POST.get("item", "audit item"))
    return JsonResponse({"ordered": len(_orders)})


def public(request: HttpRequest) -> HttpResponse:
    """The same public data whoever asks."""
    return JsonResponse({"public": True, "shop": "shop.example"})


urlpatterns = [
    path("login", login),
    path("me", me),
    path("orders", order),
    path("public", public),
]
