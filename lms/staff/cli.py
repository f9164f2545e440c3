"""`flask people ...` commands (being written)."""

import click

people = click.Group("people", help="Nhân sự: nhập danh sách.")
