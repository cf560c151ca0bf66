"""The Celery side of the worker benchmarks: one trivial task, and the result backend from BENCH_RESULT_BACKEND (none if unset)."""
import os

from celery import Celery

app = Celery("bench_tasks", broker=os.environ["CELERY_BROKER_URL"])
app.conf.result_backend = os.environ.get("BENCH_RESULT_BACKEND") or None


@app.task(name="bench.noop")
def noop(*args, **kwargs):
    return None
