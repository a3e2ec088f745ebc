"""Reference values for the ecology tests, computed by the Python client onecodex 1.2.0 itself.

Run with the reference virtualenv (onecodex[all] 1.2.0, scikit-bio 0.7.1.post1, scipy 1.17.1):

    /work/pyref/bin/python core/tests/ecology/make_reference.py

It writes `reference.json` beside itself. Two collections of small, hand-designed results bodies
(ties, zeros, a blank sample with few reads, samples with nothing at species rank) are handed to a
real `onecodex.models.SampleCollection` whose classifications are stand-ins that return those
bodies; then `alpha_diversity`, `beta_diversity`, `unifrac`, `alpha_diversity_stats` and
`beta_diversity_stats` run unmodified. The rank tests, Dunn, Benjamini–Hochberg and the special
functions are also checked directly against scipy / scikit-posthocs on vectors chosen to reach
each branch (exact, asymptotic, permutation, ties, zeros).
"""

import json
import math
import types
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import scipy
import scipy.special
import scipy.stats
import skbio
import onecodex
from onecodex.models.collection import SampleCollection
from scikit_posthocs import posthoc_dunn

HERE = Path(__file__).resolve().parent

# ------------------------------------------------------------------------------------------------
# Taxonomy: (tax_id, name, rank, parent)
TAXA = [
    ("1", "root", "no rank", None),
    ("131567", "cellular organisms", "no rank", "1"),
    ("2", "Bacteria", "superkingdom", "131567"),
    ("1224", "Proteobacteria", "phylum", "2"),
    ("1236", "Gammaproteobacteria", "class", "1224"),
    ("91347", "Enterobacterales", "order", "1236"),
    ("543", "Enterobacteriaceae", "family", "91347"),
    ("561", "Escherichia", "genus", "543"),
    ("562", "Escherichia coli", "species", "561"),
    ("564", "Escherichia fergusonii", "species", "561"),
    ("83333", "Escherichia coli K-12", "no rank", "562"),
    ("620", "Shigella", "genus", "543"),
    ("622", "Shigella dysenteriae", "species", "620"),
    ("623", "Shigella flexneri", "species", "620"),
    ("1239", "Firmicutes", "phylum", "2"),
    ("91061", "Bacilli", "class", "1239"),
    ("1385", "Bacillales", "order", "91061"),
    ("90964", "Staphylococcaceae", "family", "1385"),
    ("1279", "Staphylococcus", "genus", "90964"),
    ("1280", "Staphylococcus aureus", "species", "1279"),
    ("1282", "Staphylococcus epidermidis", "species", "1279"),
    ("186826", "Lactobacillales", "order", "91061"),
    ("1300", "Streptococcaceae", "family", "186826"),
    ("1301", "Streptococcus", "genus", "1300"),
    ("1313", "Streptococcus pneumoniae", "species", "1301"),
    ("1314", "Streptococcus pyogenes", "species", "1301"),
    ("976", "Bacteroidetes", "phylum", "2"),
    ("200643", "Bacteroidia", "class", "976"),
    ("171549", "Bacteroidales", "order", "200643"),
    ("815", "Bacteroidaceae", "family", "171549"),
    ("816", "Bacteroides", "genus", "815"),
    ("817", "Bacteroides fragilis", "species", "816"),
    ("818", "Bacteroides thetaiotaomicron", "species", "816"),
    ("9606", "Homo sapiens", "species", "1"),
]
PARENT = {t: p for t, _, _, p in TAXA}
SPECIES = ["562", "564", "622", "623", "1280", "1282", "1313", "1314", "817", "818"]


def _under(t, ancestor):
    cur = PARENT[t]
    while cur is not None:
        if cur == ancestor:
            return True
        cur = PARENT[cur]
    return False


def results_body(readcounts, with_abundance=True, host_reads=0):
    """A results body: `readcounts` maps tax ids (species, or the strain 83333) to reads assigned
    there; every ancestor gets readcount_w_children; species get abundances when asked."""
    rc = {t: 0 for t, *_ in TAXA}
    for t, n in readcounts.items():
        rc[t] += n
    if host_reads:
        rc["9606"] = host_reads
    rwc = dict.fromkeys(rc, 0)
    for t, n in rc.items():
        cur = t
        while cur is not None:
            rwc[cur] += n
            cur = PARENT[cur]
    species_total = sum(rwc[s] for s in SPECIES)
    table = []
    for t, name, rank, parent in TAXA:
        if rwc[t] == 0 and t != "1":
            continue
        ab = abc = None
        if with_abundance and t != "9606" and species_total:
            # abundance on species rows; abundance_w_children on every row with species below
            below = sum(round(rwc[s] / species_total, 6) for s in SPECIES if s == t or _under(s, t))
            abc = below if below else None
            ab = round(rwc[t] / species_total, 6) if rank == "species" else None
        table.append(
            {
                "tax_id": t,
                "name": name,
                "rank": rank,
                "parent_tax_id": parent,
                "readcount": rc[t],
                "readcount_w_children": rwc[t],
                "abundance": ab,
                "abundance_w_children": abc,
            }
        )
    total = sum(rc.values())
    return {
        "table": table,
        "host_tax_ids": ["9606"] if host_reads else [],
        "n_reads": total + 1000,
        "n_mapped": total,
    }


def main_collection():
    """Thirteen samples: four sites (one of them a single sample), one sample without a site,
    two with identical compositions (ties), a blank with a handful of reads, paired visits."""
    rng = np.random.default_rng(20261203)
    items = []
    sites = ["gut", "gut", "gut", "gut", "skin", "skin", "skin", "skin", "oral", "oral", "oral", "nose", None]
    # gut: Bacteroides-rich; skin: Staphylococcus; oral: Streptococcus
    weights = {
        "gut": [30, 5, 3, 2, 1, 1, 1, 1, 60, 40],
        "skin": [2, 1, 1, 1, 50, 40, 3, 2, 1, 1],
        "oral": [3, 1, 1, 1, 3, 2, 50, 30, 1, 1],
        "nose": [5, 5, 5, 5, 20, 20, 10, 10, 5, 5],
        None: [10] * 10,
    }
    visits = ["pre", "post", "pre", "post", "pre", "post", "pre", "post", "pre", "post", None, None, None]
    subjects = ["s1", "s1", "s2", "s2", "s3", "s3", "s4", "s4", "s5", "s5", None, None, None]
    for i, site in enumerate(sites):
        w = np.array(weights[site], dtype=float)
        counts = rng.multinomial(400 + 37 * i, w / w.sum())
        counts[rng.random(10) < 0.25] = 0  # sparse
        reads = {s: int(c) for s, c in zip(SPECIES, counts) if c}
        if i == 1:
            reads = dict(items[0]["_reads"])  # identical to sample 0: tied diversity values
        if i == 6:
            reads = {"562": 1, "1280": 1, "1282": 2, "1313": 1}  # a blank: few reads
        if i == 3:
            reads["83333"] = 25  # a strain under E. coli
        body = results_body(reads, host_reads=100 if i % 3 == 0 else 0)
        items.append(
            {
                "classificationId": f"c{i:02d}aaaaaaaaaaaaa",
                "jobId": "job-ocx-db",
                "jobName": "One Codex Database",
                "results": body,
                "metadata": {
                    "custom": {
                        "site": site,
                        "visit": visits[i],
                        "subject": subjects[i],
                        "treated": bool(i % 2),
                        "age": 20 + i,
                    }
                },
                "_reads": reads,
            }
        )
    for it in items:
        del it["_reads"]
    return items


def sparse_collection():
    """Five samples: two with nothing at species rank (all-zero rows), one without abundances."""
    bodies = [
        results_body({"562": 10, "1280": 5, "817": 3}),
        results_body({}, host_reads=50),  # only root and host: all-zero rows
        results_body({"1313": 7, "1314": 7, "817": 1}),
        results_body({}),
        results_body({"562": 4, "1280": 4, "1282": 2}, with_abundance=False),
    ]
    # Give the empty ones a superkingdom row so they are not just a root.
    for b in (bodies[1], bodies[3]):
        b["table"].append(
            {"tax_id": "2", "name": "Bacteria", "rank": "superkingdom", "parent_tax_id": "131567",
             "readcount": 3, "readcount_w_children": 3, "abundance": None, "abundance_w_children": None}
        )
        b["table"].append(
            {"tax_id": "131567", "name": "cellular organisms", "rank": "no rank", "parent_tax_id": "1",
             "readcount": 0, "readcount_w_children": 3, "abundance": None, "abundance_w_children": None}
        )
    groups = ["a", "a", "b", "b", "b"]
    return [
        {
            "classificationId": f"s{i}bbbbbbbbbbbbbb",
            "jobId": "job-ocx-db",
            "jobName": "One Codex Database",
            "results": b,
            "metadata": {"custom": {"group": groups[i]}},
        }
        for i, b in enumerate(bodies)
    ]


class StandInClassification:
    def __init__(self, item):
        self.id = item["classificationId"]
        self._results = item["results"]
        self.success = True
        self.job = types.SimpleNamespace(id=item["jobId"], name=item["jobName"])

    def results(self, json=True):
        return self._results


def python_collection(items):
    sc = SampleCollection([])
    stand_ins = [StandInClassification(it) for it in items]
    sc.__dict__["_classifications"] = stand_ins
    # The client caches matrices per collection by the hash of `_res_list` (ids) and `==`
    # (identity of members): distinct members keep two collections' caches apart.
    sc._res_list = stand_ins
    rows = [dict(it["metadata"]["custom"]) for it in items]
    sc.__dict__["metadata"] = pd.DataFrame(
        rows, index=pd.Index([it["classificationId"] for it in items], name="classification_id")
    )
    return sc


def num(x):
    """JSON-safe float: NaN and infinities as null."""
    x = float(x)
    return x if math.isfinite(x) else None


def frame(df):
    return {"index": [str(i) for i in df.index], "columns": [str(c) for c in df.columns],
            "values": [[num(v) for v in row] for row in df.to_numpy()]}


def run(fn):
    """Result or error, with the warnings Python printed."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            out = {"ok": fn()}
        except Exception as e:  # noqa: BLE001 — the error is the reference here
            out = {"error": f"{type(e).__name__}: {e}"}
    out["warnings"] = [str(x.message) for x in w
                       if not issubclass(x.category, FutureWarning) and "inplace keyword" not in str(x.message)]
    return out


def alpha_cases(name, sc):
    out = []
    for metric in ["auto", "readcount_w_children", "abundance_w_children"]:
        for rank in ["auto", "species", "genus"]:
            for dm in ["shannon", "simpson", "observed_taxa", "chao1"]:
                def f():
                    df = sc.alpha_diversity(metric=metric, rank=rank, diversity_metric=dm)
                    return {"ids": [str(i) for i in df.index], "values": [num(v) for v in df[dm]]}
                out.append({"collection": name, "metric": metric, "rank": rank, "diversityMetric": dm, **run(f)})
    return out


BETA = ["braycurtis", "jaccard", "cityblock", "manhattan", "euclidean", "aitchison",
        "weighted_unifrac", "unweighted_unifrac"]


def beta_cases(name, sc):
    out = []
    # abundance: UniFrac scales it by 10e9 and scikit-bio truncates to integers.
    for metric in ["auto", "readcount_w_children", "abundance_w_children"]:
        for rank in ["auto", "genus"]:
            for dm in BETA:
                def f():
                    d = sc.beta_diversity(metric=metric, rank=rank, diversity_metric=dm)
                    return {"ids": list(d.ids), "values": [num(v) for v in d.data.ravel()]}
                out.append({"collection": name, "metric": metric, "rank": rank, "diversityMetric": dm, **run(f)})
    return out


def posthoc_out(p):
    if p is None:
        return None
    o = {"test": str(p.test.value), "adjustmentMethod": str(p.adjustment_method.value),
         "groups": [str(g) for g in p.adjusted_pvalues.index],
         "adjustedPvalues": [num(v) for v in p.adjusted_pvalues.to_numpy().ravel()]}
    if p.pvalues is not None:
        o["pvalues"] = [num(v) for v in p.pvalues.to_numpy().ravel()]
    if p.statistics is not None:
        o["statistics"] = [num(v) for v in p.statistics.to_numpy().ravel()]
    return o


def alpha_stats_cases(name, sc):
    cases = []
    opts = [
        dict(group_by="site"),
        dict(group_by="site", diversity_metric="simpson"),
        dict(group_by="site", diversity_metric="observed_taxa", metric="readcount_w_children"),
        dict(group_by="site", test="kruskal", alpha=0.5),
        dict(group_by="site", test="mannwhitneyu"),
        dict(group_by=["site", "treated"]),
        dict(group_by="treated"),
        dict(group_by="treated", test="kruskal"),
        dict(group_by="visit"),
        dict(group_by="visit", paired_by="subject"),
        dict(group_by="visit", paired_by="subject", diversity_metric="simpson", metric="readcount_w_children"),
        dict(group_by="visit", test="wilcoxon"),
        dict(group_by="visit", paired_by="subject", test="kruskal"),
        dict(group_by="age"),
        dict(group_by="nonexistent"),
        dict(group_by="site", alpha=1.5),
        dict(group_by="group"),
        dict(group_by="group", metric="readcount_w_children"),
        dict(group_by="group", metric="readcount_w_children", diversity_metric="observed_taxa"),
        dict(group_by="group", metric="readcount_w_children", diversity_metric="chao1", test="kruskal"),
    ]
    for o in opts:
        def f():
            r = sc.alpha_diversity_stats(**o)
            return {"test": str(r.test.value), "statistic": num(r.statistic), "pvalue": num(r.pvalue),
                    "alpha": r.alpha, "sampleSize": int(r.sample_size),
                    "groupByVariable": r.group_by_variable,
                    "groupSizes": {str(k): int(v) for k, v in r.group_sizes.items()},
                    "pairedByVariable": r.paired_by_variable, "posthoc": posthoc_out(r.posthoc)}
        cases.append({"collection": name, "options": o, **run(f)})
    return cases


def beta_stats_cases(name, sc):
    cases = []
    opts = [
        dict(group_by="site"),
        dict(group_by="site", diversity_metric="jaccard"),
        dict(group_by="site", diversity_metric="weighted_unifrac"),
        dict(group_by="site", diversity_metric="aitchison", num_permutations=199),
        dict(group_by="treated"),
        dict(group_by="visit", diversity_metric="euclidean"),
        dict(group_by=["site", "treated"]),
        dict(group_by="group"),
        dict(group_by="site", alpha=0),
    ]
    for o in opts:
        def f():
            r = sc.beta_diversity_stats(**o)
            return {"test": str(r.test.value), "statistic": num(r.statistic), "pvalue": num(r.pvalue),
                    "alpha": r.alpha, "numPermutations": int(r.num_permutations),
                    "sampleSize": int(r.sample_size), "groupByVariable": r.group_by_variable,
                    "groupSizes": {str(k): int(v) for k, v in r.group_sizes.items()},
                    "posthoc": posthoc_out(r.posthoc)}
        cases.append({"collection": name, "options": o, **run(f)})
    return cases


# ------------------------------------------------------------------------------------------------
# Direct cases for the rank tests and special functions

def rank_test_cases():
    rng = np.random.default_rng(7)
    mwu = [
        ([1.5, 3.2, 0.7, 4.4], [2.1, 5.5, 6.0, 3.9, 7.2]),  # exact
        ([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]),  # exact, extreme
        ([1, 2, 2, 3, 5], [2, 4, 4, 6, 7, 8]),  # ties: asymptotic
        (list(rng.normal(0, 1, 12)), list(rng.normal(0.8, 1, 10))),  # both > 8: asymptotic
        (list(rng.normal(0, 1, 3)), list(rng.normal(1, 1, 25))),  # small vs large: exact
        ([2.0, 2.0, 2.0], [2.0, 2.0]),  # all equal
        (list(rng.normal(0, 1, 8)), list(rng.normal(0, 1, 8))),  # exact 8 × 8
    ]
    kw = [
        [[1.0, 2.5, 3.1], [4.0, 4.0, 5.2, 6.0], [0.5, 2.5, 7.0]],
        [[1, 2, 3], [4, 5, 6]],
        [list(rng.normal(0, 1, 6)), list(rng.normal(1, 1, 7)), list(rng.normal(2, 1, 5)), list(rng.normal(0.5, 1, 4))],
        [[3.0, 3.0], [3.0, 3.0, 3.0]],
    ]
    wx = [
        ([1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3], [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]),  # exact
        ([1, 2, 3, 4, 5, 6], [1, 1, 1, 2, 2, 2]),  # zeros and ties, n ≤ 13: permutation
        ([0.5, 1.5, 2.0, 3.0, 0.1], [0.5, 1.0, 2.5, 1.0, 0.3]),  # a zero, n ≤ 13
        (list(np.round(rng.normal(0, 1, 20), 1)), list(np.round(rng.normal(0.3, 1, 20), 1))),  # ties, n > 13: asymptotic
        (list(rng.normal(0, 1, 60)), list(rng.normal(0.2, 1, 60))),  # n > 50: asymptotic
        (list(rng.normal(0, 1, 30)), list(rng.normal(0.5, 1, 30))),  # exact, n = 30
    ]
    out = {"mannwhitneyu": [], "kruskal": [], "wilcoxon": [], "dunn": [], "bh": [], "ndtr_sf": [], "chi2_sf": []}
    for x, y in mwu:
        r = scipy.stats.mannwhitneyu(x, y)
        out["mannwhitneyu"].append({"x": [float(v) for v in x], "y": [float(v) for v in y],
                                    "statistic": num(r.statistic), "pvalue": num(r.pvalue)})
    for groups in kw:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = scipy.stats.kruskal(*groups)
        out["kruskal"].append({"groups": [[float(v) for v in g] for g in groups],
                               "statistic": num(r.statistic), "pvalue": num(r.pvalue)})
        df = pd.DataFrame({"v": [v for g in groups for v in g],
                           "g": [f"g{i}" for i, g in enumerate(groups) for _ in g]})
        d = posthoc_dunn(df, val_col="v", group_col="g", p_adjust="fdr_bh")
        out["dunn"].append({"groups": [[float(v) for v in g] for g in groups],
                            "names": [str(n) for n in d.index],
                            "adjustedPvalues": [num(v) for v in d.to_numpy().ravel()]})
    for x, y in wx:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = scipy.stats.wilcoxon(x, y)
        out["wilcoxon"].append({"x": [float(v) for v in x], "y": [float(v) for v in y],
                                "statistic": num(r.statistic), "pvalue": num(r.pvalue)})
    for ps in ([0.01, 0.04, 0.03, 0.2, 0.5], [0.001, 0.001, 0.9], [1.0], list(rng.random(12))):
        out["bh"].append({"p": [float(v) for v in ps],
                          "adjusted": [float(v) for v in scipy.stats.false_discovery_control(ps, method="bh")]})
    for z in [-8.0, -3.3, -1.0, -0.01, 0.0, 0.3, 1.0, 1.96, 2.5, 4.0, 6.5, 9.0, 12.0, 20.0, 37.0]:
        out["ndtr_sf"].append({"z": z, "sf": float(scipy.stats.norm.sf(z))})
    for df in [1, 2, 3, 4, 7, 12, 31]:
        for x in [0.0, 0.001, 0.5, 1.0, 2.2, 5.0, 9.3, 15.0, 40.0, 120.0]:
            out["chi2_sf"].append({"df": df, "x": x, "sf": float(scipy.stats.chi2.sf(x, df))})
    return out


def main():
    collections = {"main": main_collection(), "sparse": sparse_collection()}
    ref = {
        "versions": {"onecodex": __import__("onecodex.version").version.__version__, "skbio": skbio.__version__,
                     "scipy": scipy.__version__, "numpy": np.__version__, "pandas": pd.__version__},
        "collections": collections,
        "alpha": [], "beta": [], "alphaStats": [], "betaStats": [],
        "rankTests": rank_test_cases(),
    }
    for name, items in collections.items():
        sc = python_collection(items)
        ref["alpha"] += alpha_cases(name, sc)
        ref["beta"] += beta_cases(name, sc)
        ref["alphaStats"] += alpha_stats_cases(name, sc)
        ref["betaStats"] += beta_stats_cases(name, sc)
        # The matrices the client diversity functions start from, to check to_df parity first.
        ref.setdefault("matrices", []).extend(
            {"collection": name, "metric": m, "rank": r, **frame(sc.to_df(metric=m, rank=r))}
            for m in ["abundance_w_children", "readcount_w_children"] for r in ["species", "genus"]
        )
    (HERE / "reference.json").write_text(json.dumps(ref, indent=1, allow_nan=False) + "\n")


if __name__ == "__main__":
    main()
