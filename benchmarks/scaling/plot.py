#!/usr/bin/python3
"""Plots of the scaling CSVs: time, samples/s per core and parallel efficiency.

    plot.py WORK [--out DIR] [--dpi 100]

Reads WORK/strong.csv, WORK/weak.csv and WORK/nodes.csv (scaling.py; any
that is missing or empty is skipped) and writes DIR/strong.png, weak.png and
nodes.png (DIR defaults to this folder, benchmarks/scaling/), one figure of
three panels each. Points are the best of the rounds (filled), the median
(crosses); oversubscribed layouts (more ranks x threads than CPUs) are hollow.
Lines: the ideal (linear speed-up from the 1 x 1 best; flat time for weak
scaling) and, dotted, what the machine's CPUs allow (speed-up stops at the
CPU count). Times are tsweep's own `seconds` (plan to finish, inside the
process); the launcher's wall time (mpirun start-up and exit included) is
drawn faint. Also writes DIR/tables.md: the CSVs summarised per configuration
(best and median of the rounds, efficiency from the best runs and as the
median over rounds of the ratio to the same round's 1 x 1).
"""
import argparse
import csv
import os
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
COLORS = {"1min": "tab:blue", "1h": "tab:orange"}


def load(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r.get("rc") == "0" and r.get("seconds")]
    for r in rows:
        for k in ("ranks", "threads", "nodes", "cores", "cpus", "oversubscribed", "samples", "store_streams"):
            r[k] = int(r[k])
        for k in ("seconds", "wall_seconds"):
            r[k] = float(r[k])
    return rows


def groups(rows):
    """config -> {best, median, wall (best), rows}."""
    by = {}
    for r in rows:
        by.setdefault(r["config"], []).append(r)
    out = {}
    for name, rs in by.items():
        secs = sorted(r["seconds"] for r in rs)
        out[name] = dict(best=secs[0], median=statistics.median(secs), wall=min(r["wall_seconds"] for r in rs),
                         r=rs[0], n=len(rs))
    return out


def series(g, pick, x):
    pts = sorted(((x(v["r"]), v) for v in g.values() if pick(v["r"])), key=lambda p: p[0])
    return [p[0] for p in pts], [p[1] for p in pts]


def draw(ax_t, ax_r, ax_e, xs, vs, color, label, ref_best, ref_med, kind, marker="o", ls="-"):
    """One family of points on the three panels. kind: strong (efficiency T1/(c T)) or weak (T1/T)."""
    if not xs:
        return
    over = [v["r"]["oversubscribed"] for v in vs]
    c = [v["r"]["cores"] for v in vs]
    best = [v["best"] for v in vs]
    med = [v["median"] for v in vs]
    rate = [v["r"]["samples"] / v["best"] / cc for v, cc in zip(vs, c)]
    rate_med = [v["r"]["samples"] / v["median"] / cc for v, cc in zip(vs, c)]
    if kind == "strong":
        eff = [ref_best / (b * cc) for b, cc in zip(best, c)]
        eff_med = [ref_med / (m * cc) for m, cc in zip(med, c)]
    else:
        eff = [ref_best / b for b in best]
        eff_med = [ref_med / m for m in med]
    for ax, y, ym in ((ax_t, best, med), (ax_r, [v / 1e9 for v in rate], [v / 1e9 for v in rate_med]),
                      (ax_e, eff, eff_med)):
        ax.plot(xs, y, linestyle=ls or "none", marker=marker, color=color, lw=1.3, ms=6, label=label)
        for xx, yy, o in zip(xs, y, over):
            if o:
                ax.plot([xx], [yy], marker, color=color, mfc="white", ms=6)
        ax.plot(xs, ym, "x", color=color, ms=5, alpha=0.7)
    ax_t.plot(xs, [v["wall"] for v in vs], ":", color=color, lw=0.9, alpha=0.45)


def ideal(ax_t, ax_r, ax_e, xs, t1, r1, cpus, kind, color):
    if not xs:
        return
    xs = sorted(set(xs))
    if kind == "strong":
        ax_t.plot(xs, [t1 / x for x in xs], "--", color=color, lw=0.8, alpha=0.8)
        ax_t.plot(xs, [t1 / min(x, cpus) for x in xs], ":", color="grey", lw=0.8)
        ax_e.plot(xs, [min(x, cpus) / x for x in xs], ":", color="grey", lw=0.8)
        ax_r.plot(xs, [r1 * min(x, cpus) / x for x in xs], ":", color="grey", lw=0.8)
    else:
        ax_t.plot(xs, [t1] * len(xs), "--", color=color, lw=0.8, alpha=0.8)
        ax_t.plot(xs, [t1 * max(1.0, x / cpus) for x in xs], ":", color="grey", lw=0.8)
        ax_e.plot(xs, [min(1.0, cpus / x) for x in xs], ":", color="grey", lw=0.8)
        ax_r.plot(xs, [r1 * min(x, cpus) / x for x in xs], ":", color="grey", lw=0.8)
    ax_r.plot(xs, [r1] * len(xs), "--", color=color, lw=0.8, alpha=0.8)
    ax_e.plot(xs, [1.0] * len(xs), "--", color="black", lw=0.8, alpha=0.6)


def figure(title, xlabel, logx=True):
    fig, axes = plt.subplots(1, 3, figsize=(12.5, 4.3))
    axes[0].set_ylabel("seconds (tsweep run)")
    axes[1].set_ylabel("G samples/s per core")
    axes[2].set_ylabel("parallel efficiency")
    for ax in axes:
        ax.set_xlabel(xlabel)
        if logx:
            ax.set_xscale("log", base=2)
        ax.grid(True, alpha=0.3)
    axes[0].set_yscale("log")
    axes[2].set_ylim(0, 1.15)
    fig.suptitle(title, fontsize=10)
    return fig, axes


def finish(fig, axes, path, dpi, note):
    xs = sorted({x for ax in axes for line in ax.get_lines() for x in line.get_xdata()})
    for ax in axes:
        ax.set_xticks(xs)
        ax.set_xticklabels(["%g" % x for x in xs])
        ax.minorticks_off() if ax is not axes[0] else None
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 3), fontsize=7, frameon=False,
               bbox_to_anchor=(0.5, 0.035))
    fig.text(0.5, 0.005, note, ha="center", fontsize=7, color="dimgrey")
    rows = (len(labels) + 2) // 3
    fig.tight_layout(rect=(0, 0.05 + 0.035 * rows, 1, 0.95))
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    print("wrote", path)


NOTE = ("filled: best of rounds; x: median; hollow: oversubscribed (ranks x threads > CPUs); "
        "dashed: ideal; grey dotted: what %d CPUs allow; faint dotted (time): launcher wall")


def plot_strong(rows, out, dpi):
    g = groups(rows)
    fig, (at, ar, ae) = figure("Strong scaling: one store (%s, %s samples), stats + quality"
                               % (rows[0]["store"], f"{rows[0]['samples']:,}"), "ranks x threads (cores)")
    cpus = rows[0]["cpus"]
    for w in sorted({r["window"] for r in rows}, key=lambda w: list(COLORS).index(w) if w in COLORS else 9):
        col = COLORS.get(w, None)
        base = g.get("%s-1x1" % w)
        if not base:
            continue
        t1, m1 = base["best"], base["median"]
        r1 = base["r"]["samples"] / t1 / 1e9
        plain = lambda r: not r["unit_samples"] and r["window"] == w  # noqa: E731
        xs, vs = series(g, lambda r: plain(r) and r["threads"] == 1, lambda r: r["cores"])
        draw(at, ar, ae, xs, vs, col, "%s windows, ranks x 1" % w, t1, m1, "strong")
        xs2, vs2 = series(g, lambda r: plain(r) and r["ranks"] == 1, lambda r: r["cores"])
        draw(at, ar, ae, xs2, vs2, col, "%s windows, 1 x threads" % w, t1, m1, "strong", marker="s", ls="--")
        xs3, vs3 = series(g, lambda r: plain(r) and r["ranks"] > 1 and r["threads"] > 1, lambda r: r["cores"])
        draw(at, ar, ae, xs3, vs3, col, "%s windows, ranks x threads" % w, t1, m1, "strong", marker="D", ls="")
        ideal(at, ar, ae, xs + xs2 + xs3, t1, r1, cpus, "strong", col)
    finish(fig, (at, ar, ae), os.path.join(out, "strong.png"), dpi, NOTE % cpus)


def plot_weak(rows, out, dpi):
    g = groups(rows)
    per = rows[0]["store_streams"] // max(1, rows[0]["ranks"])
    fig, (at, ar, ae) = figure("Weak scaling: %d streams x %s per rank, 1 thread per rank"
                               % (per, rows[0]["store_duration"]), "ranks")
    cpus = rows[0]["cpus"]
    for w in sorted({r["window"] for r in rows}, key=lambda w: list(COLORS).index(w) if w in COLORS else 9):
        col = COLORS.get(w, None)
        base = g.get("%s-1x1" % w)
        if not base:
            continue
        t1, m1 = base["best"], base["median"]
        r1 = base["r"]["samples"] / t1 / 1e9
        xs, vs = series(g, lambda r: r["window"] == w, lambda r: r["ranks"])
        draw(at, ar, ae, xs, vs, col, "%s windows" % w, t1, m1, "weak")
        ideal(at, ar, ae, xs, t1, r1, cpus, "weak", col)
    finish(fig, (at, ar, ae), os.path.join(out, "weak.png"), dpi,
           NOTE.replace("dashed: ideal", "dashed: ideal (flat)") % cpus)


def plot_nodes(rows, out, dpi):
    g = groups(rows)
    sim = rows[0]["launcher"] == "simnodes"
    fig, (at, ar, ae) = figure("Across %s nodes: %s, %d rank(s) x %d thread(s) per node%s"
                               % ("simulated" if sim else "Slurm", rows[0]["store"], int(rows[0]["ranks_per_node"]),
                                  rows[0]["threads"], " (fake hosts on one machine, TCP over loopback)" if sim else ""),
                               "nodes", logx=False)
    cpus = rows[0]["cpus"]
    for w in sorted({r["window"] for r in rows}):
        col = COLORS.get(w, None)
        xs, vs = series(g, lambda r: r["window"] == w, lambda r: r["nodes"])
        if not xs:
            continue
        t1, m1 = vs[0]["best"] * vs[0]["r"]["cores"], vs[0]["median"] * vs[0]["r"]["cores"]
        r1 = vs[0]["r"]["samples"] / vs[0]["best"] / vs[0]["r"]["cores"] / 1e9
        draw(at, ar, ae, xs, vs, col, "%s windows" % w, t1, m1, "strong")
        # ideal against nodes: cores = nodes x ranks per node x threads
        k = vs[0]["r"]["cores"] // vs[0]["r"]["nodes"]
        xs_ = sorted(set(xs))
        at.plot(xs_, [t1 / (x * k) for x in xs_], "--", color=col, lw=0.8)
        if sim:
            at.plot(xs_, [t1 / min(x * k, cpus) for x in xs_], ":", color="grey", lw=0.8)
            ae.plot(xs_, [min(x * k, cpus) / (x * k) for x in xs_], ":", color="grey", lw=0.8)
            ar.plot(xs_, [r1 * min(x * k, cpus) / (x * k) for x in xs_], ":", color="grey", lw=0.8)
        ar.plot(xs_, [r1] * len(xs_), "--", color=col, lw=0.8)
        ae.plot(xs_, [1.0] * len(xs_), "--", color="black", lw=0.8, alpha=0.6)
    finish(fig, (at, ar, ae), os.path.join(out, "nodes.png"), dpi,
           (NOTE % cpus) + ("; all simulated nodes share this machine's CPUs" if sim else ""))


def table(name, rows):
    """Markdown summary of one CSV: per configuration best and median time, rate per core, parallel efficiency
    (from the best runs, and the median over rounds of the ratio to the same round's 1 x 1), other load."""
    g = groups(rows)
    rounds = {}
    for r in rows:
        rounds.setdefault((r["window"], r["round"]), {})[r["config"]] = r
    out = []
    hdr = "| config | ranks x threads | nodes | seconds best | median | G samples/s per core best | median | " \
          "efficiency best | median of rounds | wall s best | epochs | units | others' CPUs during (median) |"
    out += [hdr, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    order = sorted(g.values(), key=lambda v: (v["r"]["window"] != "1min", v["r"]["window"], v["r"]["nodes"],
                                               v["r"]["cores"], v["r"]["threads"], v["r"]["unit_samples"] or ""))
    for v in order:
        r = v["r"]
        w = r["window"]
        if name == "nodes":
            base = min((x for x in g.values() if x["r"]["window"] == w), key=lambda x: x["r"]["nodes"])
        else:
            base = g.get("%s-1x1" % w)
        c = r["cores"] / (base["r"]["cores"] if base else 1)
        weak = name == "weak"
        eff = (base["best"] / v["best"] / (1 if weak else c)) if base else float("nan")
        ratios = []
        for (ww, rnd), cfgs in rounds.items():
            if ww != w or not base or r["config"] not in cfgs or base["r"]["config"] not in cfgs:
                continue
            ratios.append(cfgs[base["r"]["config"]]["seconds"] / cfgs[r["config"]]["seconds"] / (1 if weak else c))
        # (not for simulated nodes: their ranks' CPU time escapes the driver's accounting)
        others = [float(x["others_cpus_during"]) for x in rows if x["config"] == r["config"] and
                  x.get("others_cpus_during") not in (None, "") and x.get("launcher") != "simnodes"]
        rate = r["samples"] / r["cores"] / 1e9
        label = r["config"] + (" (unit_samples %s)" % r["unit_samples"] if r["unit_samples"] else "")
        out.append("| `%s` | %d x %d%s | %d | %.3f | %.3f | %.3f | %.3f | %.0f %% | %s | %.2f | %s | %s | %s |" % (
            label, r["ranks"], r["threads"], " (over)" if r["oversubscribed"] else "", r["nodes"], v["best"],
            v["median"], rate / v["best"], rate / v["median"], 100 * eff,
            "%.0f %%" % (100 * statistics.median(ratios)) if ratios else "", v["wall"], r.get("epochs", ""),
            r.get("units", ""), "%.2f" % statistics.median(others) if others else ""))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("work")
    ap.add_argument("--out", default=HERE)
    ap.add_argument("--dpi", type=int, default=100)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    done = 0
    tables = []
    for name, fn in (("strong", plot_strong), ("weak", plot_weak), ("nodes", plot_nodes)):
        rows = load(os.path.join(a.work, name + ".csv"))
        if rows:
            fn(rows, a.out, a.dpi)
            tables.append("**%s** (`%s.csv`, %d runs)\n\n%s\n" % (name, name, len(rows), table(name, rows)))
            done += 1
        else:
            print("no runs in %s.csv: no %s.png" % (name, name), file=sys.stderr)
    if not done:
        sys.exit("plot.py: no CSV with runs in %s" % a.work)
    with open(os.path.join(a.out, "tables.md"), "w") as f:
        f.write("\n".join(tables))
    print("wrote", os.path.join(a.out, "tables.md"))


if __name__ == "__main__":
    main()
