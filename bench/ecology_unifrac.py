"""The `unifrac` package (Striped UniFrac, C++) on the collection the Python client builds, for
bench/ecology.mjs: the client's own table and tree (to_df with fill_missing, tree_build,
tree_prune_rank, the fake root it adds), written as BIOM (HDF5) and Newick, then timed in the
interpreter where `unifrac` is installed (--unifrac-python). Prints one JSON object.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import warnings

API_KEY = "0123456789abcdef0123456789abcdef"

TIMER = r"""
import json, sys, time, unifrac
table, tree = sys.argv[1], sys.argv[2]
out = {}
for name, fn in (("unifrac.weighted (Striped)", unifrac.weighted_normalized), ("unifrac.unweighted (Striped)", unifrac.unweighted)):
    times = []
    for _ in range(3):
        t = time.perf_counter(); fn(table, tree, threads=1); times.append(time.perf_counter() - t)
    out[name] = {"seconds": sorted(times)[1]}
print(json.dumps({"calls": out}))
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--api", required=True)
    ap.add_argument("--rank", default="genus")
    ap.add_argument("--metric", default="readcount_w_children")
    ap.add_argument("--unifrac-python", required=True)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    os.environ["ONE_CODEX_NO_TELEMETRY"] = "1"
    import biom
    from onecodex import Api
    from onecodex.models.collection import SampleCollection
    from skbio.tree import TreeNode

    ocx = Api(base_url=args.api, api_key=API_KEY, telemetry=False)
    coll = SampleCollection([s for s in ocx.Samples.where() if s.status == "available"])
    df = coll.to_df(rank=args.rank, metric=args.metric, fill_missing=True)
    tree = coll.tree_prune_rank(coll.tree_build(), rank=args.rank)
    root = TreeNode(name="fake root")
    root.append(tree)
    for node in root.traverse(include_self=True):
        if node.length is None and node is not root:
            node.length = 1.0
    with tempfile.TemporaryDirectory() as d:
        table_path, tree_path = os.path.join(d, "table.biom"), os.path.join(d, "tree.nwk")
        t = biom.Table(df.values.T, observation_ids=[str(c) for c in df.columns], sample_ids=[str(i) for i in df.index])
        with biom.util.biom_open(table_path, "w") as f:
            t.to_hdf5(f, "bench")
        root.write(tree_path)
        r = subprocess.run([args.unifrac_python, "-c", TIMER, table_path, tree_path], capture_output=True, text=True)
        if r.returncode != 0:
            print(json.dumps({"error": r.stderr.strip().splitlines()[-1] if r.stderr.strip() else "failed"}))
            return
        print(r.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.exit(main())
