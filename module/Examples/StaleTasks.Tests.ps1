# Ops check: tasks do not hang. Run with Invoke-Pester (Pester 5) on a machine that reaches the task store;
# the store comes from FULLDBRESULT_CONNECTION_STRING, or from Connect-FullDbResult in the same session.
BeforeAll {
    Import-Module FullDbResult
}

Describe 'Tasks finish' {
    It 'no task stale for more than an hour' {
        $stale = @(Get-StaleTask -Hours 1 -First 20)
        $stale.TaskId | Should -BeNullOrEmpty -Because 'these tasks have not changed for an hour; retry them or find out why'
    }

    It 'no worker died with a task in hand' {
        $aborted = @(Get-StaleTask -Minutes 5 | Where-Object PossiblyAborted)
        $aborted.TaskId | Should -BeNullOrEmpty -Because 'the workers running these tasks stopped sending heartbeats'
    }

    It 'fewer than ten failures in the last hour' {
        # Ten are enough to fail the check: no need to read every failure of a bad hour.
        $failures = @(Get-TaskResult -Status FAILURE -Since (Get-Date).AddHours(-1) -First 10)
        $failures.Count | Should -BeLessThan 10 -Because 'a burst of failures needs a look'
    }
}
