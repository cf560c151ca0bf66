"""A Celery app for the interop tests; the broker comes from CELERY_BROKER_URL, and for amqps:// the
certificate authority to trust from CELERY_BROKER_CA."""
import os
import ssl

from celery import Celery

app = Celery("interop_app")
app.conf.task_ignore_result = True
if os.environ.get("CELERY_BROKER_CA"):
    app.conf.broker_use_ssl = {"ca_certs": os.environ["CELERY_BROKER_CA"], "cert_reqs": ssl.CERT_REQUIRED}


@app.task(name="interop.write")
def write(path, text, suffix=""):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + suffix)
    return path
