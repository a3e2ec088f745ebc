"""The Python client's analyses on the local server's samples, as JSON for the parity test.

Against a running local server, builds the SampleCollection of every sample of the main user and,
at two ranks and two metrics, computes each analysis with the official client (onecodex 1.2.0 and
the scikit-bio / scipy / scikit-learn / scikit-posthocs it calls), exactly as the client does it:
alpha diversity for each metric, beta diversity for each metric (both UniFracs included), PCoA (as
plot_pcoa), PCA (as plot_pca), MDS stress (as plot_mds with method="smacof"), hierarchical
clustering for each linkage with its leaf order (as the heatmap's _cluster_by_sample), alpha and
beta diversity stats, and filter. tests/parity/ecology.test.mjs compares the package with it.

An item the client refuses is written as {"error": "<exception type>: <message>"}, so the Node
side can check that the package refuses it too.

Run with the project venv (tests/python/setup_env.sh):
  python tests/python/ecology_parity.py --api http://127.0.0.1:PORT --out parity.json
"""

import argparse
import json
import math
import os
import sys
import time
import warnings

API_KEY = "0123456789abcdef0123456789abcdef"
RANKS = ["genus", "species"]
METRICS = ["readcount_w_children", "abundance_w_children"]
ALPHA_METRICS = ["shannon", "simpson", "observed_taxa", "chao1"]
BETA_METRICS = [
    "braycurtis", "jaccard", "cityblock", "manhattan", "euclidean", "aitchison",
    "weighted_unifrac", "unweighted_unifrac",
]
LINKAGES = ["average", "single", "complete", "weighted", "centroid", "median"]
# The field whose effect the server builds in (PERMANOVA p = 1/(N+1)), a field without effect,
# and a two-group field (Mann-Whitney U instead of Kruskal-Wallis).
STRONG_FIELD = "site"
NULL_FIELD = "region"
TWO_GROUP_FIELD = "reviewed"
PERMUTATIONS = 999
# filter: kept when the sample's site is soil or water and its filename ends in .fastq.gz.
FILTER_SITES = ["soil", "water"]
FILTER_SUFFIX = ".fastq.gz"


def finite(x):
    """JSON has no NaN/inf: None stands for NaN, strings for infinities."""
    if x is None:
        return None
    x = float(x)
    if math.isnan(x):
        return None
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def floats(values):
    return [finite(v) for v in values]


def matrix(rows):
    return [floats(r) for r in rows]


def attempt(fn):
    """The item's value, or the error the client raised for it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn()
    except Exception as e:  # the client's own refusal is a result to compare too
        return {"error": f"{type(e).__name__}: {e}"}


def distance_json(dm):
    return {"ids": list(dm.ids), "values": matrix(dm.data)}


def clr_norm2(coll, rank, metric):
    import numpy as np
    from skbio.stats.composition import clr, multi_replace

    df = coll.to_df(metric=metric, rank=rank)
    z = clr(multi_replace(df))
    return floats(np.einsum("ij,ij->i", z, z))


def pcoa_json(dists_df):
    from skbio.stats import ordination

    # plot_pcoa rounds the distances to 6 decimals before skbio's pcoa.
    res = ordination.pcoa(dists_df.round(6))
    return {
        "ids": [str(i) for i in dists_df.index],
        "eigvals": floats(res.eigvals.values),
        "proportion_explained": floats(res.proportion_explained.values),
        "coordinates": matrix(res.samples.values),
    }


def pca_json(coll, rank, metric):
    from sklearn.decomposition import PCA

    df = coll.to_classification_df(rank=rank, metric=metric)
    if coll._parse_classification_config_args(metric=metric, rank=rank)[0].is_abundance_metric:
        df = df.drop([i for i in coll._classification_ids_without_abundances if i in df.index])
    pca = PCA()
    scores = pca.fit(df.values).transform(df.values)
    return {
        "ids": [str(i) for i in df.index],
        "columns": [str(c) for c in df.columns],
        "scores": matrix(scores),
        "components": matrix(pca.components_),
        "explained_variance": floats(pca.explained_variance_),
        "explained_variance_ratio": floats(pca.explained_variance_ratio_),
    }


def mds_json(dists_df):
    import numpy as np
    from sklearn import manifold

    # As plot_mds(method="smacof").
    mds = manifold.MDS(
        max_iter=3000, eps=1e-12, random_state=np.random.RandomState(seed=3),
        dissimilarity="precomputed", n_jobs=1, n_init=4, normalized_stress="auto",
    )
    fit = mds.fit(dists_df)
    return {"ids": [str(i) for i in dists_df.index], "stress": finite(fit.stress_),
            "embedding": matrix(fit.embedding_)}


def linkage_json(coll, rank, metric, method):
    from scipy.cluster import hierarchy
    from scipy.spatial.distance import squareform

    # As _cluster_by_sample (the heatmap and the bar chart's haxis ordering): Bray-Curtis on the
    # collection's distances rounded to 6 decimals, then scipy's linkage and dendrogram.
    dist = coll._compute_distance(rank=rank, metric=metric, distance_metric="braycurtis").to_data_frame().round(6)
    clustering = hierarchy.linkage(squareform(dist), method=method)
    tree = hierarchy.dendrogram(clustering, no_plot=True)
    return {
        "ids": [str(i) for i in dist.index],
        "linkage": matrix(clustering),
        "leaves": [int(x) for x in tree["leaves"]],
        "ids_in_order": [str(dist.index[int(x)]) for x in tree["ivl"]],
    }


def posthoc_json(posthoc):
    if posthoc is None:
        return None
    out = {"test": str(posthoc.test.value if hasattr(posthoc.test, "value") else posthoc.test)}
    for key in ("statistics", "pvalues", "adjusted_pvalues"):
        df = getattr(posthoc, key, None)
        if df is not None:
            out[key] = {"groups": [str(g) for g in df.index], "values": matrix(df.values)}
    return out


def stats_json(res):
    return {
        "test": str(res.test.value if hasattr(res.test, "value") else res.test),
        "statistic": finite(res.statistic),
        "pvalue": finite(res.pvalue),
        "sample_size": int(res.sample_size),
        "group_sizes": {str(k): int(v) for k, v in res.group_sizes.items()},
        "num_permutations": getattr(res, "num_permutations", None),
        "posthoc": posthoc_json(res.posthoc),
    }


def filter_json(coll):
    def keep(s):
        custom = s.metadata.custom or {}
        return custom.get("site") in FILTER_SITES and s.filename.lower().endswith(FILTER_SUFFIX)

    kept = coll.filter(keep)
    return {
        "sites": FILTER_SITES,
        "filename_suffix": FILTER_SUFFIX,
        "sample_ids": [s.id for s in kept._res_list],
        "classification_ids": [c.id for c in kept._classifications],
    }


def one_config(coll, rank, metric):
    out = {"rank": rank, "metric": metric}
    timing = {}

    def timed(name, fn):
        t = time.perf_counter()
        v = attempt(fn)
        timing[name] = time.perf_counter() - t
        return v

    def alpha(m):
        a = coll.alpha_diversity(metric=metric, rank=rank, diversity_metric=m)
        return {"ids": [str(i) for i in a.index], "values": floats(a[m].values)}

    out["alpha"] = {m: timed(f"alpha.{m}", lambda m=m: alpha(m)) for m in ALPHA_METRICS}
    out["beta"] = {
        m: timed(f"beta.{m}", lambda m=m: distance_json(coll.beta_diversity(metric=metric, rank=rank, diversity_metric=m)))
        for m in BETA_METRICS
    }
    if "error" not in out["beta"]["aitchison"]:
        # The client's Aitchison distance uses sklearn's ||x||^2 + ||y||^2 - 2 x.y shortcut; the
        # tolerance scales with these squared norms of the clr vectors.
        out["beta"]["aitchison"]["clr_norm2"] = attempt(lambda: clr_norm2(coll, rank, metric))

    def dists(m):
        # As plot_mds: samples without abundances are left out for abundance metrics.
        mt = coll._parse_classification_config_args(metric=metric, rank=rank)[0]
        return coll._compute_distance(
            rank=rank, metric=metric, distance_metric=m,
            exclude_classifications_without_abundances=mt.is_abundance_metric,
        ).to_data_frame()

    out["pcoa"] = {m: timed(f"pcoa.{m}", lambda m=m: pcoa_json(dists(m))) for m in ("braycurtis", "weighted_unifrac")}
    out["pca"] = timed("pca", lambda: pca_json(coll, rank, metric))
    out["mds"] = {"braycurtis": timed("mds.braycurtis", lambda: mds_json(dists("braycurtis")))}
    out["linkage"] = {k: timed(f"linkage.{k}", lambda k=k: linkage_json(coll, rank, metric, k)) for k in LINKAGES}
    out["alpha_stats"] = {
        field: timed(f"alpha_stats.{field}", lambda field=field: stats_json(coll.alpha_diversity_stats(
            group_by=field, metric=metric, rank=rank, diversity_metric="shannon")))
        for field in (STRONG_FIELD, TWO_GROUP_FIELD)
    }
    out["beta_stats"] = {
        field: timed(f"beta_stats.{field}", lambda field=field: stats_json(coll.beta_diversity_stats(
            group_by=field, metric=metric, rank=rank, diversity_metric="braycurtis",
            num_permutations=PERMUTATIONS)))
        for field in (STRONG_FIELD, NULL_FIELD)
    }
    out["seconds"] = timing
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--api", required=True, help="the local server's API base URL")
    ap.add_argument("--out", required=True, help="where to write the JSON")
    args = ap.parse_args()

    os.environ["ONE_CODEX_NO_TELEMETRY"] = "1"
    from onecodex import Api
    from onecodex.models.collection import SampleCollection

    ocx = Api(base_url=args.api, api_key=API_KEY, telemetry=False)
    samples = [s for s in ocx.Samples.where(sort=["created_at"]) if s.status == "available"]
    coll = SampleCollection(samples)
    result = {
        "onecodex": __import__("onecodex.version").version.__version__,
        "sample_ids": [s.id for s in samples],
        "classification_ids": [c.id for c in coll._classifications],
        "automatic_metric": str(coll.automatic_metric.value),
        "fields": {"strong": STRONG_FIELD, "null": NULL_FIELD, "two_groups": TWO_GROUP_FIELD},
        "permutations": PERMUTATIONS,
        "filter": attempt(lambda: filter_json(coll)),
        "configs": [one_config(coll, rank, metric) for rank in RANKS for metric in METRICS],
    }
    with open(args.out, "w") as f:
        json.dump(result, f, allow_nan=False)
    print(f"wrote {args.out}: {len(samples)} samples, {len(result['configs'])} configurations", file=sys.stderr)


if __name__ == "__main__":
    main()
