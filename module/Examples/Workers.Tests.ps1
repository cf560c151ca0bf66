# Ops check: workers are running. Run with Invoke-Pester (Pester 5); the store comes from
# FULLDBRESULT_CONNECTION_STRING, or from Connect-FullDbResult in the same session.
BeforeAll {
    Import-Module FullDbResult
}

Describe 'Workers' {
    BeforeAll {
        $health = Test-TaskQueue
    }

    It 'at least one worker sends heartbeats' {
        $health.WorkersAlive | Should -BeGreaterThan 0
    }

    It 'no worker went silent without stopping' {
        $health.WorkersSilent | Should -Be 0 -Because 'a worker that stops sending heartbeats has probably died'
    }
}
