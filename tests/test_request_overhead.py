"""What every signed-in request pays before and around its view (issue 17, item 3): the
statements it always runs are built once, the page shell's translations and menu are worked
out once per page, and the session cookie is not signed again on every response
(tests/security/test_sessions.py)."""

from __future__ import annotations

from unittest import mock

import flask_babel
import pytest
from flask_babel import force_locale
from sqlalchemy import Select, select

from lms.db import db
from lms.roles import Role
from tests.factories import make_person, make_unit


@pytest.fixture
def manager(app, login):
    unit = make_unit("PCS", "Phòng Chính sách")
    make_person("truongphong", "Nông Văn Quản", unit=unit, manages=unit, roles=(Role.HCTH,))
    db.session.commit()
    login("truongphong")


def test_a_signed_in_request_builds_no_sql_statement(client, manager):
    """Loading the session, person and grants, and the header's unread count, reuse
    statements built once: composing them cost about half of each."""
    assert client.get("/healthz").status_code == 200
    assert client.get("/account/password").status_code == 200
    built = []
    where = Select.where

    def counted(statement, *criteria):
        built.append(criteria)
        return where(statement, *criteria)

    with mock.patch.object(Select, "where", counted):
        assert client.get("/healthz").status_code == 200
        assert client.get("/account/password").status_code == 200
    assert built == []


def test_a_page_finds_its_translations_without_a_lookup_per_string(client, manager):
    """Flask-Babel looked the catalogue up again for each of the dozens of strings a page
    translates; the page's templates now find it once per language."""
    client.post("/language", data={"lang": "en"})
    assert "Change password" in client.get("/account/password").get_data(as_text=True)
    with mock.patch.object(
        flask_babel, "get_translations", wraps=flask_babel.get_translations
    ) as looked_up:
        page = client.get("/account/password").get_data(as_text=True)
    assert "Change password" in page and "Sign out" in page
    assert looked_up.call_count <= 1
    client.post("/language", data={"lang": "vi"})
    page = client.get("/account/password").get_data(as_text=True)
    assert "Đổi mật khẩu" in page and "Đăng xuất" in page


def test_a_template_translates_as_jinja_would(app):
    """`_` escapes the values put in (not the message), reads %% as %, and in a template
    that does not escape (plain text) leaves both as they are."""
    from flask import render_template_string

    from lms.i18n import select_locale

    with app.test_request_context("/"):
        assert str(select_locale()) == "vi"
        html = render_template_string(
            '{{ _("Xin chào, %(name)s", name="<b>An</b>") }} {{ _("100%%") }}'
        )
        assert html == "Xin chào, &lt;b&gt;An&lt;/b&gt; 100%"
        plain = app.jinja_env.from_string(
            '{% autoescape false %}{{ _("Xin chào, %(name)s", name="<b>") }}{% endautoescape %}'
        )
        assert plain.render() == "Xin chào, <b>"
        with force_locale("en"):
            assert render_template_string('{{ _("Đổi mật khẩu") }}') == "Change password"
        # Back in the request's own language once the forced one ends.
        assert render_template_string('{{ _("Đổi mật khẩu") }}') == "Đổi mật khẩu"


def test_every_request_in_a_language_reads_by_the_same_locale(app, client, monkeypatch):
    """One Locale object per language, so that a page's strings find their catalogue by
    identity (a language the app does not offer reads as Vietnamese); pages switching back
    and forth between the languages each read their own, and the catalogues are looked up
    only when the language changes."""
    from babel import Locale
    from flask import session

    import lms.i18n
    from lms.i18n import current_locale, select_locale

    seen = {}
    for lang in ["vi", "en", "vi", "en", "fr", None]:
        with app.test_request_context("/"):
            if lang:
                session["lang"] = lang
            locale = select_locale()
            assert isinstance(locale, Locale)
            assert seen.setdefault(str(locale), locale) is locale
    assert set(seen) == {"vi", "en"}
    looked_up = []
    get_translations = lms.i18n.get_translations
    monkeypatch.setattr(
        lms.i18n, "get_translations", lambda: looked_up.append(1) or get_translations()
    )
    for lang, words in [("en", "Username"), ("vi", "Tên đăng nhập"), ("en", "Username")]:
        client.post("/language", data={"lang": lang})
        for _ in range(2):
            with app.test_request_context("/"):
                session["lang"] = lang
                assert current_locale() is seen[lang]
            assert words in client.get("/login").get_data(as_text=True)
    # Each language's catalogue found once for the process, not once per string or page.
    assert len(looked_up) <= 2


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_message_with_nothing_to_fill_in_reads_as_jinja_s_own_gettext(app, lang):
    """Most of a page's messages have no variables: `_` returns them without formatting, and
    they read as Jinja's own i18n extension (newstyle) writes them, escaped or not."""
    from flask import render_template_string
    from flask_babel import get_translations
    from jinja2 import Environment

    messages = ["Đổi mật khẩu", "Hỏi & đáp <ngắn>", "100%%", "(%(n)d/%(total)d bài)"]
    source = " | ".join(
        f'{{{{ _("{message}"{", n=1, total=2" if "%(n)" in message else ""}) }}}}'
        for message in messages
    )
    with app.test_request_context("/"), force_locale(lang):
        ours = render_template_string(source)
        plain = app.jinja_env.from_string("{% autoescape false %}" + source + "{% endautoescape %}")
        ours_plain = plain.render()
        translations = get_translations()
    for autoescape, got in ((True, ours), (False, ours_plain)):
        jinja = Environment(extensions=["jinja2.ext.i18n"], autoescape=autoescape)
        jinja.install_gettext_translations(translations, newstyle=True)
        assert got == jinja.from_string(source).render()
    assert "Hỏi &amp; đáp" not in ours and "100%" in ours


def test_the_menu_reads_the_person_s_permissions_once(client, manager):
    """Each menu item asked for the person's permissions, working out today's grants again."""
    from lms.accounts.models import Person

    with mock.patch.object(Person, "permissions", new_callable=mock.PropertyMock) as permissions:
        from lms.roles import ROLE_PERMISSIONS

        permissions.return_value = ROLE_PERMISSIONS[Role.MANAGER] | ROLE_PERMISSIONS[Role.HCTH]
        page = client.get("/account/password").get_data(as_text=True)
    assert "Kế hoạch đơn vị" in page and "Nhân sự" not in page
    assert permissions.call_count == 1


def test_the_shell_is_written_once_per_language_and_menu(app, client, manager, login):
    """The shell's links, menu and language buttons are rendered once and kept (lms.shell):
    a page after the first renders none of them, yet each person gets their own menu, each
    language its own words and each page its own mark in the menu."""
    from jinja2 import Template

    client.get("/account/password")
    rendered = mock.patch.object(Template, "module", new_callable=mock.PropertyMock)
    with rendered as module:
        page = client.get("/account/password").get_data(as_text=True)
        assert module.call_count == 0
    assert "Kế hoạch đơn vị" in page and '<a href="/">Trang chủ</a>' in page
    assert '<button type="submit" name="lang" value="en"' in page
    home = client.get("/").get_data(as_text=True)
    assert '<a href="/" aria-current="page">Trang chủ</a>' in home
    # Served under a path (a proxy's prefix), the links carry it; without, they do not.
    mounted = client.get("/account/password", base_url="http://localhost/lms/")
    assert 'href="/lms/static/css/app.' in mounted.get_data(as_text=True)
    assert 'href="/static/css/app.' in client.get("/account/password").get_data(as_text=True)
    # With templates reloaded (debug mode), the shell is rendered on every page.
    app.jinja_env.auto_reload = True
    try:
        with rendered as module:
            client.get("/account/password")
            assert module.call_count > 0
    finally:
        app.jinja_env.auto_reload = False

    client.post("/language", data={"lang": "en"})
    english = client.get("/account/password").get_data(as_text=True)
    assert "Unit plans" in english and "Kế hoạch đơn vị" not in english
    assert 'value="vi"' in english and 'value="en"' not in english

    client.post("/language", data={"lang": "vi"})
    make_person("hocvien", "Lò Thị Học", unit=make_unit("PKH", "Phòng Kế hoạch"))
    db.session.commit()
    login("hocvien")
    mine = client.get("/account/password").get_data(as_text=True)
    assert "Kế hoạch của tôi" in mine and "Kế hoạch đơn vị" not in mine


def test_the_header_s_unread_count_comes_with_the_sign_in(client, manager, sql_statements):
    """The unread count every signed-in page shows is read by the sign-in query, not by a
    query of its own, and is the person's own, as of the request."""
    from lms.accounts.models import Person
    from lms.plans.models import Notification

    me = db.session.scalar(select(Person).where(Person.username == "truongphong"))
    other = make_person("khac", "Hà Văn Khác", unit=make_unit("PKH", "Phòng Kế hoạch"))
    db.session.add_all(
        [Notification(person_id=me.id, kind="note", text=f"Tin {n}") for n in range(3)]
        + [Notification(person_id=other.id, kind="note", text="Tin khác")]
    )
    db.session.commit()
    statements = sql_statements(lambda: client.get("/account/password"))
    page = client.get("/account/password").get_data(as_text=True)
    assert '<span class="badge">3</span>' in page
    assert not [s for s in statements if s.lstrip().startswith("SELECT count(notification.id)")]
    (sign_in,) = [s for s in statements if "notification" in s and "user_session" in s]
    # By the query's parameter, not correlated to its rows (one per role grant, each counting).
    assert "notification.person_id = person.id" not in sign_in

    client.post("/plans/notifications/read")
    page = client.get("/account/password").get_data(as_text=True)
    assert 'class="badge"' not in page


def test_python_strings_read_as_flask_babel_s_own(app):
    """`lms.i18n.gettext`, `ngettext` and `lazy_gettext` (what the views and services import)
    give what Flask-Babel's give, in each language, with variables, in a language forced
    within a request, and outside any app (the text as written)."""
    import threading

    from flask import session

    from lms.i18n import gettext, lazy_gettext, ngettext

    label = lazy_gettext("Chờ duyệt")  # made at import, before any request
    month = lazy_gettext("Tháng %(n)d", n=3)
    outside = []
    # A new thread starts outside the test's app context: as a module does at import.
    reader = threading.Thread(
        target=lambda: outside.extend(
            [gettext("Chờ duyệt"), str(month), ngettext("%(num)d phút", "%(num)d phút", 5)]
        )
    )
    reader.start()
    reader.join()
    assert outside == ["Chờ duyệt", "Tháng 3", "5 phút"]
    cases = [
        (gettext, flask_babel.gettext, ("Chờ duyệt",), {}),
        (gettext, flask_babel.gettext, ("Tháng %(n)d",), {"n": 12}),
        (gettext, flask_babel.gettext, ("Từ %(first)s đến %(last)s",), {"first": "a", "last": "b"}),
        (ngettext, flask_babel.ngettext, ("%(num)d phút", "%(num)d phút", 2), {}),
    ]
    seen = {}
    for lang in ("vi", "en"):
        # A context of its own: the test's app context would keep the first request's locale.
        with app.app_context(), app.test_request_context("/"):
            session["lang"] = lang
            for ours, theirs, args, variables in cases:
                assert ours(*args, **variables) == theirs(*args, **variables)
            seen[lang] = (str(label), label.__html__(), str(month))
            other = "vi" if lang == "en" else "en"
            with force_locale(other):
                assert gettext("Chờ duyệt") == flask_babel.gettext("Chờ duyệt")
                assert gettext("Chờ duyệt") != seen[lang][0]
            assert gettext("Chờ duyệt") == seen[lang][0]  # back in the request's own
    assert seen == {
        "vi": ("Chờ duyệt", "Chờ duyệt", "Tháng 3"),
        "en": ("Awaiting approval", "Awaiting approval", "Month 3"),
    }


def test_a_dashboard_s_labels_find_their_catalogue_once(client, manager):
    """The labels a view makes (plan states, months) are translated through the catalogue found
    once per language, not looked up again for each of the dozens on a unit's dashboard."""
    from lms.org.models import Unit

    unit_id = db.session.execute(select(Unit.id).where(Unit.code == "PCS")).scalar_one()
    client.post("/language", data={"lang": "en"})
    url = f"/plans/units/{unit_id}/2026"
    assert client.get(url).status_code == 200
    # Flask-Babel's own gettext asks its domain for the catalogue: so does `catalogue`, once.
    found = flask_babel.Domain.get_translations
    with mock.patch.object(
        flask_babel.Domain, "get_translations", autospec=True, side_effect=found
    ) as looked_up:
        page = client.get(url).get_data(as_text=True)
    assert "Not started" in page and "Chưa lập" not in page  # the one person's plan state
    assert looked_up.call_count <= 1
    client.post("/language", data={"lang": "vi"})
    assert "Chưa lập" in client.get(url).get_data(as_text=True)
