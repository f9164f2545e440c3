"""The WSGI entry point: `gunicorn wsgi:app` (and the `flask --app wsgi` commands)."""

import gc

# Building the app allocates a few hundred thousand objects that live as long as the process
# (modules, mapped classes, compiled templates and statements): the collector's passes while it
# is built find almost nothing to free and cost about a third of a command's start. Paused
# until the app is built, then frozen: kept out of later full passes too. (Not through
# lms.bulk.collector_paused, whose import would build most of the app before the pause.)
#
# Then, for the requests (and the `flask` commands, whose bulk work pauses the collector anyway),
# the youngest generation is collected when 20,000 more objects have been made than freed, rather
# than 700. A page with figures makes tens of thousands of short-lived objects (rows, figures,
# cells), nearly all freed by reference counting; at 700, each pass walked the ones still held
# (the page's rows, until it is written) again and again: 8 % of a dashboard sorted by overdue
# items, 2 % of a unit's roster (`bench/README.md`, 07/12/2026). Cycles are still freed, a few
# megabytes later.
YOUNG_GENERATION = 20_000
_collecting = gc.isenabled()
gc.disable()
try:
    from lms import create_app

    app = create_app()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION, *gc.get_threshold()[1:])
finally:
    if _collecting:
        gc.enable()
