"""Sends events.add as a Python producer does, task-sent event included: python3 send_events_tasks.py QUEUE TASK_ID."""
import sys

from events_app import app

queue, task_id = sys.argv[1:3]
app.send_task("events.add", args=[20, 22], queue=queue, task_id=task_id)
print("sent")
