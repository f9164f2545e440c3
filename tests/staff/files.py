"""Staff files built in memory for the tests: CSV (with or without a BOM) and .xlsx."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from sqlalchemy import func, select

from lms.accounts.models import Person
from lms.audit.models import AuditEvent
from lms.db import db
from lms.org.models import Membership

HEADERS = [
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Dân tộc",
    "Chức vụ",
    "Mã đơn vị",
    "Email",
    "Tên đăng nhập",
]


def staff_row(username: str, full_name: str, unit_code: str = "PHCTH", **overrides) -> list:
    """Return one data row in HEADERS order; overrides use the header names with _ for spaces."""
    values = {
        "Họ và tên": full_name,
        "Ngày sinh": "05/04/1990",
        "Giới tính": "Nữ",
        "Dân tộc": "Tày",
        "Chức vụ": "Chuyên viên",
        "Mã đơn vị": unit_code,
        "Email": f"{username}@example.gov.vn",
        "Tên đăng nhập": username,
    }
    for key, value in overrides.items():
        values[key.replace("_", " ")] = value
    return [values[name] for name in HEADERS]


def csv_bytes(
    rows: list[list], *, headers=HEADERS, bom: bool = True, delimiter: str = ","
) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[list], *, headers=HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def db_counts() -> tuple[int, int, int]:
    """Return how many people, memberships and audit events the database holds."""
    return (
        db.session.scalar(select(func.count()).select_from(Person)),
        db.session.scalar(select(func.count()).select_from(Membership)),
        db.session.scalar(select(func.count()).select_from(AuditEvent)),
    )
