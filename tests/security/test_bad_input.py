"""Bad input everywhere: wrong methods, unknown ids, oversized requests."""

from urllib.parse import urlencode

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from reflections.models import MAX_TEXT, Reflection
from tests.factories import ReflectionFactory
from tests.reflections.conftest import form_data

pytestmark = pytest.mark.django_db

FORM_ENCODED = "application/x-www-form-urlencoded"

# The app's own views; allauth's and the admin's are theirs.
OUR_NAMESPACES = {"meetings", "reflections", "supervision", "dashboards"}
OUR_TOP_LEVEL = {
    "home",
    "my_data",
    "account_security",
    "end_session",
    "csrf_token",
    "signed_in_again",
    "pending_posts",
    "pending_post_discard",
}


def our_routes() -> list[tuple[str, str]]:
    routes = []

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            route = str(pattern.pattern)
            while "<" in route:
                start = route.index("<")
                route = route[:start] + "1" + route[route.index(">", start) + 1 :]
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + route, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and not route.startswith("^"):
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                if namespace in OUR_NAMESPACES or name in OUR_TOP_LEVEL:
                    routes.append((name, "/" + prefix + route))

    walk(get_resolver().url_patterns, "", None)
    return routes


ROUTES = our_routes()


def test_the_walk_finds_the_apps_views():
    names = {name for name, _ in ROUTES}
    assert {"home", "reflections:edit", "meetings:network_list", "end_session"} <= names
    assert len(ROUTES) > 15


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_every_view_refuses_methods_it_does_not_take(login, supervisor, method):
    client = login(supervisor)

    answers = {name: getattr(client, method)(path).status_code for name, path in ROUTES}

    assert answers == dict.fromkeys(answers, 405)


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("home", "post"),
        ("reflections:timeline", "post"),
        ("reflections:detail", "post"),
        ("reflections:autosave", "get"),
        ("reflections:export_json", "post"),
        ("account_security", "post"),
        ("end_session", "get"),
    ],
)
def test_a_wrong_method_is_405(login, author, name, method):
    path = dict(ROUTES)[name]

    assert getattr(login(author), method)(path).status_code == 405


@pytest.mark.parametrize(
    "name", ["reflections:detail", "reflections:edit", "meetings:network_detail", "end_session"]
)
def test_an_unknown_id_is_a_friendly_404(login, author, name):
    client = login(author)
    path = reverse(name, args=[987654])
    response = client.post(path) if name == "end_session" else client.get(path)

    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.content.decode()


def test_a_reflection_with_every_field_full_of_emoji_fits_the_size_limit(login, author):
    note = ReflectionFactory(author=author)
    full = "😀" * MAX_TEXT  # 4 bytes each, 12 once form-encoded: the worst case
    texts = {name: full for name in form_data() if name.startswith("note_")}
    texts.update(text=full, what_shared=full, what_guided=full)

    body = urlencode(form_data(**texts))  # as a browser sends a form, %XX per byte
    assert len(body) > 12 * MAX_TEXT * len(texts)

    response = login(author).post(
        reverse("reflections:edit", args=[note.pk]), body, content_type=FORM_ENCODED
    )

    assert response.status_code == 302
    assert Reflection.objects.get(pk=note.pk).text == full


def test_a_body_beyond_any_real_form_is_refused_before_it_is_read(login, author, settings):
    note = ReflectionFactory(author=author)
    huge = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = login(author).post(
        reverse("reflections:edit", args=[note.pk]), urlencode({"text": huge}), FORM_ENCODED
    )

    assert response.status_code == 400
    assert "We could not accept what you sent" in response.content.decode()
    assert Reflection.objects.get(pk=note.pk).text == note.text


def test_too_many_fields_are_refused(login, author, settings):
    note = ReflectionFactory(author=author)
    fields = {f"f{i}": "1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}

    response = login(author).post(reverse("reflections:edit", args=[note.pk]), fields)

    assert response.status_code == 400


def test_an_over_long_field_gets_a_clear_message(login, author):
    note = ReflectionFactory(author=author)

    response = login(author).post(
        reverse("reflections:edit", args=[note.pk]), form_data(text="x" * (MAX_TEXT + 1))
    )

    assert response.status_code == 422
    assert "20,000" in response.content.decode() or "20000" in response.content.decode()
