"""A minimal Celery app for the fixture tests; the broker comes from CELERY_BROKER_URL."""
from celery import Celery

app = Celery("fixture_app", backend="rpc://")


@app.task(name="fixture.add")
def add(a, b):
    return a + b
