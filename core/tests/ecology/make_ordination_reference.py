"""Writes ordination_reference.json: PCoA, PCA, MDS and linkage results of the Python reference
(scikit-bio, scikit-learn, scipy, called as the onecodex client calls them) on small constructed
inputs, for core/tests/ecology_ordination.rs and tests/js/ecology-ordination.test.mjs.

Run with the reference virtualenv (onecodex 1.2.0 with its `all` extra):
    /work/pyref/bin/python core/tests/ecology/make_ordination_reference.py
"""

import json
import pathlib
import warnings

import numpy as np
import scipy
import skbio
import sklearn
from scipy.cluster import hierarchy
from scipy.spatial.distance import pdist, squareform
from skbio.stats import ordination
from sklearn import manifold
from sklearn.decomposition import PCA

OUT = pathlib.Path(__file__).with_name("ordination_reference.json")
GAP = 1e-6  # relative eigenvalue gap below which an axis is not unique (the parity tolerance)


def flat(a):
    return [float(x) for x in np.asarray(a, dtype=float).ravel()]


def pin_signs(columns):
    """plot_pcoa's rule on every column: the entry of largest |value| (first on ties) is positive."""
    idx = np.argmax(np.abs(columns), axis=0)
    signs = np.sign(columns[idx, np.arange(columns.shape[1])])
    signs[signs == 0] = 1
    return columns * signs


def separated(values):
    """How many leading values are each separated from the next by more than GAP, relatively."""
    values = list(values)
    k = 0
    while k < len(values):
        # a zero eigenvalue (up to rounding) has no defined axis
        if abs(values[k]) <= 1e-10 * abs(values[0]):
            break
        nxt = values[k + 1] if k + 1 < len(values) else None
        if nxt is not None and abs(values[k] - nxt) <= GAP * abs(values[k]):
            break
        k += 1
    return k


def square(d):
    d = np.asarray(d, dtype=float)
    return d if d.ndim == 2 else squareform(d)


rng = np.random.RandomState(20261203)
points_6 = rng.uniform(size=(6, 3))
counts_8 = rng.poisson(lam=[30, 5, 12, 1, 60, 8, 3], size=(8, 7)).astype(float)
counts_10 = rng.poisson(lam=[50, 2, 20, 7, 9], size=(10, 5)).astype(float)
grid_7 = np.array([[0, 0], [1, 0], [0, 1], [1, 1], [2, 0], [3, 1], [2, 2]], dtype=float)

distance_inputs = {
    "euclidean_6": square(pdist(points_6)),
    "braycurtis_8": square(pdist(counts_8, "braycurtis")),
    "braycurtis_10": square(pdist(counts_10, "braycurtis")),
    "three_points": np.array([[0, 3, 4], [3, 0, 5], [4, 5, 0]], dtype=float),
    # two identical samples: a zero distance and zeroed eigenvalues
    "duplicate_5": square(pdist(np.array([[1, 0], [1, 0], [0, 2], [3, 1], [2, 2]], dtype=float))),
}


def pcoa_case(name, d, rounded):
    dm = np.round(d, 6) if rounded else d
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = ordination.pcoa(dm)
    eig = r.eigvals.values
    coords = pin_signs(r.samples.values.copy())
    return {
        "name": name,
        "rounded": rounded,
        "n": len(d),
        "distances": flat(d),
        "eigenvalues": flat(eig),
        "proportionExplained": flat(r.proportion_explained.values),
        "coordinates": flat(coords),
        "separatedAxes": separated(eig),
    }


pcoa_cases = [pcoa_case(k, v, False) for k, v in distance_inputs.items()]
# The collection level rounds distances to 6 decimals first, as plot_mds(method="pcoa") does.
pcoa_cases.append(pcoa_case("braycurtis_8_rounded", distance_inputs["braycurtis_8"], True))


def pca_case(name, x):
    x = np.asarray(x, dtype=float)
    pca = PCA()
    scores = pca.fit(x).transform(x)
    return {
        "name": name,
        "rows": x.shape[0],
        "cols": x.shape[1],
        "values": flat(x),
        "svdSolver": pca._fit_svd_solver,
        "scores": flat(scores),
        "components": flat(pca.components_),
        "explainedVarianceRatio": flat(pca.explained_variance_ratio_),
        "separatedAxes": separated(pca.explained_variance_),
    }


props_6 = rng.dirichlet(np.ones(4), size=6)
pca_cases = [
    pca_case("proportions_6x4", props_6),
    pca_case("wide_5x9", rng.uniform(size=(5, 9))),
    pca_case("tall_40x3", rng.normal(size=(40, 3)) * [3.0, 1.0, 0.2]),  # sklearn's covariance_eigh path
    pca_case("counts_8x7", counts_8),
]


def results_json(readcounts, abundances):
    """A minimal classification results body: a root and one genus row per column."""
    rows = [{"tax_id": "1", "name": "root", "rank": "no rank", "parent_tax_id": None,
             "readcount": 0, "readcount_w_children": int(sum(readcounts)),
             "abundance": None, "abundance_w_children": None}]
    for j, rc in enumerate(readcounts):
        ab = None if abundances is None else float(abundances[j])
        rows.append({"tax_id": str(1000 + j), "name": f"Genus{j}", "rank": "genus", "parent_tax_id": "1",
                     "readcount": int(rc), "readcount_w_children": int(rc),
                     "abundance": ab, "abundance_w_children": ab})
    return {"n_reads": int(sum(readcounts)) + 1000, "table": rows}


def collection_pca_case(name, metric, readcounts, abundances):
    """The collection's genus matrix for `metric` is known: readcount_w_children, or the
    abundances of the classifications that have them (plot_pca leaves the others out)."""
    items = [{"classificationId": f"c{i:02d}", "results": results_json(rc, ab)}
             for i, (rc, ab) in enumerate(zip(readcounts, abundances))]
    if metric == "readcount_w_children":
        kept = [i for i in range(len(items))]
        x = np.asarray(readcounts, dtype=float)
    else:
        kept = [i for i, ab in enumerate(abundances) if ab is not None]
        x = np.asarray([abundances[i] for i in kept], dtype=float)
    case = pca_case(name, x)
    case.update({"metric": metric, "rank": "genus", "items": items,
                 "analysedIds": [items[i]["classificationId"] for i in kept],
                 "columnIds": [str(1000 + j) for j in range(x.shape[1])]})
    return case


collection_counts = rng.poisson(lam=[40, 10, 25, 5], size=(5, 4))
collection_abundances = [list(r / r.sum()) for r in rng.uniform(0.1, 1.0, size=(5, 4))]
collection_abundances[2] = None  # a classification without abundances
collection_pca_cases = [
    collection_pca_case("readcounts_5x4", "readcount_w_children", collection_counts, [None] * 5),
    collection_pca_case("abundances_4_of_5", "abundance_w_children", collection_counts, collection_abundances),
]


def mds_case(name, d, seed):
    # exactly as VizDistanceMixin.plot_mds(method="smacof") calls it
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mds = manifold.MDS(
            max_iter=3000,
            eps=1e-12,
            random_state=np.random.RandomState(seed=seed),
            dissimilarity="precomputed",
            n_jobs=1,
            n_init=4,
            normalized_stress="auto",
        )
        pos = mds.fit(d).embedding_
    return {
        "name": name,
        "n": len(d),
        "seed": seed,
        "distances": flat(d),
        "coordinates": flat(pos),
        "stress": float(mds.stress_),
        "nIter": int(mds.n_iter_),
    }


mds_cases = [
    mds_case("euclidean_6", distance_inputs["euclidean_6"], 3),
    mds_case("braycurtis_8", distance_inputs["braycurtis_8"], 3),
    mds_case("braycurtis_10", distance_inputs["braycurtis_10"], 3),
    mds_case("braycurtis_10_seed7", distance_inputs["braycurtis_10"], 7),
    mds_case("three_points", distance_inputs["three_points"], 3),
]

# numpy's legacy RandomState draws, for the MT19937 start of the MDS runs
uniform_draws = [
    {"seed": s, "values": flat(np.random.RandomState(seed=s).uniform(size=8))} for s in (3, 0, 4294967295)
]

linkage_inputs = {
    "braycurtis_8": np.round(distance_inputs["braycurtis_8"], 6),
    "braycurtis_10": np.round(distance_inputs["braycurtis_10"], 6),
    # many tied distances (a grid), resolved by each algorithm's scan order
    "grid_7": np.round(square(pdist(grid_7)), 6),
    # integer distances with ties everywhere
    "ties_6": np.array(
        [
            [0, 1, 2, 2, 3, 1],
            [1, 0, 1, 2, 2, 3],
            [2, 1, 0, 1, 2, 2],
            [2, 2, 1, 0, 1, 2],
            [3, 2, 2, 1, 0, 1],
            [1, 3, 2, 2, 1, 0],
        ],
        dtype=float,
    ),
    "all_equal_5": np.ones((5, 5)) - np.eye(5),
    # 30 samples of coarse counts: many exactly tied Bray–Curtis distances after rounding
    "coarse_braycurtis_30": np.round(square(pdist(rng.randint(0, 3, size=(30, 4)).astype(float) + [1, 0, 0, 0], "braycurtis")), 6),
    "two_points": np.array([[0, 0.5], [0.5, 0]]),
}
METHODS = ["average", "single", "complete", "weighted", "centroid", "median"]

linkage_cases = []
for name, d in linkage_inputs.items():
    for method in METHODS:
        z = hierarchy.linkage(squareform(d), method=method)
        ivl = hierarchy.dendrogram(z, no_plot=True)["ivl"]
        linkage_cases.append(
            {
                "name": name,
                "method": method,
                "n": len(d),
                "distances": flat(d),
                "linkage": flat(z),
                "leaves": [int(x) for x in ivl],
            }
        )

OUT.write_text(
    json.dumps(
        {
            "generator": "core/tests/ecology/make_ordination_reference.py",
            "versions": {
                "scikit-bio": skbio.__version__,
                "scikit-learn": sklearn.__version__,
                "scipy": scipy.__version__,
                "numpy": np.__version__,
            },
            "pcoa": pcoa_cases,
            "pca": pca_cases,
            "collectionPca": collection_pca_cases,
            "mds": mds_cases,
            "uniformDraws": uniform_draws,
            "linkage": linkage_cases,
        },
        indent=1,
    )
    + "\n"
)
print(f"wrote {OUT} ({len(pcoa_cases)} PCoA, {len(pca_cases)} PCA, {len(mds_cases)} MDS, {len(linkage_cases)} linkage)")
