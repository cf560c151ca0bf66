from capapp import app
app.send_task("cap.add", args=[2, 3], task_id="cap-add-1", queue="capq")
app.send_task("cap.fail", args=["boom"], kwargs={}, task_id="cap-fail-1", queue="capq")
app.send_task("cap.retry", task_id="cap-retry-1", queue="capq")
app.send_task("cap.add", args=[1], kwargs={"y": "h\u00e9llo 'q'"}, task_id="cap-add-bad", queue="capq")
print("sent")
