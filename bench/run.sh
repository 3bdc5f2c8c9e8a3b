#!/usr/bin/env bash
# bench/run.sh: the whole-process benchmark. Builds the command, generates
# the byte stream splunkd would send for generated AKS kube-audit events,
# and runs the binary on it pinned to one core, as splunkd would start it:
# no arguments, the stream on stdin. Prints events/s, MB/s, peak RSS and
# the ratio of its time to copying the same stream with cat.
#
#   bench/run.sh [runs]      (default 10 runs per measurement; medians)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
out=bench/out
mkdir -p "$out"
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
[ -x /usr/bin/time ] || { echo "bench/run.sh: needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 1; }

CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$out/kubefingerprint" ./cmd/kubefingerprint  # as build.sh builds it
go run ./bench/gencorpus -events 20000 -chunk 10000 -o "$out/stream-10k.bin" 2>/dev/null
go run ./bench/gencorpus -events 50000 -chunk 50000 -o "$out/stream-50k.bin" 2>/dev/null

# median_seconds CMD...: the median wall time of runs runs of CMD.
median_seconds() {
	local i t0 t1
	for ((i = 0; i < runs; i++)); do
		t0=$EPOCHREALTIME
		"$@" >/dev/null
		t1=$EPOCHREALTIME
		echo "$t0 $t1"
	done | awk '{ print $2 - $1 }' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

peak_rss_kib() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }

run_cmd() { "${pin[@]}" "$out/kubefingerprint" <"$1"; }
run_cat() { "${pin[@]}" cat "$1"; }

printf '%-22s %8s %10s %9s %9s %10s %8s %9s\n' stream events seconds events/s MB/s peakRSS cat_s vs_cat
for s in 10k:20000 50k:50000; do
	name=${s%%:*} events=${s##*:}
	f=$out/stream-$name.bin
	bytes=$(stat -c %s "$f")
	t=$(median_seconds run_cmd "$f")
	c=$(median_seconds run_cat "$f")
	rss=$(peak_rss_kib "${pin[@]}" "$out/kubefingerprint" <"$f")
	awk -v n="chunks of $name" -v e="$events" -v t="$t" -v b="$bytes" -v r="$rss" -v c="$c" 'BEGIN {
		printf "%-22s %8d %10.4f %9.0f %9.0f %7.1fMiB %8.4f %8.1fx\n", n, e, t, e / t, b / t / 1e6, r / 1024, c, t / c }'
done

# Memory must not grow with the number of chunks: one 50,000-record chunk
# against the same chunk sent 50 times (2.5 million events, 8.6 GB, piped
# from the generator so it never touches the disk).
one=$(peak_rss_kib "$out/kubefingerprint" <"$out/stream-50k.bin")
fifty=$(go run ./bench/gencorpus -events 50000 -chunk 50000 -repeat 50 -o - 2>/dev/null | peak_rss_kib "$out/kubefingerprint")
awk -v a="$one" -v b="$fifty" 'BEGIN { printf "peak RSS, 50,000-record chunks: 1 chunk %.1f MiB, 50 chunks %.1f MiB (%+.1f%%)\n", a / 1024, b / 1024, (b - a) * 100 / a }'
