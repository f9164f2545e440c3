"""The learning forms; the rules themselves stay in learning.services."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict
from wtforms import StringField

from lms.forms import Day, Form, cut, required
from lms.i18n import lazy_gettext as _l

_BAD_DAY = _l("Ngày bắt đầu áp dụng không hợp lệ: hãy nhập theo dạng ngày/tháng/năm.")


class RuleForm(Form):
    """A new version of the credible-completion rule: two shares (percent) and its first day.
    The shares' range and order are the service's rules (refused by field)."""

    min_share_percent = StringField()
    flag_share_percent = StringField()
    starts_on = StringField(validators=[required(_BAD_DAY), Day(_BAD_DAY)])


# Longer than any id, count or signed stamp a page sends, so a huge post is not read whole.
_LONGEST = 1000


class LearningEventForm(Form):
    """What a lesson page sends with an action or a beacon: the event's own id (a form sent
    twice sends the same id, so it counts once), the seconds the page measured while visible,
    and the signed stamp of when the page was served. The service judges all three."""

    event_id = StringField(filters=[cut(_LONGEST)])
    seconds = StringField(filters=[cut(_LONGEST)])
    opened_at = StringField(filters=[cut(_LONGEST)])

    @property
    def event(self) -> str | None:
        return self.event_id.data or None


class BeaconForm(LearningEventForm):
    """Time on a lesson page, sent by learning.js: which course and lesson."""

    course = StringField(filters=[cut(_LONGEST)])
    lesson = StringField(filters=[cut(_LONGEST)])


class QuizForm(LearningEventForm):
    """A quiz's answers: one list of choices per question, posted as q:<question>."""

    quiz = StringField(filters=[cut(_LONGEST)])

    def answers(self, formdata: MultiDict[str, str]) -> dict[str, list[str]]:
        """The choices per question id: the questions are the quiz's, not the form's."""
        return {name[2:]: formdata.getlist(name) for name in formdata if name.startswith("q:")}
