"""The Celery side of the worker benchmarks: one trivial task, and the result backend from BENCH_RESULT_BACKEND (none if unset)."""
import os

from celery import Celery

app = Celery("bench_tasks", broker=os.environ["CELERY_BROKER_URL"])
app.conf.result_backend = os.environ.get("BENCH_RESULT_BACKEND") or None
# The memory benchmark sets 0 (no prefetch limit): at the default, a worker takes in countdown tasks at a few a second.
app.conf.worker_prefetch_multiplier = int(os.environ.get("BENCH_PREFETCH_MULTIPLIER", "4"))


@app.task(name="bench.noop")
def noop(*args, **kwargs):
    return None
