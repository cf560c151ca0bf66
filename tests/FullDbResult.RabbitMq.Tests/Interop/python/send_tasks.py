"""Sends interop.add the ways a Python producer does: python3 send_tasks.py QUEUE PLAIN_ID COUNTDOWN_ID EXPIRES_ID."""
import sys

from interop_app import app

queue, plain_id, countdown_id, expires_id = sys.argv[1:5]
app.send_task("interop.add", args=[2, 3], kwargs={"z": 10}, queue=queue, task_id=plain_id)
app.send_task("interop.add", args=[4, 5], queue=queue, task_id=countdown_id, countdown=60)
app.send_task("interop.add", args=[1.5, 2], kwargs={"z": 0.5}, queue=queue, task_id=expires_id, expires=300)
print("sent")
