#!/usr/bin/env bash
# Runs netplumb's benchmarks (benches/) and regenerates the tables of BENCHMARKS.md from
# their machine-readable output (target/netplumb-bench/results.jsonl).
#
#   sudo scripts/bench.sh          # full sizes (100k routes, 1,000 veth pairs, ...), ~5-8 min
#   sudo scripts/bench.sh quick    # a tenth of the sizes, ~1-2 min
#
# Needs root for everything but the codec benchmark: each kernel benchmark creates its own
# throwaway namespace (np-bench-*) and removes it; nothing touches the host's namespace.
# NETPLUMB_BENCH_RUNS (default 3) sets how many runs each heavy workload's median is of.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-full}"
case "$mode" in full | quick) ;; *) echo "usage: $0 [full|quick]" >&2; exit 2 ;; esac
out="${NETPLUMB_BENCH_OUT:-$PWD/target/netplumb-bench}"
export NETPLUMB_BENCH="$mode" NETPLUMB_BENCH_OUT="$out"
mkdir -p "$out"
rm -f "$out/results.jsonl"

cleanup() {
    # Namespaces a killed run may have left behind (the benches delete their own on drop).
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^np-bench-' || true); do
        ip netns delete "$ns" 2>/dev/null || true
    done
}
trap cleanup EXIT

# The netplumb CLI (src/bin/netplumb), compared with `ip` by the bulk and dump benches
# (`-force -batch FILE`, `-j ... show`); they find it at target/release/netplumb unless
# NETPLUMB_BIN points elsewhere, and skip its rows if it is missing.
cargo build --release --bin netplumb
cargo bench --no-run --features cni --bench codec --bench netns --bench dump --bench bulk \
    --bench pool --bench nft --bench cni
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
for b in codec netns dump bulk pool nft cni; do
    echo "### cargo bench --bench $b" >&2
    cargo bench --features cni --bench "$b" 2>&1 | tee "$out/$b.log" >&2
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

python3 scripts/bench/report.py "$out/results.jsonl" BENCHMARKS.md \
    --mode "$mode" --load-before "$load_before" --load-after "$load_after"
echo "BENCHMARKS.md regenerated from $out/results.jsonl" >&2
