"""Celery 5.2 on quorum queues, configured as docs/cluster.md says: the broker from CELERY_BROKER_URL, the
queue from CELERY_QUORUM_QUEUE, declared with the same arguments as FullDbResult's QueueDeclarations
(DefaultType=Quorum, DeliveryLimit=100, DeadLetterSuffix=".dead_letter")."""
import os

from celery import Celery
from kombu import Queue
from kombu.transport import pyamqp

# Celery 5.2 sets its prefetch with global QoS on RabbitMQ >= 3.3, which quorum queues refuse
# (NOT_IMPLEMENTED on basic.consume). Celery 5.3 has worker_detect_quorum_queues; on 5.2 the transport
# must report that RabbitMQ's QoS follows the spec, so that the prefetch is per consumer.
# CELERY_QUORUM_GLOBAL_QOS=1 leaves Celery as it is, to show what happens without this.
if os.environ.get("CELERY_QUORUM_GLOBAL_QOS") != "1":
    pyamqp.Transport.qos_semantics_matches_spec = lambda self, connection: True

QUEUE = os.environ["CELERY_QUORUM_QUEUE"]

app = Celery("quorum_app")
app.conf.task_ignore_result = True
app.conf.task_default_queue = QUEUE
app.conf.task_queues = [
    Queue(QUEUE, routing_key=QUEUE, queue_arguments={
        "x-queue-type": "quorum",
        "x-delivery-limit": 100,
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": QUEUE + ".dead_letter",
    }),
]


@app.task(name="quorum.write")
def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path
