"""Starts workflows the way a Python producer does: python3 send_workflows.py CASE PY_QUEUE NET_QUEUE.
Prints the ids it fixed, as JSON.
  chain:       chain(py.add(1, 2), net.add(3), py.add(4)): Python, then .NET, then Python
  retry_link:  net.flaky('k') linked to py.add(100): a callback after a .NET task that retries"""
import json
import sys

from celery import chain

from workflow_app import add, app

case, py_queue, net_queue = sys.argv[1:4]
if case == "chain":
    workflow = chain(add.s(1, 2).set(queue=py_queue),
                     app.signature("net.add", args=[3], queue=net_queue),
                     add.s(4).set(queue=py_queue))
    result = workflow.apply_async()
    ids = []
    node = result
    while node is not None:
        ids.insert(0, node.id)
        node = node.parent
    print(json.dumps(ids))
elif case == "retry_link":
    flaky = app.signature("net.flaky", args=["k"], queue=net_queue)
    flaky.link(add.s(100).set(queue=py_queue))
    print(json.dumps([flaky.apply_async().id]))
else:
    sys.exit(f"unknown case {case}")
