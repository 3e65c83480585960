"""Malformed input never makes the portal fail: every public URL and form answers
a 4xx (or its page) to values such as "²", NUL characters and huge numbers.

The URLs come from the URLconf, the parameters from the search form, the forms on
the public pages and the names the views read from ``request.GET``/``POST``.
"""

import ast
import itertools
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from catalogue.search.forms import SearchForm
from core.parsing import parse_id, parse_ids, parse_int
from tests.factories import (
    make_equipment,
    make_infrastructure,
    make_service,
    make_staff,
)

pytestmark = pytest.mark.django_db

hypothesis_settings.register_profile(
    "malformed_input",
    max_examples=500,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Values that broke the portal once, and their relatives.
NASTY = [
    "",
    "0",
    "-1",
    "1",
    "²",
    "١٢",
    "٣",
    "1²",
    " 1",
    "1.5",
    "1e3",
    "9" * 30,
    str(2**63),
    "\x00",
    "a\x00b",
    "%00",
    "../",
    "..%2F",
    "/",
    "\u202e",
    "\ufffd",
    "x" * 2000,
    "<script>",
    "'; select 1; --",
]
values = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)


Route = tuple[str, tuple[str, ...]]


def _named_patterns(
    resolvers: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> list[tuple[str, list[str]]]:
    """``(name, converter names)`` of every named route below ``resolvers``."""
    found: list[tuple[str, list[str]]] = []
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += _named_patterns(entry.url_patterns, prefix, inner)
        elif entry.name:
            groups = entry.pattern.regex.groupindex
            found.append((f"{namespace}{entry.name}", list(groups)))
    return found


def public_routes() -> list[Route]:
    """Every named route outside the Django admin, whose pages need staff."""
    routes = _named_patterns(get_resolver().url_patterns)
    return sorted(
        {(name, tuple(kw)) for name, kw in routes if not name.startswith("admin:")}
    )


def names_views_read(method: str) -> set[str]:
    """The parameter names views read with ``request.<method>.get[list]("...")``."""
    names = set()
    for path in Path(settings.BASE_DIR).glob("*/views.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("get", "getlist")
                and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr == method
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                names.add(node.args[0].value)
    return names


class _Forms(HTMLParser):
    """The forms of a page: method, action and field names."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str, set[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form":
            method = (attributes.get("method") or "get").lower()
            self.forms.append((method, attributes.get("action") or "", set()))
        elif tag in ("input", "select", "textarea", "button") and self.forms:
            name = attributes.get("name")
            if name and name != "csrfmiddlewaretoken":
                self.forms[-1][2].add(name)


@pytest.fixture
def catalogue() -> dict[str, str]:
    """A published listing with a service and equipment; values for URL kwargs."""
    infrastructure = make_infrastructure(kets=["AMN"])
    service = make_service(infrastructure=infrastructure)
    make_equipment(infrastructure=infrastructure)
    return {"slug": infrastructure.slug, "code": "ITH5", "service": service.slug}


def _url(name: str, kwargs: list[str], path_values: list[str]) -> str:
    """The path of route ``name`` with ``path_values`` in its parameters."""
    sentinels = {kw: f"zz{i}sentinel" for i, kw in enumerate(kwargs)}
    try:
        path = reverse(name, kwargs=sentinels)
    except Exception:  # noqa: BLE001 - an <int:...> route: reverse with numbers
        sentinels = {kw: str(987650 + i) for i, kw in enumerate(kwargs)}
        path = reverse(name, kwargs=sentinels)
    for kw, value in zip(kwargs, path_values, strict=False):
        path = path.replace(sentinels[kw], quote(value, safe=""), 1)
    return path


def _known_pages(catalogue: dict[str, str]) -> list[str]:
    pages = []
    for name, kwargs in public_routes():
        known = [catalogue.get(kw, catalogue["slug"]) for kw in kwargs]
        try:
            pages.append(reverse(name, kwargs=dict(zip(kwargs, known, strict=True))))
        except Exception:  # noqa: BLE001, S112 - routes whose kwargs are not slugs
            continue
    return pages


def public_forms(client: Client, pages: list[str]) -> list[tuple[str, list[str]]]:
    """``(action, field names)`` of every POST form on the public pages."""
    forms: dict[str, set[str]] = {}
    for page in pages:
        response = client.get(page)
        if response.status_code != 200 or "html" not in response["Content-Type"]:
            continue
        parser = _Forms()
        parser.feed(response.content.decode())
        for method, action, fields in parser.forms:
            if method == "post":
                target = urlsplit(action).path or page
                forms.setdefault(target, set()).update(fields)
    return sorted((action, sorted(fields)) for action, fields in forms.items())


def test_parse_int_takes_only_ascii_decimals_in_range() -> None:
    assert parse_int("42") == 42
    assert parse_int("0") == 0
    assert parse_int("²") is None
    assert parse_int("١٢") is None
    assert parse_int("-1") is None
    assert parse_int(" 1") is None
    assert parse_int("1\n") is None
    assert parse_int("9" * 30) is None
    assert parse_int("12", maximum=10) is None
    assert parse_id("0") is None
    assert parse_id(str(2**63)) is None
    assert parse_ids(["3", "²", "x", "4"]) == [3, 4]


@given(st.text(max_size=25))
@hypothesis_settings(max_examples=500, deadline=None)
def test_parse_int_never_raises(value: str) -> None:
    number = parse_int(value)
    assert number is None or str(number) == (value.lstrip("0") or "0")


@pytest.mark.parametrize(
    "name, kwargs, query",
    [
        ("catalogue:infrastructure_list", {}, {"page": "²"}),
        ("imports:search_export", {"file_format": "csv"}, {"page": "²"}),
        ("catalogue:region_detail", {"code": "\x00"}, {}),
        ("catalogue:technology_detail", {"code": "\x00"}, {}),
        ("media", {"path": "logos/\x00"}, {}),
    ],
)
def test_reported_inputs_get_a_4xx_or_the_page(
    client: Client, catalogue: dict[str, str], name: str, kwargs: dict, query: dict
) -> None:
    path = _url(name, list(kwargs), list(kwargs.values()))
    assert client.get(path, query).status_code < 500


@pytest.mark.parametrize("value", ["\x00", "a\x00"])
@pytest.mark.parametrize("parameter", ["service", "equipment"])
def test_nul_in_request_form_parameters_is_a_bad_request(
    client: Client, catalogue: dict[str, str], parameter: str, value: str
) -> None:
    path = reverse("access:request_create", kwargs={"slug": catalogue["slug"]})
    assert client.get(path, {parameter: value}).status_code == 400


def test_unicode_digits_in_shortlist_removal_are_ignored(client: Client) -> None:
    response = client.post(reverse("access:shortlist_remove"), {"remove": ["²", "1"]})
    assert response.status_code == 302


@pytest.mark.parametrize("action", ["remove_photo", "move_photo"])
@pytest.mark.parametrize("photo", ["²", "١", "9" * 30, ""])
def test_unicode_digits_in_workspace_photo_actions_are_a_404(
    client: Client, action: str, photo: str
) -> None:
    infrastructure = make_infrastructure()
    client.force_login(make_staff(infrastructure=infrastructure))
    path = reverse(
        "workspace:infrastructure_media", kwargs={"slug": infrastructure.slug}
    )
    response = client.post(path, {"action": action, "photo": photo, "direction": "up"})
    assert response.status_code == 404


def test_nul_in_a_cookie_is_a_bad_request(client: Client) -> None:
    client.cookies[settings.SESSION_COOKIE_NAME] = "abcdefgh\x00ijkl"
    assert client.get(reverse("home")).status_code == 400


def anonymous_routes(client: Client, catalogue: dict[str, str]) -> list[Route]:
    """The routes whose page an anonymous visitor gets (not a sign-in redirect)."""
    routes = []
    for name, kwargs in public_routes():
        known = [catalogue.get(kw, catalogue["slug"]) for kw in kwargs]
        response = client.get(_url(name, list(kwargs), known))
        if not (response.status_code in (301, 302) and "login" in response["Location"]):
            routes.append((name, kwargs))
    return routes


def test_every_public_url_survives_malformed_parameters(
    client: Client, catalogue: dict[str, str]
) -> None:
    routes = anonymous_routes(client, catalogue)
    assert ("catalogue:infrastructure_list", ()) in routes
    parameters = sorted(
        set(SearchForm().fields)
        | names_views_read("GET")
        | {"page", "sort", "q", "next", "format"}
    )
    path_values = st.lists(
        st.one_of(st.sampled_from(list(catalogue.values())), values), max_size=3
    )
    query = st.fixed_dictionaries(
        {},
        optional={
            name: st.lists(values, min_size=1, max_size=2) for name in parameters
        },
    )
    seen = itertools.count()

    # The inputs of the report, then whatever Hypothesis makes of them.
    @example(route=("catalogue:infrastructure_list", ()), path=[], data={"page": ["²"]})
    @example(
        route=("imports:search_export", ("file_format",)),
        path=["csv"],
        data={"page": ["²"]},
    )
    @example(route=("catalogue:region_detail", ("code",)), path=["\x00"], data={})
    @example(route=("media", ("path",)), path=["logos/\x00"], data={})
    @example(
        route=("access:request_create", ("slug",)),
        path=[catalogue["slug"]],
        data={"service": ["\x00"]},
    )
    @given(route=st.sampled_from(routes), path=path_values, data=query)
    @hypothesis_settings(hypothesis_settings.get_profile("malformed_input"))
    def check(route: Route, path: list[str], data: dict) -> None:
        next(seen)
        url = _url(route[0], list(route[1]), path)
        response = client.get(url, data)
        assert response.status_code < 500, (url, data)

    check()
    assert next(seen) >= 500


def test_every_public_form_survives_malformed_fields(
    client: Client, catalogue: dict[str, str]
) -> None:
    forms = public_forms(client, _known_pages(catalogue))
    assert any(action == reverse("account_login") for action, _ in forms)
    extra = sorted(names_views_read("POST"))
    seen = itertools.count()

    @given(
        form=st.sampled_from(forms),
        data=st.data(),
    )
    @hypothesis_settings(hypothesis_settings.get_profile("malformed_input"))
    def check(form: tuple[str, list[str]], data: st.DataObject) -> None:
        next(seen)
        action, fields = form
        names = st.sampled_from(fields + extra) if fields else st.sampled_from(extra)
        post = data.draw(
            st.dictionaries(names, st.lists(values, min_size=1, max_size=2))
        )
        response = client.post(action, post)
        assert response.status_code < 500, (action, post)

    check()
    assert next(seen) >= 500
