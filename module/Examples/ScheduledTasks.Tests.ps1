# Ops check: scheduled tasks are dispatched on time. Run with Invoke-Pester (Pester 5); the store comes from
# FULLDBRESULT_CONNECTION_STRING, or from Connect-FullDbResult in the same session.
BeforeAll {
    Import-Module FullDbResult
}

Describe 'Scheduled tasks are dispatched' {
    It 'no claimed scheduled task older than ten minutes' {
        $stuck = @(Get-StaleScheduledTask -Minutes 10)
        $stuck.TaskId | Should -BeNullOrEmpty -Because 'a dispatcher claimed these and never marked them sent'
    }

    It 'dispatch is keeping up' {
        $health = Test-TaskQueue -ClaimStaleAfter (New-TimeSpan -Minutes 10)
        $health.OldestDueAge | Should -BeLessThan (New-TimeSpan -Minutes 5) -Because "due tasks are waiting to be sent ($($health.DueScheduledCount) of them)"
    }
}
