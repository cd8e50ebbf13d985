#!/bin/sh
# fuzz/tools/bench_mp.sh: exec/s of a multi-CPU harness under TSan and
# under ASan, one core (taskset -c 0), libFuzzer from the seed corpus.
#
#	fuzz/tools/bench_mp.sh [TARGET [SECONDS]]	(fault_mp, 30)
#
# Prints one line per build: "TARGET BUILD exec/s N execs M".  Builds
# the two binaries first (make).  A finding stops a run early: its line
# says so (the exec/s is then that of the shorter run).  `uvmfuzz bench
# --exec` measures the ASan build of every target; this adds TSan.
set -eu
cd "$(dirname "$0")/../.."
t=${1:-fault_mp}
secs=${2:-30}
case $secs in *[!0-9]*|'') echo "bench_mp.sh: SECONDS must be a number, got '$secs'" >&2; exit 2;; esac
if [ ! -f "fuzz/harness/$t.c" ]; then
	echo "bench_mp.sh: no harness fuzz/harness/$t.c: give a harness name" >&2
	exit 2
fi
make -s "out/libfuzzer-tsan/$t" "out/libfuzzer-asan/$t" out/tools/progtool >/dev/null
tmp=$(mktemp -d /tmp/bench_mp.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/seeds"
for f in corpus/"$t"/*.prog; do
	[ -f "$f" ] && out/tools/progtool encode "$f" -o "$tmp/seeds/$(basename "$f" .prog)"
done
pin=""
command -v taskset >/dev/null && pin="taskset -c 0"
for b in libfuzzer-tsan libfuzzer-asan; do
	rm -rf "$tmp/corpus"; cp -r "$tmp/seeds" "$tmp/corpus"
	set +e
	TSAN_OPTIONS=halt_on_error=1:abort_on_error=1:report_signal_unsafe=0 \
	    $pin "out/$b/$t" -max_total_time="$secs" -print_final_stats=1 \
	    -timeout=25 -artifact_prefix="$tmp/" "$tmp/corpus" >"$tmp/log" 2>&1
	rc=$?
	set -e
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$tmp/log")
	n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/log")
	note=""
	if [ $rc -ne 0 ]; then
		eps=$(grep -o 'exec/s: [0-9]*' "$tmp/log" | tail -1 | cut -d' ' -f2)
		n=$(grep -o '^#[0-9]*' "$tmp/log" | tail -1 | tr -d '#')
		note=" (stopped by a finding, exit $rc)"
	fi
	echo "$t $b exec/s ${eps:-?} execs ${n:-?}$note"
done
