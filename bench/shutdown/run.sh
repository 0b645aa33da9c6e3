#!/bin/sh
# Measures the shutdown overhead of package lifecycle: the time from SIGTERM
# to the process's exit, minus the shutdown delay and what the longest
# in-flight request still needed. See docs/graceful-shutdown.md.
# Usage: bench/shutdown/run.sh [iterations]   (from the module root)
set -eu
cd "$(dirname "$0")/../.."
exec go test -run '^$' -bench ShutdownOverhead -benchtime "${1:-10}x" ./lifecycle/
