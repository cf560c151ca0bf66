"""The Celery app that capture_workflows.py runs a worker of: tasks that succeed, fail and retry, so that the
worker's own sends (callbacks, errbacks, the next chain step, a retry) can be read raw from a capture queue."""
import os

from celery import Celery

app = Celery("capture_app", broker=os.environ["CELERY_BROKER_URL"], backend="cache+memory://")
app.conf.task_track_started = False


@app.task(name="wf.add")
def add(x, y):
    return x + y


@app.task(name="wf.fail")
def fail(x):
    raise ValueError(f"bad {x}")


@app.task(name="wf.retry", bind=True)
def retry(self, x):
    # Routed to the capture queue, which no worker reads, so the retry message can be read raw.
    raise self.retry(exc=KeyError(x), countdown=60, queue=os.environ["CAPTURE_QUEUE"])

