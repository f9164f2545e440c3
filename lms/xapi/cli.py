"""`flask xapi ...`: send statements to the LRS, or write them to a file."""

from __future__ import annotations

import click

group = click.Group("xapi", help="Bản ghi học tập xAPI gửi đến kho LRS.")
