"""The staff-list upload page and its template workbook, for administrators."""

from __future__ import annotations

import io
from collections.abc import Iterable

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from lms.access import requires
from lms.db import db
from lms.i18n import local_today
from lms.roles import Permission
from lms.staff import importer
from lms.staff.forms import StaffImportForm
from lms.staff.importer import parse_effective_date

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
        ),
        status,
    )


def _uploaded_name(raw: str) -> str:
    """Return the file's own name (some browsers send the whole path)."""
    return raw.replace("\\", "/").rsplit("/", 1)[-1]


@bp.route("/", methods=["GET", "POST"])
@requires(Permission.MANAGE_PEOPLE)
def upload():
    form = StaffImportForm()
    if request.method == "GET":
        return _page(form)
    if not form.validate():
        return _page(form, status=400)
    upload = form.file.data
    # The form checked the day: None here means none was typed, so today.
    on = parse_effective_date(form.effective.data or "") or local_today()
    check_only = bool(form.check_only.data)
    filename = _uploaded_name(upload.filename)
    try:
        result = importer.import_staff(filename, upload.read(), on=on)
    except Exception:
        db.session.rollback()
        raise
    if result.problems:
        db.session.rollback()
        flash(
            _(
                "Tệp “%(file)s” có %(n)d lỗi nên chưa nhập dòng nào. Hãy sửa các lỗi dưới đây "
                "rồi tải lên lại.",
                file=filename,
                n=len(result.problems),
            ),
            "error",
        )
        return _page(form, problems=result.problems, status=400)
    if check_only:
        db.session.rollback()
        flash(
            _(
                "Tệp “%(file)s” không có lỗi (chỉ kiểm tra, chưa lưu gì). Nếu nhập: %(summary)s.",
                file=filename,
                summary=result.summary,
            ),
            "info",
        )
        return _page(StaffImportForm(formdata=None, effective=form.effective.data))
    db.session.commit()
    flash(
        _("Đã nhập tệp “%(file)s”. %(summary)s.", file=filename, summary=result.summary), "success"
    )
    return redirect(url_for("staff.upload"))


@bp.get("/template.xlsx")
@requires(Permission.MANAGE_PEOPLE)
def template():
    return send_file(
        io.BytesIO(importer.template_workbook(local_today())),
        mimetype=importer.XLSX_MIMETYPE,
        as_attachment=True,
        download_name=TEMPLATE_NAME,
    )
