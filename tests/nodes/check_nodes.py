#!/usr/bin/python3
"""Checks for the simulated-node tests (tests/nodes/). Prints one line: what
was found, or every problem; exit 1 on a problem.

  check_nodes.py info INFO_JSON NODES RANKS_PER_NODE
      `tsweep info --json` output: ranks 0..N*R-1 in order on node1..nodeN, R
      each, with local_rank/local_size counting the ranks of their node only
      (one MPI_COMM_TYPE_SHARED communicator per simulated node), and the
      threads of a node's ranks sharing that node's CPUs
  check_nodes.py provenance RESULTS_H5 NODES RANKS_PER_NODE THREADS
      a results file's /provenance/json: the hosts node1..nodeN, every rank on
      its node with THREADS threads
  check_nodes.py one-node INFO_JSON RANKS
      `tsweep info --json` of RANKS ranks on one (real) host: one node
"""
import json
import sys


def node_of(rank, per):
    return f"node{rank // per + 1}"


def info(path, nodes, per):
    ranks = sorted(json.load(open(path))["ranks"], key=lambda r: r["rank"])
    problems = []
    if [r["rank"] for r in ranks] != list(range(nodes * per)):
        problems.append(f"ranks {[r['rank'] for r in ranks]}, expected 0..{nodes * per - 1}")
    hosts = {}
    for r in ranks:
        hosts.setdefault(r["host"], []).append(r)
        if r["host"] != node_of(r["rank"], per):
            problems.append(f"rank {r['rank']} on {r['host']}, expected {node_of(r['rank'], per)}")
        if r["local_rank"] != r["rank"] % per or r["local_size"] != per:
            problems.append(f"rank {r['rank']}: local rank {r['local_rank']} of {r['local_size']}, expected "
                            f"{r['rank'] % per} of {per} (one MPI_COMM_TYPE_SHARED communicator per node)")
        if r["threads"] < 1:
            problems.append(f"rank {r['rank']}: {r['threads']} threads")
        # The CPUs in the mask are shared among the ranks of this node only.
        if r["source"] == "affinity" and r["mask_cpus"] >= per:
            lo, hi = r["mask_cpus"] // per, -(-r["mask_cpus"] // per)
            if not lo <= r["threads"] <= hi:
                problems.append(f"rank {r['rank']}: {r['threads']} threads from {r['mask_cpus']} CPUs shared "
                                f"by its node's {per} ranks, expected {lo}..{hi}")
    if len(hosts) != nodes:
        problems.append(f"{len(hosts)} hosts {sorted(hosts)}, expected {nodes}")
    for host, rs in hosts.items():
        total = sum(x["threads"] for x in rs)
        if rs[0]["source"] == "affinity" and total > max(rs[0]["mask_cpus"], per):
            problems.append(f"{host}: {total} threads on {rs[0]['mask_cpus']} CPUs")
    found = ", ".join(f"{h}: ranks {[x['rank'] for x in rs]} with {[x['threads'] for x in rs]} threads"
                      for h, rs in sorted(hosts.items()))
    return problems, found


def provenance(path, nodes, per, threads):
    import h5py

    with h5py.File(path, "r") as f:
        p = json.loads(bytes(f["provenance/json"][:]).rstrip(b"\0").decode())
    problems = []
    want_hosts = [f"node{k}" for k in range(1, nodes + 1)]
    if sorted(p.get("hosts", [])) != want_hosts:
        problems.append(f"hosts {p.get('hosts')}, expected {want_hosts}")
    if p.get("ranks") != nodes * per:
        problems.append(f"ranks {p.get('ranks')}, expected {nodes * per}")
    per_rank = p.get("per_rank", [])
    if sorted(r["rank"] for r in per_rank) != list(range(nodes * per)):
        problems.append(f"per-rank records for ranks {sorted(r['rank'] for r in per_rank)}")
    for r in per_rank:
        if r["host"] != node_of(r["rank"], per):
            problems.append(f"rank {r['rank']} on {r['host']}, expected {node_of(r['rank'], per)}")
        if r["threads"] != threads:
            problems.append(f"rank {r['rank']}: {r['threads']} threads, expected {threads}")
    return problems, f"provenance records hosts {p.get('hosts')}, {threads} thread(s) on each of {len(per_rank)} ranks"


def one_node(path, nranks):
    ranks = json.load(open(path))["ranks"]
    hosts = {r["host"] for r in ranks}
    problems = []
    if len(ranks) != nranks or len(hosts) != 1 or any(r["local_size"] != nranks for r in ranks):
        problems.append(f"{len(ranks)} ranks on hosts {sorted(hosts)} with local sizes "
                        f"{[r['local_size'] for r in ranks]}, expected {nranks} on one node")
    return problems, f"{nranks} ranks on {sorted(hosts)}, one node communicator"


def main(argv):
    what, path, nums = argv[1], argv[2], [int(x) for x in argv[3:]]
    problems, found = {"info": info, "provenance": provenance, "one-node": one_node}[what](path, *nums)
    print("; ".join(problems) if problems else found)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
