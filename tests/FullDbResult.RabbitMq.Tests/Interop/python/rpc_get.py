"""Calls tasks through Celery's rpc:// result backend, as Python code that waits for results does, and prints
one JSON line per call: what AsyncResult.get() returned or raised, and every state the backend delivered.
python3 rpc_get.py QUEUE TASK ARGS_JSON OPTIONS_JSON [TASK ARGS_JSON OPTIONS_JSON ...], the options being
send_task's keyword arguments (countdown, ...)."""
import json
import os
import sys

from celery import Celery

app = Celery("rpc_get", broker=os.environ["CELERY_BROKER_URL"], backend="rpc://")
queue, calls = sys.argv[1], sys.argv[2:]

for name, args, options in zip(calls[::3], calls[1::3], calls[2::3]):
    result = app.send_task(name, args=json.loads(args), queue=queue, **json.loads(options))
    seen = []
    outcome = {"id": result.id}
    try:
        outcome["value"] = result.get(timeout=30, on_message=lambda meta: seen.append(meta["status"]))
    except Exception as e:  # noqa: the test reads what Celery raised
        outcome.update(error=type(e).__name__, module=type(e).__module__, args=[str(a) for a in e.args])
    outcome["states"] = seen
    print(json.dumps(outcome), flush=True)
