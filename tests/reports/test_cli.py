"""`flask reports roster`: the same bytes as the page's downloads, and clear refusals."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook


def xlsx_values(data: bytes) -> list[list]:
    return [list(row) for row in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]


def test_cli_files_equal_page_downloads(agency, client, login, runner, tmp_path):
    login("tonghop")
    query = "from=2024-01-01&to=2024-12-31"
    for wanted in ("csv", "xlsx", "html"):
        output = tmp_path / f"roster.{wanted}"
        result = runner.invoke(
            args=["reports", "roster", "--from", "2024-01-01", "--to", "2024-12-31",
                  "--unit", "BDT", "--format", wanted, "--output", str(output)]
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "4" in result.output
        page = client.get(f"/reports/roster?{query}&unit={agency.agency.id}&format={wanted}")
        if wanted == "xlsx":
            assert xlsx_values(output.read_bytes()) == xlsx_values(page.get_data())
        else:
            assert output.read_bytes() == page.get_data()
    data = (tmp_path / "roster.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert len(list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))) == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2024-12-31", "--to", "2024-01-01"], "Ngày kết thúc phải sau ngày bắt đầu."),
        (["--from", "2024-01-01", "--to", "2024-12-31", "--unit", "KHONG"], "Không có đơn vị mã"),
        (["--from", "2024-01-01", "--to", "2024-12-31", "--format", "pdf"], "Định dạng tải về"),
    ],
)
def test_cli_refuses_bad_input(agency, runner, tmp_path, args, message):
    output = tmp_path / "out.xlsx"
    result = runner.invoke(args=["reports", "roster", *args, "--output", str(output)])
    assert result.exit_code == 1
    assert message in result.output
    assert not output.exists()
