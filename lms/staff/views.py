"""The staff-list upload page and its template workbook, for administrators."""

from __future__ import annotations

import io
from collections.abc import Iterable

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from lms import sheets
from lms.access import requires
from lms.accounts.queries import waiting_for_first_sign_in
from lms.db import db
from lms.i18n import gettext as _
from lms.i18n import local_today
from lms.roles import Permission
from lms.staff import importer
from lms.staff.forms import StaffImportForm
from lms.staff.importer import parse_effective_date
from lms.uploads import services as pending
from lms.uploads.services import Upload

bp = Blueprint("staff", __name__, url_prefix="/admin/staff-import", template_folder="templates")

TEMPLATE_NAME = "mau-danh-sach-nhan-su.xlsx"


def _page(
    form: StaffImportForm, *, problems: Iterable[object] = (), status: int = 200
) -> tuple[str, int]:
    columns = [(name, importer.COLUMN_HINTS[name]) for name in importer.TEMPLATE_COLUMNS]
    return (
        render_template(
            "staff/upload.html",
            form=form,
            columns=columns,
            max_rows=f"{importer.MAX_ROWS:,}".replace(",", "."),
            problems=[str(problem) for problem in problems],
            waiting=waiting_for_first_sign_in(),
        ),
        status,
    )


PURPOSE = "staff"  # the staff form's pending upload (lms.uploads)
# A list of MAX_ROWS rows is a few MB; anything larger is not one (the importer says so).
MAX_FILE_BYTES = 32 * 1024 * 1024


@bp.route("/", methods=["GET", "POST"])
@requires(Permission.MANAGE_PEOPLE)
def upload():
    """Check or import a staff list. A list refused for the form (a bad day) or only checked is
    kept a day, so importing it after the check needs no second choice of the file; a list
    with problems is not kept: the fixed one is chosen."""
    form = StaffImportForm()
    if request.method == "GET":
        return _page(form)
    upload, kept = pending.chosen(
        current_user.id, PURPOSE, form.file.data, form.file_pending.data, MAX_FILE_BYTES
    )
    form.kept = kept
    valid = form.validate()
    if upload is None:
        form.file.errors = [_("Hãy chọn tệp danh sách (.xlsx hoặc .csv).")]
    if not valid or upload is None:
        return _keep(form, upload, status=400)
    # The form checked the day: None here means none was typed, so today.
    on = parse_effective_date(form.effective.data or "") or local_today()
    try:
        result = importer.import_staff(upload.filename, upload.data, on=on)
    except Exception:
        db.session.rollback()
        raise
    if result.problems:
        db.session.rollback()
        flash(
            _(
                "Tệp “%(file)s” có %(n)d lỗi nên chưa nhập dòng nào. Hãy sửa các lỗi dưới đây "
                "rồi tải lên lại.",
                file=upload.filename,
                n=len(result.problems),
            ),
            "error",
        )
        # A list with problems is not kept, nor one kept before: the fixed one is chosen.
        form.kept = None
        pending.forget(current_user.id, PURPOSE)
        db.session.commit()
        return _page(form, problems=result.problems, status=400)
    if form.check_only.data:
        db.session.rollback()
        flash(
            _(
                "Tệp “%(file)s” không có lỗi (chỉ kiểm tra, chưa lưu gì). Nếu nhập: %(summary)s.",
                file=upload.filename,
                summary=result.summary,
            ),
            "info",
        )
        checked = StaffImportForm(formdata=None, effective=form.effective.data)
        checked.kept = kept
        return _keep(checked, upload)
    if kept is not None:
        pending.discard(kept)
    db.session.commit()
    flash(
        _("Đã nhập tệp “%(file)s”. %(summary)s.", file=upload.filename, summary=result.summary),
        "success",
    )
    return redirect(url_for("staff.upload"))


def _keep(form: StaffImportForm, upload: Upload | None, status: int = 200) -> tuple[str, int]:
    """The page again with the list kept for the next send (unless it already was)."""
    if upload is not None and form.kept is None:
        form.kept = pending.keep(current_user.id, PURPOSE, upload.filename, upload.data)
        db.session.commit()
    return _page(form, status=status)


@bp.get("/template.xlsx")
@requires(Permission.MANAGE_PEOPLE)
def template():
    return send_file(
        io.BytesIO(importer.template_workbook(local_today())),
        mimetype=sheets.XLSX_MIMETYPE,
        as_attachment=True,
        download_name=TEMPLATE_NAME,
    )
