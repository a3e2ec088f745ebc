"""The Python client's charts on the local server's samples, as JSON for the plots parity test.

Against a running local server, builds the SampleCollection of every available sample of the main
user and, for each case of tests/parity/plots/*.json ({"name", "plot", "kwargs"}), writes the
chart's `plot_*(return_chart=True, **kwargs).to_dict()`, or {"error": "<type>: <message>"} where
the client refuses the case, with the seconds it took. tests/parity/plots.test.mjs draws the same
cases with the package and compares the specs.

Run with the project venv (tests/python/setup_env.sh):
  python tests/python/plots_parity.py --api http://127.0.0.1:PORT --out plots.json [--only KIND]
"""

import argparse
import copy
import glob
import json
import os
import sys
import time
import warnings

API_KEY = "0123456789abcdef0123456789abcdef"
HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "..", "parity", "plots")
# Arguments the client takes as tuples of fields (JSON has only lists).
TUPLE_ARGS = {"haxis", "secondary_haxis", "facet_by", "group_by", "color", "shape"}


def python_kwargs(kwargs):
    # A deep copy: the client mutates lists it is given (tooltip, sort_x), and the case written
    # out for the JS side must keep the options as given.
    out = {}
    for k, v in copy.deepcopy(kwargs).items():
        out[k] = tuple(v) if k in TUPLE_ARGS and isinstance(v, list) else v
    return out


def json_safe(x):
    # Altair leaves the missing values of pandas' `str` columns as NaN, which is no JSON (and
    # no value Vega-Lite reads); they are null here, as Altair writes the other missing values.
    if isinstance(x, float) and x != x:
        return None
    if isinstance(x, dict):
        return {k: json_safe(v) for k, v in x.items()}
    if isinstance(x, list):
        return [json_safe(v) for v in x]
    return x


def chart_json(coll, case):
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            t0 = time.perf_counter()
            chart = getattr(coll, case["plot"])(return_chart=True, **python_kwargs(case.get("kwargs", {})))
            spec = json_safe(chart.to_dict())
            seconds = time.perf_counter() - t0
        return {"spec": spec, "seconds": seconds, "warnings": [str(w.message) for w in caught]}
    except Exception as e:  # the client's own refusal is a result to compare too
        return {"error": f"{type(e).__name__}: {e}"}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--api", required=True, help="the local server's API base URL")
    ap.add_argument("--out", required=True, help="where to write the JSON")
    ap.add_argument("--only", help="only the cases of tests/parity/plots/<ONLY>.json")
    args = ap.parse_args()

    os.environ["ONE_CODEX_NO_TELEMETRY"] = "1"
    # The client links classifications to ONE_CODEX_API_BASE's web app.
    os.environ["ONE_CODEX_API_BASE"] = args.api
    from onecodex import Api
    from onecodex.models.collection import SampleCollection

    ocx = Api(base_url=args.api, api_key=API_KEY, telemetry=False)
    samples = [s for s in ocx.Samples.where(sort=["created_at"]) if s.status == "available"]
    coll = SampleCollection(samples)
    files = sorted(glob.glob(os.path.join(CASES, "*.json")))
    if args.only:
        files = [f for f in files if os.path.basename(f) == f"{args.only}.json"]
    cases = []
    for path in files:
        for case in json.load(open(path)):
            case = dict(case, file=os.path.basename(path)[:-5])
            case["python"] = chart_json(coll, case)
            if case.get("free") == "functional" and "error" not in case["python"]:
                # the samples in the order the client listed their profiles (its rows' order)
                case["python"]["sample_order"] = [fp.sample.id for fp in coll._functional_profiles]
            cases.append(case)
    result = {
        "onecodex": __import__("onecodex.version").version.__version__,
        "api": args.api,
        "classification_ids": [c.id for c in coll._classifications],
        "cases": cases,
    }
    with open(args.out, "w") as f:
        json.dump(result, f)
    print(f"wrote {args.out}: {len(cases)} cases over {len(samples)} samples", file=sys.stderr)


if __name__ == "__main__":
    main()
