#!/usr/bin/env bash
# bench/run.sh: the whole-process benchmark, side by side with a previous
# version. It builds this tree's command and the previous version's (the
# git revision PREVIOUS; by default release 0.1.0, tag v0.1.0, else commit
# 1302560) as build.sh builds them, gives each the request stream its own
# getinfo reply asks for (gencorpus -for), and times both on one core, as
# splunkd starts them: no arguments, the stream on stdin. Two corpora of
# generated AKS kube-audit events: realistic (2% 401s, nearly every event
# dropped unparsed) and dense (40% 401s, where parsing and replies
# dominate). Runs are interleaved, so that the machine's noise falls on
# every command alike, and medians are reported.
#
# It prints markdown tables: per corpus and command the stream's size,
# seconds, events/s, MB/s, peak RSS and rows emitted; this tree / previous
# and this tree / `cat` of this tree's stream; peak RSS at 50,000-record
# chunks for 1 and 50 chunks; and process start (getinfo alone, an empty Go
# program, /bin/true). It writes the same, headed by the date, the machine,
# the Go version, the command line and both trees, to
# docs/design/benchmark-results.md, replacing what was there. It exits 1 if
# the two versions emit different row counts or peak RSS is not flat and
# under 64 MiB.
#
#   bench/run.sh [runs]                    (default 51 runs per measurement)
#   PREVIOUS=<git rev> bench/run.sh [runs] (compare with that revision)
set -euo pipefail
invocation="${PREVIOUS:+PREVIOUS=$PREVIOUS }bench/run.sh${*:+ $*}"
cd "$(dirname "$0")/.."
runs=${1:-51}
results=$PWD/docs/design/benchmark-results.md
events=20000 chunk=10000
out=$PWD/bench/out
mkdir -p "$out"
for tool in taskset /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "bench/run.sh: needs $tool (apt-get install util-linux time)" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

# build OUTPUT: the command as build.sh builds it, from the current folder.
build() { CGO_ENABLED=0 go build -trimpath -buildvcs=false -tags splunkapp -ldflags "-s -w" -o "$1" ./cmd/kubefingerprint; }
build "$out/kubefingerprint"
go build -o "$out/gencorpus" ./bench/gencorpus
# prev names the previous version in the results; rev is its commit.
if [ -n "${PREVIOUS:-}" ]; then
	prev=$PREVIOUS
	rev=$(git rev-parse -q --verify "$prev^{commit}") || { echo "bench/run.sh: PREVIOUS=$prev is not a git revision of this repository" >&2; exit 1; }
else
	prev=v0.1.0
	rev=$(git rev-parse -q --verify "$prev^{commit}" || { prev=1302560; git rev-parse --verify "$prev^{commit}"; })
fi
mkdir "$tmp/previous"
git archive "$rev" | tar -x -C "$tmp/previous"
(cd "$tmp/previous" && build "$out/previous")
printf 'package main\n\nfunc main() {}\n' >"$tmp/empty.go"
CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags "-s -w" -o "$out/empty" "$tmp/empty.go"

# One stream per corpus and command, with the columns the command asks for.
corpora=(realistic:2 dense:40)
commands=(kubefingerprint previous)
for c in "${corpora[@]}"; do
	for cmd in "${commands[@]}"; do
		"$out/gencorpus" -for "$out/$cmd" -percent401 "${c#*:}" -events $events -chunk $chunk \
			-o "$out/stream-${c%:*}-$cmd.bin" 2>"$tmp/gen-${c%:*}-$cmd.txt"
	done
done
"$out/gencorpus" -events 0 -o "$out/getinfo.bin" 2>/dev/null

# From here on this shell and all it starts run on CPU 0 only.
cores=$(nproc)
taskset -p -c 0 $$ >/dev/null

# Peak RSS and rows emitted, from one run of each command on its stream.
for c in "${corpora[@]}"; do
	for cmd in "${commands[@]}"; do
		k=${c%:*}-$cmd
		/usr/bin/time -f %M -o "$tmp/rss-$k" "$out/$cmd" <"$out/stream-$k.bin" >"$tmp/reply-$k"
		grep -ao 'rows emitted: [0-9]*' "$tmp/reply-$k" | tail -1 | tr -dc 0-9 >"$tmp/rows-$k"
	done
done

# Interleaved timing: every round runs every command on every corpus once.
for ((i = 0; i < runs; i++)); do
	for c in "${corpora[@]}"; do
		for cmd in "${commands[@]}" cat; do
			k=${c%:*}-$cmd
			[ "$cmd" = cat ] && k=${c%:*}-kubefingerprint
			[ "$cmd" = cat ] && run=(cat) || run=("$out/$cmd")
			t0=$EPOCHREALTIME
			"${run[@]}" <"$out/stream-$k.bin" >/dev/null
			t1=$EPOCHREALTIME
			echo "${c%:*}-$cmd $t0 $t1"
		done
	done
done >"$tmp/times"

# median: the median of the numbers on standard input, one a line.
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# seconds KEY: the median seconds of KEY's runs.
seconds() { awk -v k="$1" '$1 == k { print $3 - $2 }' "$tmp/times" | median; }

# ratio A B: the median over rounds of A's time / B's time in the same
# round. Load that changes during the run cancels out of each pair.
ratio() {
	awk -v a="$1" -v b="$2" '$1 == a { ta[na++] = $3 - $2 } $1 == b { tb[nb++] = $3 - $2 }
		END { for (i = 0; i < na && i < nb; i++) print ta[i] / tb[i] }' "$tmp/times" | median
}

# The report goes to a file first (stdout is restored at the end), then
# to docs/design/benchmark-results.md and to the terminal.
exec 3>&1 >"$tmp/results.md"
columns() { sed -n 's/.*columns \([^ ]*\),.*/\1/p' "$tmp/gen-realistic-$1.txt"; }
echo "# Benchmark results"
echo
echo "Written by \`bench/run.sh\`, which replaces this file on every run; [performance.md](performance.md) says what"
echo "is measured and how to read it."
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "- command line: \`$invocation\`"
echo "- machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $cores cores (nproc), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- Go: $(go version | sed 's/^go version //')"
echo "- this tree: $(git describe --always --dirty); previous: $prev ($(git describe --always "$rev"))"
echo "- $events events in chunks of $chunk; medians of $runs interleaved runs on CPU 0"
echo "- columns sent to this tree: \`$(columns kubefingerprint)\`; to $prev: \`$(columns previous)\`"
echo
echo "| corpus | command | stream | seconds | events/s | MB/s | peak RSS | rows |"
echo "|---|---|---|---|---|---|---|---|"
for c in "${corpora[@]}"; do
	name=${c%:*}
	for cmd in "${commands[@]}" cat; do
		k=$name-$cmd label=$cmd
		[ "$cmd" = kubefingerprint ] && label="this tree"
		[ "$cmd" = previous ] && label=$prev
		[ "$cmd" = cat ] && k=$name-kubefingerprint label="\`cat\` of this tree's stream"
		t=$(seconds "$name-$cmd")
		bytes=$(stat -c %s "$out/stream-$k.bin")
		rss=- rows=-
		[ "$cmd" = cat ] || rss=$(cat "$tmp/rss-$k") rows=$(cat "$tmp/rows-$k")
		awk -v c="$name, ${c#*:}% 401" -v l="$label" -v t="$t" -v b="$bytes" -v e="$events" -v r="$rss" -v n="$rows" -v cat="$cmd" 'BEGIN {
			if (cat == "cat") printf "| %s | %s | %.1f MB | %.4f | | %.0f | | |\n", c, l, b / 1e6, t, b / t / 1e6
			else printf "| %s | %s | %.1f MB | %.4f | %.0f | %.0f | %.1f MiB | %s |\n", c, l, b / 1e6, t, e / t, b / t / 1e6, r / 1024, n }'
	done
	if [ "$(cat "$tmp/rows-$name-kubefingerprint")" != "$(cat "$tmp/rows-$name-previous")" ]; then
		echo "bench/run.sh: $name: this tree and $prev emit different row counts" >&2
		failed=1
	fi
done
echo
echo "| corpus | this tree / $prev | speed-up | this tree / \`cat\` |"
echo "|---|---|---|---|"
for c in "${corpora[@]}"; do
	name=${c%:*}
	awk -v c="$name" -v p="$(ratio "$name-kubefingerprint" "$name-previous")" -v k="$(ratio "$name-kubefingerprint" "$name-cat")" \
		'BEGIN { printf "| %s | %.2f | %.2fx | %.1fx |\n", c, p, 1 / p, k }'
done
echo
echo "(ratios: medians over the $runs rounds of the ratio of the two times in one round)"

# Memory must not grow with the number of chunks: one 50,000-record chunk
# against the same chunk sent 50 times (2.5 million events, piped from the
# generator so it never touches the disk).
rss_chunks() {
	"$out/gencorpus" -for "$out/kubefingerprint" -events 50000 -chunk 50000 -repeat "$1" -o - 2>/dev/null |
		/usr/bin/time -f %M -o "$tmp/rss" "$out/kubefingerprint" >/dev/null
	cat "$tmp/rss"
}
one=$(rss_chunks 1)
fifty=$(rss_chunks 50)
echo
awk -v a="$one" -v b="$fifty" 'BEGIN {
	ok = (b < 64 * 1024 && b <= a * 1.1 + 1024) ? "flat and under 64 MiB" : "NOT flat and under 64 MiB"
	printf "peak RSS, this tree, realistic corpus in 50,000-record chunks: 1 chunk %.1f MiB, 50 chunks %.1f MiB (%+.1f%%): %s\n", a / 1024, b / 1024, (b - a) * 100 / a, ok
	exit ok ~ /NOT/ }' || failed=1

# Process start: the command answering getinfo alone, an empty Go program
# built the same way, and /bin/true. Each is started the same way, by sh
# with standard input redirected from the getinfo request, so each figure
# holds the same sh start and nothing is subtracted.
start=()
for p in "$out/kubefingerprint" "$out/empty" /bin/true; do
	start+=("sh -c 'exec $p <$out/getinfo.bin >/dev/null'")
done
labels=("getinfo alone" "an empty Go program" /bin/true)
if command -v hyperfine >/dev/null; then
	hyperfine -N --style none --warmup 20 --runs 500 --export-json "$tmp/start.json" "${start[@]}" >/dev/null 2>"$tmp/hyperfine.txt"
	mapfile -t ms < <(grep -o '"median": *[0-9.e-]*' "$tmp/start.json" | awk '{ printf "%.2f\n", $2 * 1000 }')
	how="hyperfine -N, medians of 500 runs"
else
	ms=()
	for s in "${start[@]}"; do
		for ((i = 0; i < 500; i++)); do
			t0=$EPOCHREALTIME
			eval "$s"
			t1=$EPOCHREALTIME
			echo "$t0 $t1"
		done | awk '{ print ($2 - $1) * 1000 }' | median >"$tmp/ms"
		ms+=("$(awk '{ printf "%.2f", $1 }' "$tmp/ms")")
	done
	how="a loop, medians of 500 runs, bash's fork included too (apt-get install hyperfine for less)"
fi
echo
echo "process start, each through sh -c 'exec COMMAND <getinfo' ($how): ${labels[0]} ${ms[0]} ms, ${labels[1]} ${ms[1]} ms, ${labels[2]} ${ms[2]} ms"
if [ $failed != 0 ]; then
	echo
	echo "**bench/run.sh exited 1**: a check failed (row counts differ, or peak RSS is not flat and under 64 MiB); see its standard error."
fi
exec >&3 3>&-
mkdir -p "$(dirname "$results")"
cp "$tmp/results.md" "$results"
cat "$tmp/results.md"
echo "bench/run.sh: written to ${results#"$PWD"/}" >&2
exit $failed
