"""The Python client's charts, timed for bench/plots.mjs: spec building with the matrix loaded.

Builds the SampleCollection of the local server's available samples (in created_at order, as the
parity test does), fetches its results once, then for each case of the JSON given on stdin
({"name": {"plot": "plot_pca", "kwargs": {...}}}) times `plot_*(return_chart=True, **kwargs)
.to_dict()`: one warm-up call (the client caches its matrices), then the median of --repeat calls.
Prints {"n": samples, "calls": {name: {"seconds": median} | {"error": "..."}}}.

  python bench/plots_python.py --api URL < cases.json
"""

import argparse
import json
import os
import statistics
import sys
import time
import warnings

# The parity test's conversion of JSON kwargs (lists to the tuples the client takes).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "python"))
from plots_parity import python_kwargs  # noqa: E402

API_KEY = "0123456789abcdef0123456789abcdef"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--api", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    cases = json.load(sys.stdin)
    warnings.simplefilter("ignore")
    os.environ["ONE_CODEX_NO_TELEMETRY"] = "1"
    os.environ["ONE_CODEX_API_BASE"] = args.api
    from onecodex import Api
    from onecodex.models.collection import SampleCollection

    ocx = Api(base_url=args.api, api_key=API_KEY, telemetry=False)
    coll = SampleCollection([s for s in ocx.Samples.where(sort=["created_at"]) if s.status == "available"])
    coll._collate_results()  # fetch every result once, outside the timings
    out = {"n": len(coll._classifications), "calls": {}}
    for name, case in cases.items():
        kwargs = python_kwargs(case["kwargs"])
        fn = getattr(coll, case["plot"])
        try:
            fn(return_chart=True, **kwargs).to_dict()
            times = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                fn(return_chart=True, **kwargs).to_dict()
                times.append(time.perf_counter() - t)
            out["calls"][name] = {"seconds": statistics.median(times)}
        except Exception as e:
            out["calls"][name] = {"error": f"{type(e).__name__}: {e}"}
        print(f"  python {name}: {out['calls'][name]}", file=sys.stderr)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
