"""A Celery app for the remote-control tests; the broker comes from CELERY_BROKER_URL. control.sleep writes a
file when it starts (so a test knows it runs) and another when it finishes (so a test knows it was not stopped)."""
import os
import time

from celery import Celery

app = Celery("control_app")
app.conf.task_ignore_result = True


@app.task(name="control.sleep")
def sleep(seconds, marker=None):
    if marker:
        open(marker + ".started", "w").close()
    time.sleep(seconds)
    if marker:
        open(marker + ".finished", "w").close()
    return seconds
