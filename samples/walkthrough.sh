#!/usr/bin/env bash
# The main job, end to end, on the embedded SQLite store: a private RabbitMQ on 127.0.0.1, the sample
# worker, and walkthrough.ps1 run by real pwsh (the repository's local .NET tool, brought by
# `dotnet tool restore`) with the module folder build.sh builds. Everything it starts, it stops.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work=$(mktemp -d /tmp/fulldbresult-walkthrough-XXXXXX)
worker_pid=

stop_all() {
  [[ -n $worker_pid ]] && kill "$worker_pid" 2>/dev/null && wait "$worker_pid" 2>/dev/null || true
  "$root/samples/private-broker.sh" stop "$work/broker"
  rm -rf "$work"
}
trap stop_all EXIT

if [[ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ]]; then
  echo "Installing RabbitMQ (Debian's rabbitmq-server)..."
  # Keep the package from starting a system-wide broker: the walkthrough starts its own.
  policy_made=
  [[ -e /usr/sbin/policy-rc.d ]] || { printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; policy_made=1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rabbitmq-server </dev/null
  [[ -n $policy_made ]] && rm -f /usr/sbin/policy-rc.d
fi

echo "Restoring pwsh (.config/dotnet-tools.json) and building the module and the sample worker..."
# dotnet finds the tool manifest from the current folder, so pwsh runs from the repository root.
cd "$root"
dotnet tool restore
"$root/build.sh"
dotnet build "$root/samples/FullDbResult.SampleWorker" -v quiet -nologo

echo "Starting a private RabbitMQ on 127.0.0.1..."
export FULLDBRESULT_BROKER_URL=$("$root/samples/private-broker.sh" start "$work/broker" $((20000 + RANDOM % 9000)))
# The embedded default store, in a fresh home so the walkthrough starts from an empty database.
export FULLDBRESULT_HOME="$work/home"
unset FULLDBRESULT_CONNECTION_STRING

dotnet run --no-build --project "$root/samples/FullDbResult.SampleWorker" >"$work/worker.log" 2>&1 &
worker_pid=$!

# Import-Module FullDbResult finds out/FullDbResult/ by name, as an installed module.
PSModulePath="$root/out" dotnet pwsh -NoProfile -NonInteractive -File "$root/samples/walkthrough.ps1"
