"""Sends fixture.add(2, 3) to the queue named on the command line and prints the result."""
import sys

from fixture_app import app

print(app.send_task("fixture.add", args=[2, 3], queue=sys.argv[1]).get(timeout=30))
