"""spopt end to end on a coverage instance, for ``coverage_engine``: run in spopt's own venv.

spopt 0.7.0 (the last release for Python 3.11) pulls in geopandas, pandas, scikit-learn
and more, so it is not installed in the project's venv. ``coverage_engine`` runs this file
with ``BENCH_SPOPT_PYTHON`` (default ``var/bench-spopt/bin/python``; see bench/README.md)
and reads the JSON it prints. Imports nothing from Warm Bee.

Input ``.npz``: ``coverage`` (n_demand, n_sites) bool, ``weight`` (n_demand,), ``k``
(the budgets). Times per model: ``from_cost_matrix`` (the PuLP model build) and
``solve`` with CBC (PuLP's bundled CBC: the fastest solver here for these models).
"""

import json
import sys
import time

import numpy as np


def main(path: str) -> dict[str, object]:
    import pulp
    import spopt
    from spopt.locate import LSCP, MCLP

    data = np.load(path)
    coverage = data["coverage"]
    weight = data["weight"]
    # spopt wants distances: covered pairs at 0, the rest at 1, radius 0.5.
    cost = np.where(coverage, 0.0, 1.0)
    results: dict[str, object] = {"spopt": spopt.__version__, "pulp": pulp.__version__}
    for k in data["k"].tolist():
        started = time.perf_counter()
        model = MCLP.from_cost_matrix(cost, weight, 0.5, p_facilities=int(k))
        built = time.perf_counter()
        model = model.solve(pulp.PULP_CBC_CMD(msg=False))
        solved = time.perf_counter()
        chosen = [j for j, var in enumerate(model.fac_vars) if var.value() > 0.5]
        covered = coverage[:, chosen].any(axis=1)
        results[f"mclp_k{k}"] = {
            "build_s": built - started,
            "solve_s": solved - built,
            "total_s": solved - started,
            "status": pulp.LpStatus[model.problem.status],
            "objective": float(weight[covered].sum()),
            "sites": chosen,
        }
    coverable = coverage.any(axis=1)
    started = time.perf_counter()
    model = LSCP.from_cost_matrix(cost[coverable], 0.5)
    built = time.perf_counter()
    model = model.solve(pulp.PULP_CBC_CMD(msg=False))
    solved = time.perf_counter()
    results["lscp"] = {
        "build_s": built - started,
        "solve_s": solved - built,
        "total_s": solved - started,
        "status": pulp.LpStatus[model.problem.status],
        "objective": float(sum(var.value() > 0.5 for var in model.fac_vars)),
    }
    return results


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
