"""Ralph's LRS app with its file-system backend appending each POST to its file; run by
uvicorn in .venv-ralph (`ralph_app:app`), never imported by the tests themselves.

Ralph 5.1.0's fs LRS backend writes every POST with the operation CREATE, which refuses a file
that exists: the first POST creates fs_lrs.jsonl and each later one fails with 500 "Statements
bulk indexation failed" (its log: "fs_lrs.jsonl already exists and overwrite is not allowed").
APPEND is the operation that backend has for adding records to its file.
"""

from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

from ralph.api import app  # noqa: E402  (after the patch: the app builds its backend on import)

__all__ = ["app"]
