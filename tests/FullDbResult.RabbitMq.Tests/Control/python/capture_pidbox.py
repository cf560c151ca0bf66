"""Records what Celery 5.2 publishes for remote control, for the test vectors under
tests/FullDbResult.Tests/vectors/pidbox/: python3 capture_pidbox.py OUT_DIR (broker from CELERY_BROKER_URL).

Needs the broker's firehose on (rabbitmqctl trace_on) and a Celery worker of control_app consuming queue
`capture` as capture@vm. Each published message on celery.pidbox or reply.celery.pidbox is read from the
firehose (amq.rabbitmq.trace) with its exchange, routing key, properties, headers and exact body bytes."""
import base64
import json
import os
import subprocess
import sys
import threading
import time
import uuid

import amqp

from control_app import app

out_dir = sys.argv[1]
url = os.environ["CELERY_BROKER_URL"]
records = []


def firehose(stop):
    conn = amqp.Connection(url.split("//", 1)[1].split("@", 1)[1].rstrip("/"),
                           userid="guest", password="guest")
    conn.connect()
    ch = conn.channel()
    q, _, _ = ch.queue_declare("", exclusive=True)
    ch.queue_bind(q, "amq.rabbitmq.trace", "publish.celery.pidbox")
    ch.queue_bind(q, "amq.rabbitmq.trace", "publish.reply.celery.pidbox")

    def on(msg):
        h = msg.headers
        props = dict(h.get("properties") or {})
        inner_headers = props.pop("headers", {}) or {}
        records.append({
            "exchange": h["exchange_name"],
            "routing_key": h["routing_keys"][0],
            "properties": props,
            "headers": inner_headers,
            "header_types": {k: type(v).__name__ for k, v in inner_headers.items()},
            "body_b64": base64.b64encode(msg.body if isinstance(msg.body, bytes) else msg.body.encode()).decode(),
            "body_decoded": json.loads(msg.body),
        })
    ch.basic_consume(q, callback=on, no_ack=True)
    ready.set()
    while not stop.is_set():
        try:
            conn.drain_events(timeout=0.2)
        except Exception:
            pass
    conn.close()


def celery(*args):
    cmd = ["/usr/bin/python3", "-m", "celery", "-A", "control_app"] + list(args)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    return r.stdout + r.stderr


def capture(name, call, action):
    records.clear()
    output = action()
    time.sleep(1.0)
    sent = [r for r in records if r["exchange"] == "celery.pidbox"]
    replies = [r for r in records if r["exchange"] == "reply.celery.pidbox"]
    with open(os.path.join(out_dir, name + ".json"), "w") as f:
        json.dump({"call": call, "output": output, "command": sent, "replies": replies}, f, indent=1, sort_keys=True)
        f.write("\n")
    print(name, len(sent), len(replies))


ready = threading.Event()
stop = threading.Event()
t = threading.Thread(target=firehose, args=(stop,))
t.start()
ready.wait()
time.sleep(0.5)

capture("inspect_ping", "celery -A control_app inspect ping", lambda: celery("inspect", "ping"))
capture("inspect_registered", "celery -A control_app inspect registered", lambda: celery("inspect", "registered"))
running = str(uuid.uuid4())
app.send_task("control.sleep", args=[30], queue="capture", task_id=running)
time.sleep(1.5)
capture("inspect_active", "celery -A control_app inspect active (control.sleep running)", lambda: celery("inspect", "active"))
capture("inspect_active_queues", "celery -A control_app inspect active_queues", lambda: celery("inspect", "active_queues"))
capture("control_terminate", "celery -A control_app control terminate SIGTERM ID (ID running)",
        lambda: celery("control", "terminate", "SIGTERM", running))
queued = str(uuid.uuid4())
capture("control_revoke", "celery -A control_app control revoke ID (ID unknown to the worker)",
        lambda: celery("control", "revoke", queued))
capture("app_control_revoke", "app.control.revoke(ID) (no reply asked)",
        lambda: str(app.control.revoke(queued)))
running2 = str(uuid.uuid4())
app.send_task("control.sleep", args=[30], queue="capture", task_id=running2)
time.sleep(1.5)
capture("app_control_revoke_terminate_sigkill", "app.control.revoke(ID, terminate=True, signal='SIGKILL', reply=True)",
        lambda: str(app.control.revoke(running2, terminate=True, signal="SIGKILL", reply=True)))
capture("app_inspect_ping_destination", "app.control.inspect(destination=['capture@vm'], timeout=1).ping()",
        lambda: str(app.control.inspect(destination=["capture@vm"], timeout=1).ping()))
stop.set()
t.join()
