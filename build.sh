#!/usr/bin/env bash
# One entry point for the README's commands.
#   ./build.sh demo [--json]   run the embedded demo (no configuration, network or credentials)
#   ./build.sh test            build everything, run every test and every benchmark in BenchmarkDotNet's dry job;
#                              last line: "tests: N passed, N failed"
#   ./build.sh pack            produce the NuGet packages in artifacts/packages
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

configuration=${CONFIGURATION:-Release}

ensure_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "The .NET 10 SDK is required (dotnet was not found on PATH)." >&2
    exit 1
  fi
}

# The Redis tests start a real redis-server of their own on a free loopback port, and the Postfix
# interop tests a real Postfix with Dovecot SASL (each with its own configuration directory and loopback
# ports; both fail, saying why, when the programs are missing). Install what is missing when we can:
# root with apt, as on CI. Postfix's package asks which mail setup to write: "No configuration" keeps
# the install silent and leaves the machine's own /etc/postfix unused.
ensure_test_servers() {
  local missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  [ -x /usr/sbin/postfix ] || command -v postfix >/dev/null 2>&1 || missing+=(postfix)
  [ -x /usr/sbin/dovecot ] || command -v dovecot >/dev/null 2>&1 || missing+=(dovecot-core)
  # dnsmasq-base: the binary only, no system service (the sender-domain tests start their own on loopback).
  [ -x /usr/sbin/dnsmasq ] || command -v dnsmasq >/dev/null 2>&1 || missing+=(dnsmasq-base)
  # Debian's Chromium for the OAuth connect test in a browser (Playwright drives /usr/bin/chromium; it downloads none).
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing ${missing[*]} for the Redis, Postfix, DNS and browser tests..."
    (echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections \
      && apt-get update -qq \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}") >/dev/null 2>&1 \
      || echo "Could not install ${missing[*]}: the tests that need them will fail and say so." >&2
  else
    echo "Not installed: ${missing[*]}; the tests that need them will fail (Debian/Ubuntu: apt-get install -y ${missing[*]})." >&2
  fi
}

# The packed packages in an app of their own (tests/consumer): public API only, restored from the packages just
# built and nothing else of this repository. Its own packages folder, so a package cached from an earlier pack of the
# same version is never used.
run_consumer_tests() {
  local results=$1 feed=artifacts/consumer-feed restored=artifacts/consumer-packages version
  rm -rf "$feed" "$restored"
  version=$(dotnet msbuild src/PetSitter.Email/PetSitter.Email.csproj -getProperty:PackageVersion -p:Configuration="$configuration")
  for project in src/PetSitter.Email src/PetSitter.Email.Testing; do
    dotnet pack "$project" -c "$configuration" --no-build -o "$feed" -p:IncludeSymbols=false >/dev/null
  done
  dotnet test tests/consumer/PetSitter.Email.ConsumerTests -c "$configuration" \
    -p:PetSitterEmailVersion="$version" -p:RestoreAdditionalProjectSources="$PWD/$feed" -p:RestorePackagesPath="$PWD/$restored" \
    --logger "trx;LogFileName=consumer.trx" --logger "console;verbosity=minimal" --results-directory "$results"
}

run_tests() {
  ensure_dotnet
  ensure_test_servers
  local results=artifacts/test-results
  rm -rf "$results"
  mkdir -p "$results"
  dotnet build PetSitter.Email.sln -c "$configuration" -warnaserror
  local status=0
  dotnet test PetSitter.Email.sln -c "$configuration" --no-build \
    --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=$?
  run_consumer_tests "$results" || status=$?

  # Sum the real counters of every test run (one .trx per test project).
  local passed=0 failed=0 total=0 files=0
  for trx in "$results"/*.trx; do
    [ -e "$trx" ] || continue
    files=$((files + 1))
    local counters
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
    local p f t
    p=$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")
    f=$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")
    t=$(sed -E 's/.* total="([0-9]+)".*/\1/' <<<"$counters")
    passed=$((passed + p)); failed=$((failed + f)); total=$((total + t))
  done
  local errors=$((total - passed - failed))
  if [ "$files" -eq 0 ] || [ "$total" -eq 0 ]; then
    echo "no test results were found" >&2
    status=1
  fi
  if [ "$errors" -gt 0 ]; then
    echo "$errors tests neither passed nor failed (not run, aborted or timed out)" >&2
    failed=$((failed + errors))
  fi
  [ "$failed" -gt 0 ] && status=1

  # Every benchmark runs once in BenchmarkDotNet's dry job so none rots (about a minute and a half);
  # a failure fails the run. No figure from it means anything: docs/benchmarks.md has the real run.
  local bench_log="$results/benchmarks-dry.log"
  if dotnet run -c "$configuration" --project benchmarks/PetSitter.Email.Benchmarks -- \
      --filter '*' --job Dry --artifacts "$results/benchmarks" >"$bench_log" 2>&1; then
    echo "benchmarks: dry run passed ($(grep -c '^// Benchmark: ' "$bench_log") benchmark cases)"
  else
    tail -n 40 "$bench_log" >&2
    echo "benchmarks: the dry run failed (full log: $bench_log)" >&2
    status=1
  fi

  echo "tests: $passed passed, $failed failed"
  return "$status"
}

case "${1:-}" in
  demo)
    ensure_dotnet
    shift
    dotnet run --project src/PetSitter.Email.Cli -c "$configuration" -- demo "$@"
    ;;
  test)
    run_tests
    ;;
  pack)
    ensure_dotnet
    for project in src/*/*.csproj; do
      dotnet pack "$project" -c "$configuration" -o artifacts/packages
    done
    ;;
  *)
    echo "usage: ./build.sh demo [--json] | test | pack" >&2
    exit 2
    ;;
esac
