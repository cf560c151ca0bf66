@{
    RootModule           = 'FullDbResult.PowerShell.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = 'c4595490-1fb8-473a-a472-2ba8fba1ba21'
    Author               = 'FullDbResult contributors'
    Copyright            = '(c) FullDbResult contributors'
    Description          = 'Task results of Celery-compatible task queues on RabbitMQ: find stale tasks, retry, purge and dispatch scheduled tasks, over SQLite, PostgreSQL or SQL Server.'
    CompatiblePSEditions = 'Core'
    PowerShellVersion    = '7.4'
    FormatsToProcess     = @('FullDbResult.Format.ps1xml')
    CmdletsToExport      = @(
        'Connect-FullDbResult', 'Disconnect-FullDbResult', 'Get-FullDbResultSession',
        'Get-TaskResult', 'Get-StaleTask', 'Get-StaleScheduledTask', 'Reset-ScheduledTask', 'Test-TaskQueue', 'Get-TaskWorker',
        'Stop-Task', 'Remove-TaskResult', 'Repair-TaskResult', 'Initialize-TaskStore',
        'Invoke-TaskRetry', 'Send-Task', 'Invoke-ScheduledDispatch', 'Get-PeriodicTask', 'Start-PeriodicTask',
        'New-PeriodicTask', 'Set-PeriodicTask', 'Remove-PeriodicTask'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags = @('Celery', 'RabbitMQ', 'TaskQueue', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
        }
    }
}
