# Sourced by the tools' shell tests: one check per case, counted.
#
#   expect NAME WANT-STATUS PATTERN -- COMMAND...
#
# runs COMMAND (at most $expect_timeout seconds, 120 unless set), and
# passes when it exits WANT-STATUS and its output (stdout and stderr)
# matches the extended regular expression PATTERN; a pass shows the line
# that matched, so the log says why a refusal was the right one.  At the
# end: expect_summary, whose status is the tests'.
# shellcheck shell=bash
failures=0 passed=0
expect_timeout=${expect_timeout:-120}

expect() {
  local name=$1 want=$2 pattern=$3; shift 4
  local out status
  out=$(timeout "$expect_timeout" "$@" 2>&1); status=$?
  if [[ $status -ne $want ]] || ! grep -qE -- "$pattern" <<<"$out"; then
    echo "FAIL $name: exit $status (want $want), output:"; echo "$out" | tail -n 15
    failures=$((failures + 1))
  else
    echo "ok   $name${pattern:+: $(grep -m1 -oE -- ".{0,40}($pattern).{0,60}" <<<"$out" | head -n 1)}"
    passed=$((passed + 1))
  fi
}

expect_summary() {
  echo "$passed passed, $failures failed"
  ((failures == 0))
}
