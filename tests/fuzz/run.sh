#!/usr/bin/env bash
# tests/fuzz/run.sh: builds the libFuzzer harnesses in build-fuzz/ (clang, ASan, UBSan) and runs
# each for SECONDS on its corpus. `tools/dev fuzz` and the ctest fuzz_libfuzzer call it.
#
#   tests/fuzz/run.sh SECONDS [HARNESS...]     (SECONDS 0: build only; default: every harness)
#
# New inputs that reach new code go to build-fuzz/corpus/<harness>/ (kept between runs; the
# seeds in tests/fuzz/corpus/<harness>/ are only read). A crash, leak, sanitizer report or
# failed check leaves its input in build-fuzz/crashes/<harness>/ and makes the exit status 1.
# Environment: CK_JOBS=N (build jobs, default 2), CK_FUZZ_ARGS (more libFuzzer flags).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
cd "$ROOT"
BUILD=build-fuzz
ALL=(open311 config printer script text receipt)

seconds=${1:-60}
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "usage: $0 SECONDS [HARNESS...]" >&2; exit 2; }
(($#)) && shift
harnesses=("$@")
((${#harnesses[@]})) || harnesses=("${ALL[@]}")
for h in "${harnesses[@]}"; do
    [[ " ${ALL[*]} " == *" $h "* ]] || { echo "unknown harness: $h (one of: ${ALL[*]})" >&2; exit 2; }
done

command -v clang >/dev/null || { echo "clang not found: run tools/dev deps" >&2; exit 1; }
if [[ ! -f $BUILD/CMakeCache.txt ]]; then
    CC=clang cmake -S . -B $BUILD -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCK_SANITIZE=ON -DCK_FUZZ=ON >/dev/null
fi
cmake --build $BUILD -j"${CK_JOBS:-2}" --target "${harnesses[@]/#/fuzz_}" >/dev/null
((seconds > 0)) || exit 0

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$ROOT/tests/lsan.supp:print_suppressions=0}"
export SDL_AUDIODRIVER=dummy # the text harness never speaks

status=0
printf '%-8s %12s %9s %12s  %s\n' harness executions "exec/s" "new inputs" result
for h in "${harnesses[@]}"; do
    work=$BUILD/corpus/$h crashes=$BUILD/crashes/$h log=$BUILD/fuzz-$h.log
    mkdir -p "$work" "$crashes"
    dict=()
    [[ -f tests/fuzz/$h.dict ]] && dict=(-dict="tests/fuzz/$h.dict")
    rc=0
    # shellcheck disable=SC2086 # CK_FUZZ_ARGS is a list of flags
    "$BUILD/fuzz_$h" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -detect_leaks=1 \
        -print_final_stats=1 -artifact_prefix="$crashes/" "${dict[@]}" ${CK_FUZZ_ARGS:-} \
        "$work" "tests/fuzz/corpus/$h" >"$log" 2>&1 || rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    added=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -n 1)
    result=ok
    if ((rc != 0)); then
        result="FAILED (exit $rc): see $log and $crashes/"
        status=1
    fi
    printf '%-8s %12s %9s %12s  %s\n' "$h" "${runs:-?}" "$(( ${runs:-0} / (seconds ? seconds : 1) ))" \
        "${added:-?}" "$result"
    if ((rc != 0)); then
        grep -E 'ERROR: |SUMMARY: |fuzz check failed|runtime error' "$log" | head -n 5 >&2 || true
    fi
done
exit "$status"
