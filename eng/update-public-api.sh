#!/usr/bin/env bash
# Adds every new public symbol of the packable libraries to their PublicAPI.Unshipped.txt.
# Run it after a deliberate public API change, then review the diff: an entry you did not mean
# to add is a type that should be internal.
set -euo pipefail
cd "$(dirname "$0")/.."
for project in src/*/PetSitter.Email*.csproj; do
  [ -f "$(dirname "$project")/PublicAPI.Unshipped.txt" ] || continue
  dotnet format analyzers "$project" --diagnostics RS0016 RS0017 --severity warn
done
