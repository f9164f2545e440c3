"""The progress engine: a dated ledger of credits, and the one place figures are computed.

Every page, file and API that shows tiết, hours, required items, targets or plan approval for a
person, a membership or a unit over some days asks `lms.progress.engine`; nobody re-derives them.
"""

from lms.progress import models  # noqa: F401  (the ledger's table, for create_all and Alembic)
