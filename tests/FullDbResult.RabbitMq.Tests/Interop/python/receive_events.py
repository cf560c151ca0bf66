"""Celery's own event receiver and state, as `celery events` and Flower use them: prints "ready" once its queue
is bound, then one JSON line per event it delivers, and when a worker whose sw_ident is STOP_IDENT goes offline
(or after SECONDS), the State's view of every task and worker. python3 receive_events.py SECONDS STOP_IDENT"""
import json
import os
import sys
import time

from celery import Celery

seconds, stop_ident = float(sys.argv[1]), sys.argv[2]
app = Celery("receive_events", broker=os.environ["CELERY_BROKER_URL"])
state = app.events.State()
deadline = time.time() + seconds

with app.connection() as connection:
    def on_event(event):
        state.event(event)
        print(json.dumps({"event": event}), flush=True)
        if (event["type"] == "worker-offline" and event.get("sw_ident") == stop_ident) or time.time() > deadline:
            receiver.should_stop = True

    receiver = app.events.Receiver(connection, handlers={"*": on_event})
    receiver.on_consume_ready = lambda *args, **kwargs: print("ready", flush=True)
    for _ in receiver.itercapture(limit=None, timeout=seconds, wakeup=False):
        if time.time() > deadline:
            break

print(json.dumps({"state": {
    "tasks": {uuid: {"state": task.state, "name": task.name, "result": task.result, "exception": task.exception,
                     "retries": task.retries, "worker": task.worker.hostname if task.worker else None}
              for uuid, task in state.tasks.items()},
    "workers": {hostname: {"alive": worker.alive, "processed": worker.processed, "sw_ident": worker.sw_ident}
                for hostname, worker in state.workers.items()},
}}), flush=True)
