# The main job, step by step, on the embedded SQLite store. walkthrough.sh builds the module, starts a private
# RabbitMQ and the sample worker (demo.add, demo.fail, demo.sleep), sets FULLDBRESULT_BROKER_URL and runs this
# with `dotnet pwsh`; run it the same way against your own broker and worker.
#Requires -Version 7.4
$ErrorActionPreference = 'Stop'
Import-Module FullDbResult

function Step($text) { Write-Host "`n== $text" -ForegroundColor Cyan }

# Task ids are UUIDs: their first eight characters tell these apart and keep the tables narrow enough to show
# the lineage columns in an 80-column log.
function Short([string] $id) { if ($id) { $id.Substring(0, [Math]::Min(8, $id.Length)) } }
$taskId = @{ Name = 'TaskId'; Expression = { Short $_.TaskId } }
$retriedFrom = @{ Name = 'RetriedFrom'; Expression = { Short $_.RetriedFrom } }
$retriedAs = @{ Name = 'RetriedAs'; Expression = { Short $_.RetriedAs } }

Step 'Send three tasks to the worker, one that fails, one due in five seconds, and one to a queue nobody reads'
$sent = @(
    1..3 | ForEach-Object { Send-Task demo.add $_, 10 }
    Send-Task demo.fail '["on purpose"]'
    Send-Task demo.add '[100, 1]' -Countdown (New-TimeSpan -Seconds 5)   # stored SCHEDULED, not published
    Send-Task demo.add '[7, 7]' -Queue nobody-reads-this                  # published, never run: stays PENDING
)
$sent | Format-Table $taskId, TaskName, Status, Args, RoutingKey -AutoSize
Start-Sleep -Seconds 3

Step 'What the store knows now'
Get-TaskResult | Format-Table $taskId, TaskName, Status, Args, Result, Worker -AutoSize

Step 'Stale tasks: not finished, and unchanged for more than two seconds'
$stale = Get-StaleTask -OlderThan (New-TimeSpan -Seconds 2)
$stale | Format-Table $taskId, TaskName, Status, RoutingKey, DateUpdated -AutoSize

Step 'Retry them on the default routing (the celery queue), where the worker listens'
$stale | Invoke-TaskRetry -DefaultRouting -Confirm:$false | Format-Table $taskId, TaskName, Status, $retriedFrom -AutoSize

Step 'Retrying the stale tasks again sends nothing: each was claimed once, and a retried task is not stale again'
"sent again: $(@(Get-StaleTask -OlderThan (New-TimeSpan -Seconds 2) | Invoke-TaskRetry -DefaultRouting -Confirm:$false).Count)"

Step 'Wait for the scheduled task to come due, then dispatch it'
Start-Sleep -Seconds 4
Invoke-ScheduledDispatch | Format-List
Start-Sleep -Seconds 2

Step 'Everything, newest first: each retried or dispatched task points to the task that replaced it (RetriedAs), and back (RetriedFrom)'
Get-TaskResult | Format-Table $taskId, TaskName, Status, $retriedFrom, $retriedAs, Args, Result -AutoSize

Step 'The lineage, checked: each task points to its replacement, which points back'
$all = @(Get-TaskResult)
$replaced = @($all | Where-Object RetriedAs)
foreach ($old in $replaced) {
    $new = $all | Where-Object TaskId -EQ $old.RetriedAs
    if ($new.RetriedFrom -ne $old.TaskId) { throw "Task $($old.TaskId) was replaced by $($old.RetriedAs), which does not point back." }
    '{0} {1,-14} -> {2} {3}' -f (Short $old.TaskId), $old.Status, (Short $new.TaskId), $new.Status
}
# The stale task retried by hand, and the scheduled task the dispatcher sent under a new id.
if ($replaced.Count -ne 2) { throw "Expected two replaced tasks, found $($replaced.Count)." }

Step 'A check a Pester test can assert on'
Test-TaskQueue | Format-List
