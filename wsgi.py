"""The WSGI entry point: `gunicorn wsgi:app` (and the `flask --app wsgi` commands)."""

import gc

# Building the app allocates a few hundred thousand objects that live as long as the process
# (modules, mapped classes, compiled templates and statements): the collector's passes while it
# is built find almost nothing to free and cost about an eighth of the start (every command,
# every worker). Paused until the app is built, then frozen: kept out of later full passes too.
gc.disable()
try:
    from lms import create_app

    app = create_app()
finally:
    gc.freeze()
    gc.enable()
