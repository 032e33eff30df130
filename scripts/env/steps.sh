# shellcheck shell=bash
# Quiet steps for scripts/test.sh and .ci/run: each step prints one line,
# what it did and how long it took; its output goes to a log under
# target/logs/ and is shown (its last 60 lines) only when the step fails.
#
#   source scripts/env/steps.sh       # under `set -euo pipefail`
#   steps_init test test.sh           # logs target/logs/test-NN-<slug>.log
#   step "cargo fmt --check" cargo fmt --all -- --check
#   step --show '^test result:' "what" cmd...   # also print matching log lines
#   step_skip "what" "why"            # a step not run, and why
#   step_background "what" LOG cmd... # start cmd in the background (pid in
#                                     # $STEP_BG_PID); its result is a later step
#   cargo_test_summary "$STEP_LAST_LOG"  # the last step's `cargo test` totals
#   step_through "what" cmd...        # a step whose own steps print (a nested
#                                     # test.sh): its lines are indented
#
# A step runs in the current shell (a function may export variables for the
# next steps), with `set -e` in force: a failing command ends the script,
# and the EXIT trap prints the step's log tail and a FAILED line. A step
# running longer than STEP_TICK seconds (default 45) prints a line each time
# that passes. Environment: STEP_LOG_DIR (default <repo>/target/logs),
# STEP_INDENT (set for nested scripts), STEP_TICK.

_steps_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
_step_no=0
_step_log=""
_step_what=""
_step_t0=0
_step_ticker=""
_step_show=""

# steps_init NAME [SCRIPT]: log names start with NAME (test, ci); SCRIPT
# names the script in its first line.
steps_init() {
  _steps_name="$1"
  STEP_LOG_DIR="${STEP_LOG_DIR:-$_steps_root/target/logs}"
  mkdir -p "$STEP_LOG_DIR"
  # The script's own output: a step's output goes to its log, but the lines
  # printed when it fails (the shell exits from inside the step) must not.
  exec {_steps_out}>&1
  # The logs are the last run's.
  rm -f -- "$STEP_LOG_DIR/$_steps_name"-[0-9][0-9]-*.log
  trap _steps_on_exit EXIT
  _steps_line "${2:-$_steps_name}: each step's output goes to ${STEP_LOG_DIR#"$_steps_root"/}/$_steps_name-NN-<step>.log"
}

# 75 -> "1m15s"
steps_duration() {
  local s="$1"
  if [ "$s" -ge 60 ]; then
    printf '%dm%02ds' $((s / 60)) $((s % 60))
  else
    printf '%ds' "$s"
  fi
}

_steps_line() {
  printf '%s%s\n' "${STEP_INDENT:-}" "$*"
}

# Every STEP_TICK seconds: the step's time so far and the last line of
# its log (where a long step is).
_steps_tick_start() {
  local label="$1" t0="$2" log="$3" tick="${STEP_TICK:-45}"
  (
    s=""
    trap 'kill "$s" 2>/dev/null; exit 0' TERM
    while :; do
      sleep "$tick" &
      s=$!
      wait "$s" || true
      last="$(tail -n 5 "$log" 2>/dev/null | tr -d '\r' | grep -v '^[[:space:]]*$' | tail -n 1 | cut -c1-70)" || true
      _steps_line "     ... $label: running, $(steps_duration $((SECONDS - t0)))${last:+; log: $last}"
    done
  ) 2>/dev/null &
  _step_ticker=$!
}

_steps_tick_stop() {
  if [ -n "$_step_ticker" ]; then
    kill "$_step_ticker" 2>/dev/null || true
    wait "$_step_ticker" 2>/dev/null || true
    _step_ticker=""
  fi
}

_steps_on_exit() {
  local rc=$?
  _steps_tick_stop
  if [ "$rc" -ne 0 ] && [ -n "$_step_what" ]; then
    exec 1>&"$_steps_out" 2>&1
    if [ -n "$_step_log" ] && [ -s "$_step_log" ]; then
      printf '%s---- last lines of %s\n' "${STEP_INDENT:-}" "${_step_log#"$_steps_root"/}"
      tail -n 60 "$_step_log" | sed "s/^/${STEP_INDENT:-}| /"
      if [ -n "$_step_show" ]; then
        printf '%s---- its summary lines\n' "${STEP_INDENT:-}"
        grep -E -- "$_step_show" "$_step_log" | sed "s/^/${STEP_INDENT:-}    /" || true
      fi
    fi
    _steps_line "[$_step_no] $_step_what: FAILED after $(steps_duration $((SECONDS - _step_t0))) (exit $rc)${_step_log:+, log ${_step_log#"$_steps_root"/}}"
  fi
}

# A file name from a step's description.
_steps_slug() {
  printf '%s' "$1" | tr -c 'A-Za-z0-9._-' '-' | tr -s '-' | cut -c1-40 | sed 's/-$//'
}

_steps_begin() {
  _step_no=$((_step_no + 1))
  _step_what="$1"
  _step_t0=$SECONDS
}

_steps_end() {
  local note="${1:-}"
  _steps_line "[$_step_no] $_step_what: ok, $(steps_duration $((SECONDS - _step_t0)))${note}"
  _step_what=""
  _step_log=""
  _step_show=""
}

step() {
  local show=""
  if [ "$1" = "--show" ]; then
    show="$2"
    shift 2
  fi
  _steps_begin "$1"
  shift
  _step_log="$STEP_LOG_DIR/${_steps_name}-$(printf '%02d' "$_step_no")-$(_steps_slug "$_step_what").log"
  local log="$_step_log"
  # shellcheck disable=SC2034 # read by the caller (cargo_test_summary)
  STEP_LAST_LOG="$log"
  _step_show="$show"
  _steps_tick_start "[$_step_no] $_step_what" "$_step_t0" "$log"
  "$@" >"$log" 2>&1 </dev/null
  _steps_tick_stop
  _steps_end ""
  if [ -n "$show" ]; then
    grep -E -- "$show" "$log" | sed "s/^/${STEP_INDENT:-}    /" || true
  fi
}

step_skip() {
  _step_no=$((_step_no + 1))
  _steps_line "[$_step_no] $1: skipped, $2"
}

step_background() {
  local what="$1" log="$2"
  shift 2
  _step_no=$((_step_no + 1))
  "$@" >"$log" 2>&1 </dev/null &
  # shellcheck disable=SC2034 # read by the caller
  STEP_BG_PID=$!
  _steps_line "[$_step_no] $what: started in the background (log ${log#"$_steps_root"/})"
}

step_through() {
  _steps_begin "$1"
  shift
  _steps_line "[$_step_no] $_step_what:"
  STEP_INDENT="${STEP_INDENT:-}    " "$@"
  _steps_end ""
}

# cargo_test_summary LOG: one line for all of a `cargo test` log's
# "test result:" lines (one per test binary, or the doctests), then one line
# per reason a test was ignored (`#[ignore = "..."]`), with its count.
cargo_test_summary() {
  awk '/^test result: / {
         runs++; if ($3 != "ok.") ok = 0
         for (i = 1; i <= NF; i++) {
           n = $i + 0; w = $(i + 1); sub(/[;,]$/, "", w)
           if (w == "passed") p += n; else if (w == "failed") f += n
           else if (w == "ignored") g += n; else if (w == "filtered") fo += n
         }
       }
       /^test .* \.\.\. ignored/ {
         r = $0; sub(/^.* \.\.\. ignored,? ?/, "", r)
         if (r == "" && $0 ~ / - .*\(line [0-9]+\)/) {
           # a doctest marked `ignore`: rustdoc gives no reason, name it
           r = $0; sub(/^test /, "", r); sub(/ \.\.\. ignored$/, "", r)
           r = "an `ignore` doc example: " r
         }
         if (r == "") r = "no reason given"
         if (!(r in why)) order[++nr] = r
         why[r]++
       }
       BEGIN { ok = 1 }
       END {
         if (runs == 0) { print "test result: none (no test binary ran)"; exit 1 }
         printf "test result: %s. %d passed; %d failed; %d ignored; %d filtered out (%d test runs)\n",
                (ok ? "ok" : "FAILED"), p, f, g, fo, runs
         for (i = 1; i <= nr; i++) printf "  ignored %d: %s\n", why[order[i]], order[i]
       }' "$1"
}
