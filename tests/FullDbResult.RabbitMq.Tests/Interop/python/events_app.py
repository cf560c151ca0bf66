"""A Celery app whose worker (started with -E) sends the events our worker must match; the broker comes from
CELERY_BROKER_URL."""
import os

from celery import Celery
from celery.exceptions import Reject

app = Celery("events_app", broker=os.environ["CELERY_BROKER_URL"])
app.conf.task_ignore_result = True


@app.task(name="events.add")
def add(x, y):
    return x + y


@app.task(name="events.fail")
def fail(text):
    raise ValueError(text)


@app.task(name="events.flaky", bind=True)
def flaky(self, x):
    if self.request.retries == 0:
        raise self.retry(countdown=0, exc=KeyError("not yet"))
    return x


@app.task(name="events.reject")
def reject():
    raise Reject("no thanks", requeue=False)
