"""Agency profile fixtures: the profile as the brief's example agency would fill it in."""

from __future__ import annotations

BAC_NINH = {
    "agency_name": "Sở Dân tộc và Tôn giáo",
    "parent_body": "UBND tỉnh Bắc Ninh",
    "place": "Bắc Ninh",
    "preparer_title": "Người lập biểu",
    "preparer_name": "Lê Thị Hoa",
    "head_title": "Giám đốc",
    "head_name": "Nguyễn Văn Thắng",
}
