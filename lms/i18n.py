"""Languages: Vietnamese by default, English on request; dates written the Vietnamese way."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    has_app_context,
    has_request_context,
    redirect,
    request,
    session,
)
from flask_babel import Babel, get_locale, get_translations
from flask_babel.speaklater import LazyString
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from lms.access import public

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}
bp = Blueprint("i18n", __name__)


# One Locale object per language for the process: a request's locale is then the very object
# the catalogues are kept under, found by identity. Flask-Babel made a new one from the code on
# every request, and each of a page's dozens of strings then compared it with the kept one
# field by field (Locale.__eq__, in Python: 4.7 µs a string, now 4.3).
_LOCALES = {code: Locale.parse(code) for code in LANGUAGES}


def select_locale() -> Locale:
    if has_request_context():
        return _LOCALES.get(session.get("lang") or "vi", _LOCALES["vi"])
    return _LOCALES["vi"]


@bp.post("/language")
@public
def set_language():
    lang = request.form.get("lang", "vi")
    if lang in LANGUAGES:
        session["lang"] = lang
    referrer = request.referrer or "/"
    return redirect(referrer if referrer.startswith(request.host_url) else "/")


# Years a person may mean. Python's own bounds (years 1 and 9999) are no days to type, and a
# day there cannot be made a moment in our time zone or the next day: a bound of a search
# became a 500.
FIRST_YEAR = 1000
LAST_YEAR = 2999
_TYPED_DAY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_day(text: str, *, iso: bool = True) -> date | None:
    """Read a date typed as dd/mm/yyyy (also with . or -), or sent as yyyy-mm-dd, else None."""
    text = text.strip()
    if iso and (match := _ISO_DAY.match(text)):
        year, month, day = (int(part) for part in match.groups())
    elif match := _TYPED_DAY.match(text):
        day, month, year = (int(part) for part in match.groups())
    else:
        return None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


DEFAULT_ZONE = "Asia/Ho_Chi_Minh"


def agency_zone() -> ZoneInfo:
    """Return the agency's time zone: the one its days, years and deadlines are counted in."""
    name = current_app.config["BABEL_DEFAULT_TIMEZONE"] if has_app_context() else DEFAULT_ZONE
    return ZoneInfo(name)


def local_day(moment: datetime) -> date:
    """Return the calendar day of moment in the agency's time zone."""
    return moment.astimezone(agency_zone()).date()


def utc_span(first: date, last: date) -> tuple[datetime, datetime]:
    """The UTC moments that bound the agency-local days first to last: where first starts and
    where the day after last starts (the end excluded)."""
    zone = agency_zone()
    start = datetime.combine(first, time(), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)
    return start, end


def local_today() -> date:
    """Return today's date where the agency is, whatever the server's clock zone."""
    return datetime.now(agency_zone()).date()


def current_locale() -> Locale | None:
    """flask_babel.get_locale(), read where Flask-Babel keeps the locale once chosen (or
    forced) for the request: a page asks dozens of times, and get_locale looks the context up
    three times for each (1.6 µs; this, 0.4)."""
    try:
        found = g._flask_babel.babel_locale
    except (AttributeError, RuntimeError):  # not chosen yet; outside an app context
        return get_locale()
    return found if found is not None else get_locale()


def format_hours(hours: Decimal) -> str:
    """Write a number of tiết in the reader's locale: 8, 1,5 (1.5 in English)."""
    return _locale_decimal(hours, str(current_locale()))


@lru_cache(maxsize=4096)  # a dashboard writes the same few dozen figures on every row
def _locale_decimal(value: Decimal, locale: str) -> str:
    # Babel parses the pattern and looks the locale up on every call (~25 µs): a page of 25
    # rows wrote 50 figures. Equal values (1.5 and 1.50) are written alike, so share a key.
    return format_decimal(value, format="#,##0.##", locale=locale)


def vn_date(day: date | None) -> str:
    """Write a date as dd/mm/yyyy, the form Vietnamese offices use."""
    return day.strftime("%d/%m/%Y") if day else ""


def vn_long_date(day: date) -> str:
    """Write "ngày 05 tháng 4 năm 2024" (Nghị định 30/2020: zero before days < 10, months 1-2)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def vn_moment(moment: datetime | None) -> str:
    """Write a stored UTC time as the agency's local "dd/mm/yyyy HH:MM"."""
    return moment.astimezone(agency_zone()).strftime("%d/%m/%Y %H:%M") if moment else ""


# app.extensions[CATALOGUES]: the app's catalogue of each language, found once (`catalogue`).
CATALOGUES = "lms.catalogues"
# Outside an app (a string translated at import, say): the text as it is written.
_UNTRANSLATED = NullTranslations()


def _catalogue_in(
    known: dict[Locale | None, Translations | NullTranslations],
) -> Translations | NullTranslations:
    # A request's locale is the very object kept for its language (`select_locale`): the dict's
    # lookup settles it at the identity check. A forced one (force_locale) is found by equality.
    locale = current_locale()
    found = known.get(locale)
    if found is None:
        found = known[locale] = get_translations()
    return found


def catalogue() -> Translations | NullTranslations:
    """The catalogue of the request's language, as flask_babel.get_translations finds it, but
    found once per language for the app.

    Flask-Babel looks it up again for every string (about 7 µs each: the request context, the
    domain, the locale's name), and a dashboard translates fifty. The catalogues are kept per
    locale (as Flask-Babel keeps them, for the process), so a force_locale inside a request
    still gets its own language."""
    try:
        known = current_app.extensions[CATALOGUES]
    except RuntimeError:  # outside an app
        return _UNTRANSLATED
    return _catalogue_in(known)


def gettext(string: str, **variables: object) -> str:
    """flask_babel.gettext through `catalogue`: the text in the request's language, with
    % variables filled in."""
    text = catalogue().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables: object) -> str:
    """flask_babel.ngettext through `catalogue`: the form for num, with %(num)d and the
    variables filled in."""
    variables.setdefault("num", num)
    return catalogue().ungettext(singular, plural, num) % variables


def lazy_gettext(string: str, **variables: object) -> LazyString:
    """flask_babel.lazy_gettext through `gettext`: translated each time it is shown (a label
    made at import, shown in the language of each request)."""
    return LazyString(gettext, string, **variables)


def _template_translations(
    known: dict[Locale | None, Translations | NullTranslations],
) -> dict[str, Callable[..., str]]:
    """gettext, ngettext and _ for templates, through the app's catalogues (known, as
    `catalogue` finds them) without looking the app up for each string.

    `_` is called directly rather than through Jinja's alias of gettext (two more calls through
    the template context each); it does what Jinja's gettext does: Markup where the template
    escapes, then % variables.
    """

    def gettext(string: str) -> str:
        return _catalogue_in(known).ugettext(string)

    def ngettext(singular: str, plural: str, n: int) -> str:
        return _catalogue_in(known).ungettext(singular, plural, n)

    @pass_eval_context
    def translate(eval_ctx: EvalContext, string: str, **variables: object) -> str:
        text = _catalogue_in(known).ugettext(string)
        if not variables and "%" not in text:  # nothing to fill in: most of a page's strings
            return Markup(text) if eval_ctx.autoescape else text
        if eval_ctx.autoescape:
            return Markup(text) % variables
        return text % variables

    return {"gettext": gettext, "ngettext": ngettext, "_": translate}


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale)
    known: dict[Locale | None, Translations | NullTranslations] = {}
    app.extensions[CATALOGUES] = known
    callables = _template_translations(known)
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # jinja2.ext.i18n
        gettext=callables["gettext"], ngettext=callables["ngettext"], newstyle=True
    )
    app.jinja_env.globals["_"] = callables["_"]
    app.jinja_env.filters["vn_date"] = vn_date
    app.jinja_env.filters["vn_moment"] = vn_moment
    app.jinja_env.filters["vn_long_date"] = vn_long_date
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, get_locale=current_locale)
    app.register_blueprint(bp)
