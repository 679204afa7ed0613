"""planning.compute_plan's recommendation: the better of HiGHS's answer and the heuristic."""

import numpy as np
import pytest

from warmbee.coverage import planning
from warmbee.coverage.engine import max_covering
from warmbee.coverage.engine.network import TravelMode
from warmbee.coverage.engine.siting import SitingSolution, SolveStatus
from warmbee.coverage.errors import TooManyCandidatesError


def _plan(*, new_sites=3, time_limit_s=30.0):
    # Three stations a few kilometres apart, e-bike, 5 minutes, straight line.
    return planning.PlanInput(
        station_id=np.array([1, 2, 3], dtype=np.int64),
        station_lat_deg=np.array([38.06, 38.08, 38.05]),
        station_lon_deg=np.array([112.68, 112.70, 112.73]),
        mode=TravelMode.EBIKE,
        minutes=5.0,
        new_sites=new_sites,
        candidate_source="demand_points",
        demand_layer="uniform",
        speed_m_s=15.0 / 3.6,
        detour_factor=1.3,
        solver_time_limit_s=time_limit_s,
    )


def _compute(plan):
    return planning.compute_plan(plan, None, lambda stage, percent: None)


@pytest.fixture
def solver_always_runs(monkeypatch):
    """HiGHS runs even when the heuristic's bound already proves its answer."""
    monkeypatch.setattr(max_covering, "PROVEN_GAP", -1.0)


def test_a_stopped_solver_with_a_poor_answer_loses_to_the_heuristic(
    monkeypatch, solver_always_runs
):
    full = _compute(_plan())["recommendation"]

    def stopped(problem, k, *, time_limit_s=None):
        site = np.array([0], dtype=np.int64)
        objective = problem.covered_weight(site)
        bound = 10.0 * full["bound"] + 1.0
        return SitingSolution(
            site,
            objective,
            bound,
            (bound - objective) / bound,
            SolveStatus.TIME_LIMIT,
            "milp",
            0.5,
        )

    monkeypatch.setattr(max_covering, "solve_max_covering_milp", stopped)
    recommendation = _compute(_plan())["recommendation"]

    assert recommendation["method"] == "greedy_swap"
    assert recommendation["added_weight"] == full["added_weight"]
    assert recommendation["added_weight"] > recommendation["answers"][1]["added_weight"]
    assert recommendation["bound"] == recommendation["answers"][0]["bound"]
    assert recommendation["bound"] < recommendation["answers"][1]["bound"]
    assert [answer["method"] for answer in recommendation["answers"]] == [
        "greedy_swap",
        "milp",
    ]
    proven = recommendation["gap"] == 0.0
    assert recommendation["status"] == ("optimal" if proven else "heuristic")
    assert len(recommendation["sites"]) == 3


def test_a_tiny_time_limit_never_gives_less_than_the_heuristic(solver_always_runs):
    patient = _compute(_plan())["recommendation"]

    hurried = _compute(_plan(time_limit_s=1e-4))["recommendation"]

    heuristic, exact = hurried["answers"]
    assert exact["method"] == "milp"
    assert exact["status"] in {"time_limit", "no_solution", "optimal"}
    assert hurried["added_weight"] >= heuristic["added_weight"]
    assert hurried["added_weight"] >= (exact["added_weight"] or 0.0)
    assert hurried["added_weight"] <= patient["added_weight"] + 1e-6
    assert hurried["bound"] >= patient["added_weight"] - 1e-6
    assert hurried["gap"] == pytest.approx(
        (hurried["bound"] - hurried["added_weight"]) / hurried["bound"], abs=1e-6
    )
    assert (hurried["status"] == "optimal") == (hurried["gap"] == 0.0)


def test_a_proven_optimum_keeps_the_exact_label(solver_always_runs):
    recommendation = _compute(_plan())["recommendation"]

    assert recommendation["status"] == "optimal"
    assert recommendation["method"] == "milp"
    assert recommendation["gap"] == 0.0


def test_an_answer_its_bound_proves_is_given_without_the_solver():
    recommendation = _compute(_plan())["recommendation"]

    assert [answer["method"] for answer in recommendation["answers"]] == ["greedy_swap"]
    assert recommendation["status"] == "optimal"
    assert recommendation["method"] == "greedy_swap"
    assert recommendation["bound"] == recommendation["added_weight"]


def test_every_demand_point_as_a_candidate_is_refused_past_the_limit():
    count = planning.MAX_CANDIDATES + 1
    demand = planning.DemandPoints(
        lat_deg=np.full(count, 38.06),
        lon_deg=np.linspace(112.6, 112.8, count),
        weight=np.ones(count),
        unit="km",
    )
    with pytest.raises(TooManyCandidatesError):
        planning._candidates(demand, "demand_points")
