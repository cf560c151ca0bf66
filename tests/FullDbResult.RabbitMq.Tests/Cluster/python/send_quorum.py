"""Sends quorum.add to the quorum queue the way a Python producer does: python3 send_quorum.py TASK_ID."""
import sys

from quorum_app import app

app.send_task("quorum.add", args=[2, 3], task_id=sys.argv[1])
print("sent")
