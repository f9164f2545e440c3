"""The WSGI entry point: `gunicorn wsgi:app` (and the `flask --app wsgi` commands)."""

import gc

# Building the app allocates a few hundred thousand objects that live as long as the process
# (modules, mapped classes, compiled templates and statements): the collector's passes while it
# is built find almost nothing to free and cost about a third of a command's start. Paused
# until the app is built, then frozen: kept out of later full passes too. (Not through
# lms.bulk.collector_paused, whose import would build most of the app before the pause.)
_collecting = gc.isenabled()
gc.disable()
try:
    from lms import create_app

    app = create_app()
    gc.freeze()
finally:
    if _collecting:
        gc.enable()
