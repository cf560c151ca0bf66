import os
from celery import Celery
app = Celery("capapp", broker=os.environ["CELERY_BROKER_URL"])
app.conf.task_ignore_result = True
app.conf.task_send_sent_event = True
app.conf.worker_send_task_events = True

@app.task(name="cap.add")
def add(x, y):
    return x + y

@app.task(name="cap.fail")
def fail(msg):
    raise ValueError(msg)

@app.task(name="cap.retry", bind=True, max_retries=1)
def retry(self):
    raise self.retry(countdown=0.5, exc=KeyError("again"))
