#!/usr/bin/env python3
"""Turns bench_codec's JSON output into the tables of benchmarks/RESULTS.md:
size and decode speed per data set and codec, with the ratios the targets are
stated in (against zstd-19 and memcpy measured in the same run).

    bench_codec --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
                --benchmark_out=codec.json --benchmark_out_format=json
    summarize.py codec.json
"""
import json
import sys


def main():
    runs = json.load(open(sys.argv[1]))["benchmarks"]
    med = {}
    for b in runs:
        if b.get("aggregate_name", "median") != "median":
            continue
        kind, dataset, codec = b["run_name"].split("/")[:3]
        med[(kind, dataset, codec)] = b
    datasets = []
    for kind, d, _ in med:
        if d not in datasets:
            datasets.append(d)
    for d in datasets:
        base = med.get(("decode", d, "zstd19"))
        ceil = med.get(("decode", d, "memcpy"))
        print("\n**%s**\n" % d)
        print("| codec | bits/sample | decode Msamples/s | x zstd-19 | x memcpy | encode Msamples/s |")
        print("|---|---:|---:|---:|---:|---:|")
        for (kind, dd, codec), b in med.items():
            if kind != "decode" or dd != d:
                continue
            rate = b["items_per_second"]
            enc = med.get(("encode", d, codec))
            print("| %s | %.2f | %.0f | %s | %.2f | %s |" % (
                codec, b["bits_per_sample"], rate / 1e6,
                "%.1f" % (rate / base["items_per_second"]) if base else "-",
                rate / ceil["items_per_second"],
                "%.0f" % (enc["items_per_second"] / 1e6) if enc else ""))


if __name__ == "__main__":
    main()
