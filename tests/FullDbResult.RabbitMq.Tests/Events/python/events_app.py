"""A Celery app for the event monitor tests: the worker runs with -E, the producer sends task-sent events.
The broker comes from CELERY_BROKER_URL."""
import time

from celery import Celery

app = Celery("events_app")
app.conf.task_ignore_result = True
app.conf.task_send_sent_event = True
app.conf.worker_send_task_events = True


@app.task(name="events.add")
def add(x, y):
    return x + y


@app.task(name="events.fail")
def fail(message):
    raise ValueError(message)


@app.task(name="events.sleep")
def sleep(seconds):
    time.sleep(seconds)
    return seconds
