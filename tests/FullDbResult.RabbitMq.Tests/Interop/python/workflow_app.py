"""A Celery app for the mixed workflow tests: py.add records what it ran (its id, lineage, args and result)
as a JSON line in WORKFLOW_RECORD, since a Python worker writes nothing to our store. No result backend:
callbacks and chain steps need none."""
import json
import os

from celery import Celery

app = Celery("workflow_app")
app.conf.task_ignore_result = True


@app.task(name="py.add", bind=True)
def add(self, x, y):
    result = x + y
    with open(os.environ["WORKFLOW_RECORD"], "a", encoding="utf-8") as f:
        f.write(json.dumps({"id": self.request.id, "parent_id": self.request.parent_id, "root_id": self.request.root_id,
                            "group": self.request.group, "args": [x, y], "result": result}) + "\n")
    return result
