#Requires -Version 7.4
<#
.SYNOPSIS
    Builds the PowerShell module folder out/FullDbResult/ (the same one build.sh builds; -OutputDirectory puts
    it elsewhere), and with -Pack the library packages in out/packages/.
.DESCRIPTION
    The layout itself is defined once, in src/FullDbResult.PowerShell/ModuleLayout.targets.
.EXAMPLE
    ./build.ps1; Import-Module ./out/FullDbResult/FullDbResult.psd1
#>
[CmdletBinding()]
param(
    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release',
    # The module folder to build; Import-Module takes this folder's FullDbResult.psd1.
    [string] $OutputDirectory = (Join-Path $PSScriptRoot 'out/FullDbResult'),
    [switch] $Pack
)
$ErrorActionPreference = 'Stop'

$project = Join-Path $PSScriptRoot 'src/FullDbResult.PowerShell/FullDbResult.PowerShell.csproj'
# Relative to where the caller stands, not to the project that MSBuild would resolve it against.
$moduleDir = [System.IO.Path]::GetFullPath($OutputDirectory, $PWD.Path)
dotnet publish $project -c $Configuration "-p:ModuleDir=$moduleDir"
if ($LASTEXITCODE -ne 0) { throw "dotnet publish failed with exit code $LASTEXITCODE." }

if ($Pack) {
    dotnet pack (Join-Path $PSScriptRoot 'src/FullDbResult/FullDbResult.csproj') -c $Configuration -o (Join-Path $PSScriptRoot 'out/packages')
    if ($LASTEXITCODE -ne 0) { throw "dotnet pack failed with exit code $LASTEXITCODE." }
}
