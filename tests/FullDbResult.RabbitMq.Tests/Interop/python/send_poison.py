"""Publishes one poison message as a Python program would: python3 send_poison.py QUEUE KIND TASK_ID.

KIND is two-element-body (Celery's headers, a body of [args, kwargs] only) or no-content-type (Celery's
headers and body, no content_type property). py-amqp writes the message itself, so nothing fills the gaps.
"""
import json
import sys

import amqp

from interop_app import app

queue, kind, task_id = sys.argv[1:4]
message = app.amqp.as_task_v2(task_id, "demo.add", args=[1, 2], kwargs={})
headers = dict(message.headers)
args, kwargs, embed = message.body
if kind == "two-element-body":
    body, properties = json.dumps([args, kwargs]), {"content_type": "application/json", "content_encoding": "utf-8"}
elif kind == "no-content-type":
    body, properties = json.dumps([args, kwargs, embed]), {}
else:
    raise SystemExit(f"unknown kind {kind}")

with app.connection_for_write() as connection:
    channel = connection.default_channel
    channel.basic_publish(
        amqp.Message(body.encode("utf-8"), application_headers=headers, correlation_id=task_id, delivery_mode=2, **properties),
        exchange="", routing_key=queue)
print("sent")
