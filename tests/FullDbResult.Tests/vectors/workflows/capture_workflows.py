"""Captures what Celery 5.2 sends for workflows, as test vectors: python3 capture_workflows.py OUTDIR.
Needs CELERY_BROKER_URL (a private RabbitMQ) and a worker of capture_app on queue WORK_QUEUE (for the
messages a worker sends: callbacks, errbacks, the next chain step, retries)."""
import base64
import json
import os
import sys
import time

from celery import chain, chord, group
from kombu import Connection

from capture_app import app, add, fail, retry

out = sys.argv[1]
capture, work = os.environ["CAPTURE_QUEUE"], os.environ["WORK_QUEUE"]
conn = Connection(os.environ["CELERY_BROKER_URL"])
channel = conn.channel()
channel.queue_declare(capture, durable=True, auto_delete=False)


def read(count, timeout=20):
    messages, deadline = [], time.time() + timeout
    while len(messages) < count and time.time() < deadline:
        m = channel.basic_get(capture, no_ack=True)
        if m is None:
            time.sleep(0.05)
            continue
        body = m.body.encode("utf-8") if isinstance(m.body, str) else bytes(m.body)
        messages.append({
            "delivery_info": {k: m.delivery_info[k] for k in ("exchange", "routing_key", "redelivered")},
            "properties": {k: v for k, v in m.properties.items() if k != "application_headers"},
            "headers": m.headers,
            "header_types": {k: type(v).__name__ for k, v in m.headers.items()},
            "body_utf8": body.decode("utf-8"),
            "body_b64": base64.b64encode(body).decode("ascii"),
            "body_decoded": json.loads(body),
        })
    assert len(messages) == count, f"wanted {count} messages, got {len(messages)}"
    return messages


def save(name, call, count, sent_by, note):
    with open(os.path.join(out, name + ".json"), "w", encoding="utf-8") as f:
        json.dump({"call": call, "sent_by": sent_by, "note": note, "messages": read(count)}, f, indent=2, sort_keys=True)
        f.write("\n")
    print("saved", name)


c = dict(queue=capture)
w = dict(queue=work)


def linked(sig, callback=None, errback=None):
    # Signature.link returns the callback, not the signature it is linked to.
    if callback is not None:
        sig.link(callback)
    if errback is not None:
        sig.link_error(errback)
    return sig


linked(add.s(2, 3).set(**c), add.s(10).set(**c), fail.si(0).set(**c)).apply_async(task_id="link-producer")
save("link_producer", "add.s(2, 3).link(add.s(10)).link_error(fail.si(0)).apply_async()", 1, "producer",
     "callbacks and errbacks ride in the body's third element as signature dicts")

linked(add.s(2, 3).set(**w), add.s(10).set(**c)).apply_async(task_id="link-worker-parent")
save("link_callback_from_worker", "add.s(2, 3).link(add.s(10)) run by a worker", 1, "worker",
     "after SUCCESS the worker sends the callback with the result prepended to its args; parent_id = the task, root_id = its root")

linked(fail.s(7).set(**w), errback=app.signature("wf.elsewhere", args=[100], queue=capture)).apply_async(task_id="errback-worker-parent")
save("link_error_from_worker", "fail.s(7).link_error(signature('wf.elsewhere', args=[100])) run by a worker that lacks wf.elsewhere", 1, "worker",
     "after FAILURE an errback that the worker cannot call in-process (not registered there, or one argument: the old style) is sent as a task with the failed task's id prepended; a registered errback taking (request, exc, traceback) is called in the worker instead")

chain(add.s(1, 2).set(**c), add.s(3).set(**c), add.s(4).set(**c)).apply_async(task_id="chain-first")
save("chain_producer", "chain(add.s(1, 2), add.s(3), add.s(4)).apply_async()", 1, "producer",
     "the first step carries the rest of the chain in reverse order: the worker pops the next step from the end")

chain(add.s(1, 2).set(**w), add.s(3).set(**c), add.s(4).set(**c)).apply_async(task_id="chain-worker-first")
save("chain_next_from_worker", "chain(add.s(1, 2), add.s(3), add.s(4)) first step run by a worker", 1, "worker",
     "the worker sends the next step with the result prepended and the remaining chain")

group(add.s(1, 1).set(**c), add.s(2, 2).set(**c)).apply_async(task_id="group-id")
save("group_producer", "group(add.s(1, 1), add.s(2, 2)).apply_async()", 2, "producer",
     "members carry headers group (the group id) and group_index")

chord([add.s(1, 1).set(**c), add.s(2, 2).set(**c)], add.s(100).set(**c)).apply_async(task_id="chord-body")
save("chord_producer", "chord([add.s(1, 1), add.s(2, 2)], add.s(100)).apply_async() with a native-join backend (cache)", 2, "producer",
     "each member carries the callback in the body's chord element, with group and group_index headers")

retry.s(5).set(**w).apply_async(task_id="retry-countdown")
save("retry_countdown_from_worker", "self.retry(exc=KeyError(5), countdown=60) run by a worker", 1, "worker",
     "a retry is the same task id with retries + 1 and an eta")

add.s(1, 2).set(time_limit=30, soft_time_limit=10, **c).apply_async(task_id="timelimit")
save("timelimit_producer", "add.s(1, 2).set(time_limit=30, soft_time_limit=10).apply_async()", 1, "producer",
     "header timelimit is [hard, soft]")
