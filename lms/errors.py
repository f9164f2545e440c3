"""The base of every refusal a person can act on.

A feature's error class (PlanError, OrgError, …) subclasses UserError, so a view, the request
boundary in lms.web and the app's backstop handler treat them all alike: roll back the request's
work and show the message. This module is a foundation: it imports no feature.
"""

from __future__ import annotations


class UserError(Exception):
    """A change or request refused for a reason the person can fix or understand.

    message is already translated (Vietnamese by default) and says what is wrong and where;
    field, when given, names the form field it is about, so a form can show the message next
    to that field instead of at the top of the page.
    """

    def __init__(self, message: object = "", *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.field = field
        # Each thing wrong, for a form that lists them; one unless a subclass says more.
        self.messages = [self.message]

    def __str__(self) -> str:
        return self.message
