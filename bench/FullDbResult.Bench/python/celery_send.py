"""Times Celery's send_task (untracked, no confirms): python3 celery_send.py BROKER QUEUE COUNT RUNS.

Prints one rate (messages a second) per run, one a line.
"""
import sys
import time

from celery import Celery

broker, queue, count, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
app = Celery("bench", broker=broker)
# Warm the connection and the queue declaration so the first run does not pay for them.
app.send_task("bench.noop", args=[0, "payload"], queue=queue)
for _ in range(runs):
    start = time.perf_counter()
    for i in range(count):
        app.send_task("bench.noop", args=[i, "payload"], kwargs={"report": "daily"}, queue=queue)
    print(count / (time.perf_counter() - start), flush=True)
