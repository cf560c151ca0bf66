#!/usr/bin/env bash
# Builds the PowerShell module folder out/FullDbResult/ (the same one build.ps1 builds; --output puts it
# elsewhere), and with --pack the library packages in out/packages/. The layout itself is defined once, in
# src/FullDbResult.PowerShell/ModuleLayout.targets.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
configuration=Release
module_dir="$root/out/FullDbResult"
pack=false
while [ $# -gt 0 ]; do
    case "$1" in
        -c|--configuration) configuration="$2"; shift 2 ;;
        -o|--output) module_dir="$(realpath -m "$2")"; shift 2 ;;
        --pack) pack=true; shift ;;
        -h|--help) echo "usage: build.sh [-c|--configuration Release|Debug] [-o|--output MODULE_DIR] [--pack]"; exit 0 ;;
        *) echo "build.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done

dotnet publish "$root/src/FullDbResult.PowerShell/FullDbResult.PowerShell.csproj" \
    -c "$configuration" -p:ModuleDir="$module_dir"

if [ "$pack" = true ]; then
    dotnet pack "$root/src/FullDbResult/FullDbResult.csproj" -c "$configuration" -o "$root/out/packages"
fi
