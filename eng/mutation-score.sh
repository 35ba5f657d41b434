#!/usr/bin/env bash
# Prints the mutation score of each Stryker.NET report under the given folder (default artifacts/mutation), per
# feature folder (the first folder under src/<project>/) and in total. Score = (killed + timeout) / (killed + timeout
# + survived + no coverage), Stryker's own "mutation score"; ignored and compile-error mutants do not count.
set -euo pipefail
root=${1:-artifacts/mutation}
reports=$(find "$root" -name 'mutation-report.json' 2>/dev/null | sort)
if [ -z "$reports" ]; then
  echo "mutation: no report found under $root" >&2
  exit 1
fi
if ! command -v python3 >/dev/null 2>&1; then
  # Totals only, without python: count the statuses in the reports.
  count() { cat $reports | grep -oE "\"status\": *\"$1\"" | wc -l; }
  k=$(count Killed); t=$(count Timeout); s=$(count Survived); n=$(count NoCoverage)
  d=$((k + t + s + n))
  if [ "$d" -gt 0 ]; then
    printf 'mutation score: %d.%02d %% (%d killed, %d timeout, %d survived, %d no coverage)\n' \
      $(( (k + t) * 10000 / d / 100 )) $(( (k + t) * 10000 / d % 100 )) "$k" "$t" "$s" "$n"
  else
    echo "mutation score: no mutant tested"
  fi
  exit 0
fi
python3 - $reports <<'PY'
import json, re, sys, collections
rows = collections.OrderedDict()
total = collections.Counter()
for path in sys.argv[1:]:
    report = json.load(open(path))
    for file, data in report["files"].items():
        m = re.search(r"src/([^/]+)/([^/]+)/", file.replace("\\", "/"))
        folder = f"{m.group(1)}/{m.group(2)}" if m else file
        c = rows.setdefault(folder, collections.Counter())
        for mutant in data["mutants"]:
            c[mutant["status"]] += 1
            total[mutant["status"]] += 1
def line(name, c):
    k, t, s, n = c["Killed"], c["Timeout"], c["Survived"], c["NoCoverage"]
    d = k + t + s + n
    score = f"{100 * (k + t) / d:6.2f} %" if d else "     -  "
    print(f"{name:<40} {d:7} {k:7} {s:8} {t:7} {n:8} {score}")
print(f"{'folder':<40} {'mutants':>7} {'killed':>7} {'survived':>8} {'timeout':>7} {'no cover':>8}  score")
for name, c in sorted(rows.items()):
    line(name, c)
line("total", total)
k, t, s, n = total["Killed"], total["Timeout"], total["Survived"], total["NoCoverage"]
d = k + t + s + n
print(f"mutation score: {100 * (k + t) / d:.2f} %" if d else "mutation score: no mutant tested")
PY
