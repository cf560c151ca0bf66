#Requires -Version 7.4
<#
.SYNOPSIS
    Builds the PowerShell module folder out/FullDbResult/ (the same one build.sh builds), and with -Pack the
    library packages in out/packages/.
.DESCRIPTION
    The layout itself is defined once, in src/FullDbResult.PowerShell/ModuleLayout.targets.
.EXAMPLE
    ./build.ps1; Import-Module ./out/FullDbResult/FullDbResult.psd1
#>
[CmdletBinding()]
param(
    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release',
    [switch] $Pack
)
$ErrorActionPreference = 'Stop'

$project = Join-Path $PSScriptRoot 'src/FullDbResult.PowerShell/FullDbResult.PowerShell.csproj'
$moduleDir = Join-Path $PSScriptRoot 'out/FullDbResult/'
dotnet publish $project -c $Configuration "-p:ModuleDir=$moduleDir"
if ($LASTEXITCODE -ne 0) { throw "dotnet publish failed with exit code $LASTEXITCODE." }

if ($Pack) {
    dotnet pack (Join-Path $PSScriptRoot 'src/FullDbResult/FullDbResult.csproj') -c $Configuration -o (Join-Path $PSScriptRoot 'out/packages')
    if ($LASTEXITCODE -ne 0) { throw "dotnet pack failed with exit code $LASTEXITCODE." }
}
