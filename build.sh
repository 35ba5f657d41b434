#!/usr/bin/env bash
# One entry point for the README's commands.
#   ./build.sh demo [--json]   run the embedded demo (no configuration, network or credentials)
#   ./build.sh test            build everything, run every test and every benchmark in BenchmarkDotNet's dry job;
#                              last line: "tests: N passed, N failed"
#   ./build.sh pack            produce the NuGet packages in artifacts/packages
#   ./build.sh mutate [args]   mutation testing of the decision code with Stryker.NET (docs/testing.md); reports in
#                              artifacts/mutation, score printed last. Extra args go to the Stryker runs, e.g.
#                              --mutate '**/Health/**/*.cs' or --since:origin/main
#   ./build.sh bench-issue16   issue 16's measurements on a quiet machine (about 35 min): reports in docs/benchmarks/<date>/
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
  for project in src/PetSitter.Email src/PetSitter.Email.Testing src/PetSitter.Email.OAuth src/PetSitter.Email.AspNetCore src/PetSitter.Email.DomainCheck; do
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

  # Issue 16's runners (they measure the wire on the real clock, not in BenchmarkDotNet), each in a tiny variant.
  if dotnet run -c "$configuration" --no-build --project benchmarks/PetSitter.Email.Benchmarks -- --fleet --businesses 8 --messages 2 --rounds 1 --delay-ms 1 --max-warmup 1 --transport >>"$results/benchmarks-runners.log" 2>&1 \
    && dotnet run -c "$configuration" --no-build --project benchmarks/PetSitter.Email.Benchmarks -- --alloc-e2e --messages 40 >>"$results/benchmarks-runners.log" 2>&1 \
    && dotnet run -c "$configuration" --no-build --project benchmarks/PetSitter.Email.Benchmarks -- --redis-concurrency --checks 5 >>"$results/benchmarks-runners.log" 2>&1; then
    echo "benchmarks: issue 16 runners passed (fleet, end-to-end allocations, Redis concurrency)"
  else
    tail -n 40 "$results/benchmarks-runners.log" >&2
    echo "benchmarks: an issue 16 runner failed (full log: $results/benchmarks-runners.log)" >&2
    status=1
  fi

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

# Stryker.NET (the local tool in .config/dotnet-tools.json) over the decision code, in two runs: the core library
# with its main test project (eng/stryker-config.json) and the Redis package with its own tests against a real
# redis-server (eng/stryker-config.redis.json). STRYKER_CONCURRENCY (default 1) sets how many test runs go at once.
# Returns non-zero only when a run fails, not on a low score: the score is read from the report (docs/testing.md).
run_mutation() {
  ensure_dotnet
  dotnet tool restore >/dev/null
  local out=$PWD/artifacts/mutation status=0 arg narrowed=
  local concurrency=${STRYKER_CONCURRENCY:-1}
  for arg in "$@"; do
    case "$arg" in -m|--mutate|-m:*|--mutate:*) narrowed=1 ;; esac
  done
  rm -rf "$out"
  mkdir -p "$out"
  if [ -z "${MUTATE_ONLY:-}" ] || [ "$MUTATE_ONLY" = core ]; then
    (cd tests/PetSitter.Email.Tests && dotnet stryker -f ../../eng/stryker-config.json --concurrency "$concurrency" -O "$out/core" "$@") || status=$?
  fi
  # The rule table is a static field, so Stryker runs every test of the filter for each of its mutants: it gets its
  # own run with the Failures tests, which hold the reply corpus. Skipped when the caller's --mutate names other files.
  if { [ -z "${MUTATE_ONLY:-}" ] && [ -z "$narrowed" ]; } || [ "${MUTATE_ONLY:-}" = rules ]; then
    (cd tests/PetSitter.Email.Tests && dotnet stryker -f ../../eng/stryker-config.rules.json --concurrency "$concurrency" -O "$out/rules" "$@") || status=$?
  fi
  if [ -z "${MUTATE_ONLY:-}" ] || [ "$MUTATE_ONLY" = redis ]; then
    ensure_test_servers
    (cd tests/PetSitter.Email.Redis.Tests && dotnet stryker -f ../../eng/stryker-config.redis.json --concurrency "$concurrency" -O "$out/redis" "$@") || status=$?
  fi
  eng/mutation-score.sh "$out" || status=$?
  return "$status"
}

# Issue 16's figures, for a quiet machine: the BenchmarkDotNet classes it names in the medium job (2 launches, 15
# measured iterations: the end-to-end class does not settle in the short job here), then the wire and allocation
# runners. Every report lands in docs/benchmarks/<UTC date>/ (or BENCH_OUT, for a second run on one day).
run_bench_issue16() {
  ensure_dotnet
  local out bdn
  out=${BENCH_OUT:-docs/benchmarks/$(date -u +%Y-%m-%d)}
  bdn=artifacts/bench-issue16
  mkdir -p "$out"
  rm -rf "$bdn"
  dotnet build benchmarks/PetSitter.Email.Benchmarks -c Release -warnaserror
  dotnet run -c Release --no-build --project benchmarks/PetSitter.Email.Benchmarks -- \
    --filter '*SmtpThroughputBenchmarks*' '*SendLimitBenchmarks*' '*SendPathBenchmarks*' '*AnnouncedSizeBenchmarks*' --job medium --artifacts "$bdn"
  for report in "$bdn"/results/*-report-github.md; do
    cp "$report" "$out/$(basename "${report%-report-github.md}")-medium-report-github.md"
  done
  dotnet run -c Release --no-build --project benchmarks/PetSitter.Email.Benchmarks -- --alloc-e2e | tee "$out/end-to-end-allocations.md"
  dotnet run -c Release --no-build --project benchmarks/PetSitter.Email.Benchmarks -- --fleet --transport --out "$out/fleet.md"
  dotnet run -c Release --no-build --project benchmarks/PetSitter.Email.Benchmarks -- --redis-concurrency --out "$out/redis-concurrency.md"
  echo "issue 16 reports: $out"
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
  mutate)
    shift
    run_mutation "$@"
      ;;
  bench-issue16)
    run_bench_issue16
    ;;
  pack)
    ensure_dotnet
    for project in src/*/*.csproj; do
      dotnet pack "$project" -c "$configuration" -o artifacts/packages
    done
    ;;
  *)
    echo "usage: ./build.sh demo [--json] | test | mutate [stryker args] | pack | bench-issue16" >&2
    exit 2
    ;;
esac
