"""The OpenAPI 3.1 description of the read-only API, served at /api/openapi.json."""

from __future__ import annotations

from lms.courses.format import CATEGORIES

_PERIOD_PARAMETERS = [
    {
        "name": "period",
        "in": "query",
        "description": "gd1 (2024–2025), gd2 (2026–2030) or a year such as 2025. "
        "Without period, from and to, the current year.",
        "schema": {"type": "string", "examples": ["gd1", "2025"]},
    },
    {
        "name": "from",
        "in": "query",
        "description": "First day, YYYY-MM-DD or dd/mm/yyyy (with to).",
        "schema": {"type": "string"},
    },
    {
        "name": "to",
        "in": "query",
        "description": "Last day, YYYY-MM-DD or dd/mm/yyyy (with from).",
        "schema": {"type": "string"},
    },
    {
        "name": "unit",
        "in": "query",
        "description": "Unit code: that unit with its sub-units. Default: the whole organisation.",
        "schema": {"type": "string"},
    },
]

_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}},
}
_ERROR = {
    "description": "Error; the message is in Vietnamese.",
    "content": {"application/json": {"schema": _ERROR_SCHEMA}},
}

_UNIT = {
    "type": "object",
    "required": ["id", "code", "name"],
    "properties": {
        "id": {"type": "integer"},
        "code": {"type": "string"},
        "name": {"type": "string", "description": "The unit's name at the time."},
    },
}

_NULLABLE_INT = {"type": ["integer", "null"]}
_DECIMAL = {"type": ["string", "null"], "description": 'A decimal number, e.g. "38.5".'}

ROSTER_ROW = {
    "type": "object",
    "properties": {
        "number": {"type": "integer", "description": "STT"},
        "person_id": {"type": "integer"},
        "full_name": {"type": "string"},
        "date_of_birth": {"type": ["string", "null"], "format": "date"},
        "position": {"type": ["string", "null"]},
        "is_active": {"type": "boolean"},
        "unit": _UNIT,
        "since": {"type": "string", "format": "date"},
        "until": {"type": "string", "format": "date"},
        "plan_status": {
            "type": ["string", "null"],
            "enum": [
                "none",
                "draft",
                "submitted",
                "returned",
                "approved",
                "approved_revising",
                None,
            ],
            "description": "For a single-year row; null when the row spans several years. "
            "approved_revising: a version was approved and a newer one is being revised (the "
            "year counts as approved).",
        },
        "approved_years": {"type": "integer"},
        "plan_years": {"type": "integer"},
        "required_done": {"type": "integer"},
        "required_total": {"type": "integer"},
        "hours_earned": {
            **_DECIMAL,
            "description": "Tiết earned on the row's days (clock hours converted with the "
            "minutes per tiết in force on each credit's day).",
        },
        "hours_target": {
            **_DECIMAL,
            "description": "Target in tiết for the row's days, prorated by days unless the "
            "rule asks a full year.",
        },
        "target_unit": {"type": ["string", "null"], "enum": ["tiet", "hour", None]},
        "percent": {**_NULLABLE_INT, "description": "Rounded half up."},
        "rule_versions": {
            "type": "string",
            "description": "The rule versions the target came from, e.g. 'CONGCHUC-2025 v1'.",
        },
        "counted_here": {
            "type": "boolean",
            "description": "The row of the person's last day in the agency within the period: "
            "where head counts count them.",
        },
        "courses": {
            "type": "object",
            "properties": {category: {"type": "integer"} for category in CATEGORIES},
        },
        "initiatives": {"type": "integer", "description": "Approved initiatives."},
        "result": {
            "type": ["object", "null"],
            "properties": {
                "passed": {"type": "boolean"},
                "criteria": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "label": {"type": "string"},
                            "passed": {"type": "boolean"},
                            "fact": {"type": "string", "examples": ["38/40 tiết"]},
                        },
                    },
                },
            },
        },
    },
}

_TOTALS = {
    "members": {"type": "integer"},
    "approved": {"type": "integer"},
    "completion_percent": _NULLABLE_INT,
    "hours": _DECIMAL,
    "passing": _NULLABLE_INT,
    "initiatives": {"type": "integer"},
}


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Học tập suốt đời — API báo cáo",
            "version": "1",
            "description": "Read-only rosters and campaign summaries. Every call needs "
            "`Authorization: Bearer <token>`; HCTH staff and administrators create tokens on "
            "the page /account/api-tokens.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "RosterRow": ROSTER_ROW,
                "Error": _ERROR_SCHEMA,
            },
        },
        "paths": {
            "/api/v1/roster": {
                "get": {
                    "summary": "Completion roster (danh sách tổng hợp), one page of rows",
                    "operationId": "roster",
                    "parameters": [
                        *_PERIOD_PARAMETERS,
                        {
                            "name": "criteria",
                            "in": "query",
                            "description": "Criteria set id, or none. Default: the set "
                            "covering the period most tightly.",
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "q",
                            "in": "query",
                            "schema": {"type": "string"},
                            "description": "Search by name, without diacritics.",
                        },
                        {
                            "name": "page",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "default": 1},
                        },
                        {
                            "name": "per_page",
                            "in": "query",
                            "schema": {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": 1000,
                                "default": 100,
                            },
                        },
                    ],  # fmt: skip
                    "responses": {
                        "200": {
                            "description": "Rows in the order of the roster page.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "period": {"type": "object"},
                                            "unit": {"type": "string"},
                                            "agency": {"type": "string"},
                                            "criteria": {"type": ["object", "null"]},
                                            "total": {"type": "integer"},
                                            "page": {"type": "integer"},
                                            "per_page": {"type": "integer"},
                                            "rows": {
                                                "type": "array",
                                                "items": {"$ref": "#/components/schemas/RosterRow"},
                                            },
                                        },
                                    }
                                }
                            },
                        },
                        "400": _ERROR,
                        "401": _ERROR,
                        "404": _ERROR,
                    },
                }
            },
            "/api/v1/summary": {
                "get": {
                    "summary": "Campaign summary (sơ kết / tổng kết) per year and unit",
                    "operationId": "summary",
                    "parameters": _PERIOD_PARAMETERS,
                    "responses": {
                        "200": {
                            "description": "Totals per year, then per unit and year.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "period": {"type": "object"},
                                            "unit": {"type": "string"},
                                            "agency": {"type": "string"},
                                            "years": {
                                                "type": "array",
                                                "items": {
                                                    "type": "object",
                                                    "properties": {
                                                        "year": {"type": "integer"},
                                                        "criteria": {"type": ["string", "null"]},
                                                        **_TOTALS,
                                                    },
                                                },
                                            },
                                            "units": {
                                                "type": "array",
                                                "items": {
                                                    "type": "object",
                                                    "properties": {
                                                        "year": {"type": "integer"},
                                                        "unit": _UNIT,
                                                        **_TOTALS,
                                                    },
                                                },
                                            },
                                        },
                                    }
                                }
                            },
                        },
                        "400": _ERROR,
                        "401": _ERROR,
                        "404": _ERROR,
                    },
                }
            },
        },
    }
