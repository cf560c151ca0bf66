"""Sends interop.add with 64-bit integer headers, which py-amqp writes with the AMQP tag L, then a plain one:
python3 send_big_header.py QUEUE BIG_ID PLAIN_ID RAW_QUEUE RAW_ID."""
import sys

from interop_app import app

queue, big_id, plain_id, raw_queue, raw_id = sys.argv[1:6]
headers = {"big": 2**40, "nested": {"n": -(2**40), "list": [2**50, 1]}}
app.send_task("interop.add", args=[2, 3], queue=queue, task_id=big_id, headers=headers)
app.send_task("interop.add", args=[4, 5], queue=queue, task_id=plain_id)
app.send_task("interop.add", args=[6, 7], queue=raw_queue, task_id=raw_id, headers=headers)
print("sent")
