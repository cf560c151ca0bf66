# The main job, step by step, on the embedded SQLite store. walkthrough.sh starts a private RabbitMQ and the
# sample worker (demo.add, demo.fail, demo.sleep) and sets FULLDBRESULT_BROKER_URL; with pwsh, run it the same
# way against your own broker and worker.

function Step($text) { Write-Host "`n== $text" -ForegroundColor Cyan }

Step 'Send three tasks to the worker, one that fails, one due in five seconds, and one to a queue nobody reads'
$sent = @(
    1..3 | ForEach-Object { Send-Task demo.add $_, 10 }
    Send-Task demo.fail '["on purpose"]'
    Send-Task demo.add '[100, 1]' -Countdown (New-TimeSpan -Seconds 5)   # stored SCHEDULED, not published
    Send-Task demo.add '[7, 7]' -Queue nobody-reads-this                  # published, never run: stays PENDING
)
$sent | Format-Table TaskId, TaskName, Status, Args, RoutingKey -AutoSize
Start-Sleep -Seconds 3

Step 'What the store knows now'
Get-TaskResult | Format-Table TaskId, TaskName, Status, Args, Result, Worker -AutoSize

Step 'Stale tasks: not finished, and unchanged for more than two seconds'
$stale = Get-StaleTask -OlderThan (New-TimeSpan -Seconds 2)
$stale | Format-Table TaskId, TaskName, Status, RoutingKey, DateUpdated -AutoSize

Step 'Retry them on the default routing (the celery queue), where the worker listens'
$stale | Invoke-TaskRetry -DefaultRouting -Confirm:$false | Format-Table TaskId, TaskName, Status, RetriedFrom -AutoSize

Step 'Retrying the same stale tasks again sends nothing: each was claimed once'
@(Get-StaleTask -OlderThan (New-TimeSpan -Seconds 2)).Count

Step 'Wait for the scheduled task to come due, then dispatch it'
Start-Sleep -Seconds 4
Invoke-ScheduledDispatch | Format-List
Start-Sleep -Seconds 2

Step 'Everything, newest first'
Get-TaskResult | Format-Table TaskId, TaskName, Status, Result, RetriedAs -AutoSize

Step 'A check a Pester test can assert on'
Test-TaskQueue | Format-List
