"""The Python client's analyses, timed for bench/ecology.mjs (compute only).

Builds the SampleCollection of the local server's samples, builds its matrix once (the client
caches it: `_to_classification_df` is an lru_cache), then times each call as the client makes it
and prints one JSON object: {"n": samples, "calls": {name: {"seconds": median, "peak_mb": ...}}}.
Peak memory is tracemalloc's peak of the call (Python allocations, numpy's included).

Optionally (--unifrac-python PATH): the `unifrac` package (Striped UniFrac, C++) on the same
table and tree, run by that interpreter.

  python bench/ecology_python.py --api URL --rank genus [--only beta,unifrac,pcoa]
"""

import argparse
import json
import os
import statistics
import sys
import time
import tracemalloc
import warnings

API_KEY = "0123456789abcdef0123456789abcdef"


def timed(fn, repeat):
    times, peak = [], 0
    for _ in range(repeat):
        tracemalloc.start()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
        peak = max(peak, tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    return {"seconds": statistics.median(times), "peak_mb": peak / 2**20}


def calls(coll, rank, metric):
    import numpy as np
    from scipy.cluster import hierarchy
    from scipy.spatial.distance import squareform
    from skbio.stats import ordination
    from sklearn import manifold
    from sklearn.decomposition import PCA

    def bc():
        return coll.beta_diversity(metric=metric, rank=rank, diversity_metric="braycurtis")

    def pcoa():
        return ordination.pcoa(bc().to_data_frame().round(6))

    def pca():
        df = coll.to_classification_df(rank=rank, metric=metric)
        return PCA().fit(df.values).transform(df.values)

    def mds():
        m = manifold.MDS(max_iter=3000, eps=1e-12, random_state=np.random.RandomState(seed=3),
                         dissimilarity="precomputed", n_jobs=1, n_init=4, normalized_stress="auto")
        return m.fit(bc().to_data_frame())

    def linkage():
        return hierarchy.linkage(squareform(bc().to_data_frame().round(6)), method="average")

    out = {f"alpha.{m}": (lambda m=m: coll.alpha_diversity(metric=metric, rank=rank, diversity_metric=m))
           for m in ("shannon", "simpson", "observed_taxa")}
    out.update({f"beta.{m}": (lambda m=m: coll.beta_diversity(metric=metric, rank=rank, diversity_metric=m))
                for m in ("braycurtis", "jaccard", "cityblock", "euclidean", "aitchison")})
    out["unifrac.weighted"] = lambda: coll.unifrac(metric=metric, rank=rank, weighted=True)
    out["unifrac.unweighted"] = lambda: coll.unifrac(metric=metric, rank=rank, weighted=False)
    out["pcoa"] = pcoa
    out["pca"] = pca
    out["mds"] = mds
    out["linkage"] = linkage
    out["alphaStats"] = lambda: coll.alpha_diversity_stats(group_by="site", metric=metric, rank=rank)
    out["betaStats"] = lambda: coll.beta_diversity_stats(group_by="site", metric=metric, rank=rank, num_permutations=999)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--api", required=True)
    ap.add_argument("--rank", default="genus")
    ap.add_argument("--metric", default="readcount_w_children")
    ap.add_argument("--only", default="", help="comma-separated prefixes of call names")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    os.environ["ONE_CODEX_NO_TELEMETRY"] = "1"
    from onecodex import Api
    from onecodex.models.collection import SampleCollection

    ocx = Api(base_url=args.api, api_key=API_KEY, telemetry=False)
    samples = [s for s in ocx.Samples.where() if s.status == "available"]
    coll = SampleCollection(samples)
    t = time.perf_counter()
    coll.to_classification_df(rank=args.rank, metric=args.metric)  # fetch and build, once
    build = time.perf_counter() - t
    only = [p for p in args.only.split(",") if p]
    result = {"n": len(coll._classifications), "rank": args.rank, "build_seconds": build, "calls": {}}
    for name, fn in calls(coll, args.rank, args.metric).items():
        if only and not any(name.startswith(p) for p in only):
            continue
        try:
            # Slow calls once; fast ones three times.
            first = timed(fn, 1)
            result["calls"][name] = first if first["seconds"] > 5 else timed(fn, args.repeat)
        except Exception as e:
            result["calls"][name] = {"error": f"{type(e).__name__}: {e}"}
        print(f"  python {name}: {result['calls'][name]}", file=sys.stderr)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
