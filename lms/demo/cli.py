"""`flask demo ...` commands (being written)."""

import click

demo = click.Group("demo", help="Dữ liệu mẫu.")
