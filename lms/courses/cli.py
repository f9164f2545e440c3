"""`flask courses check|import [PATH]`: course folders from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from lms.courses import checker, importer
from lms.db import db
from lms.i18n import gettext as _

courses = AppGroup("courses", help="Nội dung khóa học: kiểm tra và nhập.")
# Below this many lessons and media files an import is quick enough without a progress bar.
PROGRESS_THRESHOLD = 50


def _default_path() -> Path:
    return Path(
        current_app.config.get("COURSES_DIR") or Path(current_app.root_path).parent / "courses"
    )


def _check(path: Path | None) -> checker.CheckReport:
    path = path or _default_path()
    if not path.is_dir():
        raise click.ClickException(_("Không tìm thấy thư mục “%(path)s”.", path=path))
    sources, is_collection = checker.load_folder(path)
    return checker.check_courses(sources, is_collection=is_collection)


def _print_problems(report: checker.CheckReport) -> None:
    for problem in report.problems:
        click.echo(str(problem), err=True)


def _counts(report: checker.CheckReport) -> str:
    return _(
        "%(courses)d khóa học, %(lessons)d bài học: %(errors)d lỗi, %(warnings)d cảnh báo.",
        courses=report.course_count,
        lessons=report.lesson_count,
        errors=len(report.errors),
        warnings=len(report.warnings),
    )


path_argument = click.argument(
    "path",
    required=False,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)


@courses.command("check")
@path_argument
@click.pass_context
def check_command(ctx: click.Context, path: Path | None) -> None:
    """Kiểm tra một khóa học hoặc thư mục các khóa học (mặc định: courses/)."""
    report = _check(path)
    _print_problems(report)
    click.echo(_("Đã kiểm tra %(summary)s", summary=_counts(report)))
    if report.errors:
        ctx.exit(1)


@courses.command("import")
@path_argument
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra và đếm, không lưu gì.")
@click.pass_context
def import_command(ctx: click.Context, path: Path | None, dry_run: bool) -> None:
    """Kiểm tra rồi nhập khóa học: tất cả hoặc không gì cả."""
    report = _check(path)
    _print_problems(report)
    if report.errors:
        click.echo(_("Không nhập gì: có %(n)d lỗi.", n=len(report.errors)), err=True)
        ctx.exit(1)
    steps = importer.work_count(report)
    try:
        if steps >= PROGRESS_THRESHOLD:
            with click.progressbar(length=steps, label=_("Đang nhập"), show_pos=True) as bar:
                summary = importer.import_courses(
                    report, retire_missing=report.is_collection, advance=bar.update
                )
        else:
            summary = importer.import_courses(report, retire_missing=report.is_collection)
    except Exception:
        db.session.rollback()
        raise
    if dry_run:
        db.session.rollback()
        click.echo(_("Chỉ kiểm tra, chưa lưu gì. Nếu nhập: %(summary)s", summary=summary))
        return
    db.session.commit()
    click.echo(str(summary))
