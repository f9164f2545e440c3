"""The WSGI entry point: `gunicorn wsgi:app`."""

import gc

from lms import create_app

app = create_app()
# Everything built so far (modules, the app, table metadata) lives as long as the process: kept
# out of the garbage collector's full passes, which otherwise walk it again every few requests.
gc.freeze()
