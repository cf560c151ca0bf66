"""Sends one of each task the event tests watch: python3 send_event_tasks.py QUEUE, printing their ids as JSON."""
import json
import sys

from events_app import app

queue = sys.argv[1]
ids = {}
for name, args in [("events.add", [2, 3]), ("events.fail", ["boom"]), ("events.flaky", [7]), ("events.reject", [])]:
    ids[name] = app.send_task(name, args=args, queue=queue).id
ids["expired"] = app.send_task("events.add", args=[1, 1], queue=queue, expires=-1).id
print(json.dumps(ids))
