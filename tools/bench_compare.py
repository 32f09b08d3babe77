#!/usr/bin/env python3
"""Runs accel's kernel benchmarks and their libtorch peer, and prints them side by side.

    tools/bench_compare.py build/release/bench_kernels build/bench-peers/bench_peer_kernels

The peer runs three times: with libtorch's best settings for this CPU (2 threads, the widest vector
ISA the CPU has: avx512 with OpenBLAS's SkylakeX kernels, else avx2 / Haswell), with one thread
(small ops run faster without OpenMP's hand-offs), and with its defaults. The fastest median of the
three counts for each benchmark, so accel is compared with libtorch at its best.
Prints a Markdown table: medians of --repetitions runs, ratio = accel / libtorch (lower is better).
On a shared machine, --rounds N repeats all three runs N times, interleaved, and keeps each
benchmark's fastest median: other load only ever slows a run down. accel runs before each of the
peer's runs, so that both sides get as many medians to keep the fastest of (a fastest of nine
against a fastest of three would favour whichever side ran more often) and each of accel's runs
sits next to one of libtorch's in time. Standard library only.
"""
import argparse
import json
import os
import re
import subprocess
import sys



def cpu_has_avx512():
    try:
        with open("/proc/cpuinfo") as f:
            return " avx512f" in f.read()
    except OSError:
        return False


# Forcing avx512 on a CPU without it kills libtorch with SIGILL.
BEST_ENV = ({"OMP_NUM_THREADS": "2", "ATEN_CPU_CAPABILITY": "avx512", "OPENBLAS_CORETYPE": "SkylakeX"}
            if cpu_has_avx512() else
            {"OMP_NUM_THREADS": "2", "ATEN_CPU_CAPABILITY": "avx2", "OPENBLAS_CORETYPE": "Haswell"})
ONE_THREAD_ENV = {**BEST_ENV, "OMP_NUM_THREADS": "1"}
TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
# Google Benchmark appends the run settings to the name: sgemm/1024/min_time:0.200/real_time.
SETTINGS_SUFFIX = re.compile(r"/(min_time|min_warmup_time|iterations|repeats|threads):[^/]*|/(real|manual)_time")
COUNTER_KEYS_SKIPPED = {"name", "run_name", "run_type", "family_index", "per_family_instance_index",
                        "repetitions", "repetition_index", "threads", "iterations", "real_time",
                        "cpu_time", "time_unit", "aggregate_name", "aggregate_unit", "error_occurred",
                        "error_message"}


def run(binary, env, repetitions, filt):
    """Medians per benchmark: {name: (real time in ns, {counter: value})}."""
    cmd = [binary, "--benchmark_format=json", f"--benchmark_repetitions={repetitions}",
           "--benchmark_report_aggregates_only=true"]
    if filt:
        cmd.append(f"--benchmark_filter={filt}")
    label = " ".join(f"{k}={v}" for k, v in env.items() if os.environ.get(k) != v)
    print(f"running: {label + ' ' if label else ''}{' '.join(cmd)}", file=sys.stderr, flush=True)
    out = subprocess.run(cmd, env=env, check=True, stdout=subprocess.PIPE, text=True).stdout
    medians = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        name = SETTINGS_SUFFIX.sub("", b["run_name"])
        counters = {k: v for k, v in b.items() if k not in COUNTER_KEYS_SKIPPED and isinstance(v, (int, float))}
        medians[name] = (b["real_time"] * TO_NS[b["time_unit"]], counters)
    return medians


def faster(into, medians):
    """Keeps, per benchmark, the faster of the medians in `into` and `medians`."""
    for name, m in medians.items():
        if name not in into or m[0] < into[name][0]:
            into[name] = m


def fmt_time(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def fmt_counters(counters):
    return ", ".join(f"{k} {v:.4g}" for k, v in sorted(counters.items()))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("accel", help="accel benchmark binary (build/release/bench_kernels)")
    p.add_argument("peer", help="libtorch peer binary (build/bench-peers/bench_peer_kernels)")
    p.add_argument("--repetitions", type=int, default=5, help="runs per benchmark; the median is reported")
    p.add_argument("--rounds", type=int, default=1, help="repeat everything; keep each benchmark's fastest median")
    p.add_argument("--filter", default="", help="--benchmark_filter regex passed to both binaries")
    args = p.parse_args()

    base = {k: v for k, v in os.environ.items() if k not in BEST_ENV}
    accel, best, one_thread, default = {}, {}, {}, {}
    for _ in range(args.rounds):
        for peer, env in ((best, {**base, **BEST_ENV}), (one_thread, {**base, **ONE_THREAD_ENV}), (default, base)):
            faster(accel, run(args.accel, dict(os.environ), args.repetitions, args.filter))
            faster(peer, run(args.peer, env, args.repetitions, args.filter))

    print("| benchmark | accel | libtorch | accel / libtorch | libtorch run | accel counters | libtorch counters |")
    print("|---|---:|---:|---:|---|---|---|")
    for name, (t_accel, c_accel) in accel.items():
        runs = [(*r[name], label) for label, r in (("best env", best), ("1 thread", one_thread), ("defaults", default))
                if name in r]
        if not runs:
            print(f"| {name} | {fmt_time(t_accel)} | - | - | - | {fmt_counters(c_accel)} | - |")
            continue
        t_peer, c_peer, label = min(runs, key=lambda r: r[0])
        print(f"| {name} | {fmt_time(t_accel)} | {fmt_time(t_peer)} | {t_accel / t_peer:.2f} | {label} "
              f"| {fmt_counters(c_accel)} | {fmt_counters(c_peer)} |")


if __name__ == "__main__":
    main()
