import base64, json, os, sys
from kombu import Connection, Exchange, Queue
url = os.environ["CELERY_BROKER_URL"]
out = sys.argv[1]
with Connection(url) as conn:
    ch = conn.channel()
    q = Queue("h13m.capture", Exchange("celeryev", type="topic"), routing_key="#", durable=True)
    q = q(ch); q.declare()
    if sys.argv[2] == "declare": sys.exit(0)
    msgs = []
    while True:
        m = q.get(no_ack=True)
        if m is None: break
        msgs.append({"routing_key": m.delivery_info["routing_key"], "exchange": m.delivery_info["exchange"],
                     "content_type": m.content_type, "content_encoding": m.content_encoding,
                     "delivery_mode": m.properties.get("delivery_mode"), "headers": m.headers,
                     "body": base64.b64encode(m.body if isinstance(m.body, bytes) else m.body.encode("utf-8")).decode()})
    json.dump(msgs, open(out, "w"), indent=1)
    print(len(msgs))
