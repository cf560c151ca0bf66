"""A Celery app for the interop tests; the broker comes from CELERY_BROKER_URL."""
from celery import Celery

app = Celery("interop_app")
app.conf.task_ignore_result = True


@app.task(name="interop.write")
def write(path, text, suffix=""):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + suffix)
    return path
