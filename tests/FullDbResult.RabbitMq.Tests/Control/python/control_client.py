"""Celery's remote control from Python, printed as JSON: python3 control_client.py COMMAND WORKER [TASK_ID [SIGNAL]].

COMMAND is ping, active, registered, active_queues (app.control.inspect(destination=[WORKER])), revoke or
terminate (app.control.revoke(TASK_ID, terminate=..., signal=SIGNAL, destination=[WORKER], reply=True))."""
import json
import sys

from control_app import app

command, worker = sys.argv[1:3]
if command in ("revoke", "terminate"):
    task_id = sys.argv[3]
    signal = sys.argv[4] if len(sys.argv) > 4 else "SIGTERM"
    result = app.control.revoke(task_id, terminate=command == "terminate", signal=signal,
                                destination=[worker], reply=True, timeout=5)
else:
    result = getattr(app.control.inspect(destination=[worker], timeout=5), command)()
print(json.dumps(result))
