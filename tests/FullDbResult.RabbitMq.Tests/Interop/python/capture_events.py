"""Prints every message on Celery's celeryev exchange as one JSON line: routing, properties, headers and body,
as a worker sent them. python3 capture_events.py SECONDS. Binds its own auto-delete queue to celeryev with '#'
and prints "ready" first."""
import json
import os
import sys
import time

from kombu import Connection, Exchange, Queue

seconds = float(sys.argv[1])
exchange = Exchange("celeryev", type="topic")
with Connection(os.environ["CELERY_BROKER_URL"]) as connection:
    queue = Queue("capture.%d" % os.getpid(), exchange, routing_key="#", auto_delete=True, durable=False)

    def on_message(body, message):
        print(json.dumps({
            "delivery_info": {"exchange": message.delivery_info.get("exchange"), "routing_key": message.delivery_info.get("routing_key")},
            "properties": {k: v for k, v in message.properties.items() if k != "application_headers"},
            "headers": message.headers,
            "body": json.loads(message.body),
        }), flush=True)
        message.ack()

    with connection.Consumer(queue, callbacks=[on_message], accept=["json"]):
        print("ready", flush=True)
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                connection.drain_events(timeout=0.5)
            except TimeoutError:
                pass
            except OSError:
                pass
