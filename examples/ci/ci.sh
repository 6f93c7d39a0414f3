#!/usr/bin/env bash
# activebench in CI, as plain shell (any runner, or by hand). From the root of a clone:
#
#   examples/ci/ci.sh pr     # a change: quick profile, then `activebench compare` against main's stored results
#   examples/ci/ci.sh main   # main moved: quick profile stored for the next pull requests, asv history, dashboard
#
# ACTIVEBENCH_RUN_ARGS adds options to `activebench run`; ASV_BENCH limits asv to a regex of benchmarks.
# State kept between runs lives in $ACTIVEBENCH_CI_STORE (default ~/.cache/activebench-ci):
#   main.json          the quick-profile results of the last main run (what a pull request is compared with)
#   asv-last-commit    the last commit whose asv results are stored
#   asv-results/       asv's results (copied in and out of .asv/results)
# Exit status: 1 when the change made a check fail, a value move beyond its tolerance or a check slower
# beyond the noise rule (see `activebench compare --help`); 0 otherwise.
set -euo pipefail
mode="${1:?usage: examples/ci/ci.sh pr|main}"
store="${ACTIVEBENCH_CI_STORE:-$HOME/.cache/activebench-ci}"
mkdir -p "$store"
out="${ACTIVEBENCH_CI_OUT:-ci-out}"
mkdir -p "$out"

if [ ! -x .venv/bin/activebench ]; then
    python3.11 -m venv .venv
    .venv/bin/pip install -q -e ".[dev]"
fi
. .venv/bin/activate

# 1. the quick profile of every check (exit 1 when a check fails: keep going, compare decides)
run_status=0
# ACTIVEBENCH_RUN_ARGS adds options, e.g. "--only rt1d sipf" or "--profile full" (the same on main and in PRs)
# shellcheck disable=SC2086
activebench run --no-progress --json "$out/results.json" --report "$out/report" ${ACTIVEBENCH_RUN_ARGS:-} || run_status=$?
if [ "$run_status" -gt 1 ]; then exit "$run_status"; fi

case "$mode" in
pr)
    if [ ! -f "$store/main.json" ]; then
        echo "no stored main results in $store/main.json: run 'examples/ci/ci.sh main' on main first" >&2
        exit "$run_status"
    fi
    # text on the terminal, markdown for a job summary or a pull-request comment
    compare_status=0
    activebench compare "$store/main.json" "$out/results.json" || compare_status=$?
    activebench compare "$store/main.json" "$out/results.json" --format markdown > "$out/compare.md" || true
    echo "markdown summary: $out/compare.md"
    exit "$compare_status"
    ;;
main)
    cp "$out/results.json" "$store/main.json"
    # 2. asv history: the commits since the last stored one. `asv run A..B` leaves A out (it has results
    #    already); the first time, `HEAD^!` is HEAD alone.
    mkdir -p .asv
    if [ -d "$store/asv-results" ]; then rm -rf .asv/results && cp -r "$store/asv-results" .asv/results; fi
    asv machine --yes --machine "${ASV_MACHINE:-ci}" > /dev/null
    last="$(cat "$store/asv-last-commit" 2>/dev/null || true)"
    if [ -n "$last" ] && git merge-base --is-ancestor "$last" HEAD; then
        range="$last..HEAD"
    else
        range="HEAD^!"
    fi
    if [ "$(git rev-list --count "$range")" -gt 0 ]; then
        # no --quick: one sample per benchmark reads noise as a regression (README, Benchmarks)
        asv run --machine "${ASV_MACHINE:-ci}" --interleave-rounds --record-samples --show-stderr ${ASV_BENCH:+--bench "$ASV_BENCH"} "$range"
    fi
    git rev-parse HEAD > "$store/asv-last-commit"
    rm -rf "$store/asv-results" && cp -r .asv/results "$store/asv-results"
    # 3. the dashboard (static files; asv's page loads its scripts from public CDNs)
    asv publish > /dev/null
    echo "dashboard: .asv/html (serve it with 'asv preview' or publish the folder)"
    exit "$run_status"
    ;;
*)
    echo "usage: examples/ci/ci.sh pr|main" >&2
    exit 2
    ;;
esac
