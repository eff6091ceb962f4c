"""The pure parts of the L-tier load test (bench/load.py): target, pacing, statistics, verdict.

The load test itself runs with `make bench`, not in CI (docs/reliability.md, tier L).
"""

import importlib.util
import math
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "bench_load", Path(__file__).resolve().parents[2] / "bench" / "load.py"
)
load = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(load)

START = 1_800_000_000.0


def steady(seconds: int, per_second: int = 10, ms: float = 20.0, status: int = 200) -> list:
    """Samples spread evenly over `seconds`, one write in twenty."""
    samples = []
    for i in range(seconds * per_second):
        kind = "write" if i % 20 == 0 else "detail"
        samples.append((START + i / per_second, kind, status, ms))
    return samples


def test_mix_peak_is_the_weighted_harmonic_mean_of_the_kinds_peaks():
    mix = {"list": 50, "search": 50}
    # Half at 100 req/s (10 ms each), half at 25 req/s (40 ms each): 25 ms per request.
    assert load.mix_peak({"E1": 100.0, "E4": 25.0}, mix) == pytest.approx(40.0)
    # The default mix, writes included, is slower than its fastest kind.
    peaks = {"E1": 400.0, "E2": 300.0, "E3": 500.0, "E4": 100.0, "writes": 20.0}
    assert 20.0 < load.mix_peak(peaks) < 500.0
    # Slow writes, 5 % of the mix, weigh on its peak.
    assert load.mix_peak({**peaks, "writes": 5.0}) < load.mix_peak(peaks)


def test_mix_peak_refuses_a_kind_that_was_not_measured():
    with pytest.raises(ValueError, match="search"):
        load.mix_peak({"E1": 400.0, "E2": 300.0, "E3": 500.0, "E4": 0.0, "writes": 20.0})
    with pytest.raises(ValueError, match="write"):
        load.mix_peak({"E1": 400.0, "E2": 300.0, "E3": 500.0, "E4": 100.0})


def test_plan_splits_the_target_into_paced_readers_and_editors():
    pacing = load.plan(200.0)
    assert pacing["write_rps"] == pytest.approx(10.0)
    assert pacing["read_rps"] == pytest.approx(190.0)
    assert pacing["readers"] * pacing["per_reader"] == pytest.approx(190.0)
    assert pacing["editors"] * pacing["per_editor"] == pytest.approx(10.0)
    assert pacing["per_reader"] <= load.READS_PER_USER
    assert pacing["per_editor"] <= load.WRITES_PER_EDITOR
    small = load.plan(3.0)
    assert (small["readers"], small["editors"]) == (3, 1)
    with pytest.raises(ValueError):
        load.plan(0)


@pytest.mark.parametrize(
    ("status", "error"),
    [(200, False), (201, False), (301, False), (304, False), (429, False), (0, True)]
    + [(400, True), (404, True), (412, True), (500, True), (503, True)],
)
def test_is_error_counts_no_response_and_every_4xx_5xx_but_429(status, error):
    assert load.is_error(status) is error


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(100, 0, -1)]
    assert load.percentile(values, 50) == 50.0
    assert load.percentile(values, 99) == 99.0
    assert load.percentile([7.0], 99) == 7.0
    assert math.isnan(load.percentile([], 99))


def test_read_samples_parses_and_sorts_the_locustfile_lines(tmp_path):
    path = tmp_path / "samples.csv"
    path.write_text("1800000001.500,list,200,12.50\n1800000000.250,write,412,30.00\n")
    assert load.read_samples(path) == [
        (1800000000.25, "write", 412, 30.0),
        (1800000001.5, "list", 200, 12.5),
    ]


def test_per_minute_has_one_row_a_minute_and_counts_late_samples_in_the_last():
    samples = [*steady(150), (START + 151, "list", 503, 5.0), (START + 152, "list", 429, 5.0)]
    rows = load.per_minute(samples, START, 150)
    assert [row["minute"] for row in rows] == [1, 2, 3]
    assert [row["requests"] for row in rows] == [600, 600, 302]
    assert rows[0]["rps"] == 10.0
    assert rows[2]["rps"] == pytest.approx(302 / 30, abs=0.1)
    assert rows[0]["writes"] == 30
    assert (rows[2]["errors"], rows[2]["throttled"]) == (1, 1)
    assert rows[0]["read_p99_ms"] == 20.0


def test_verdict_passes_a_steady_run_at_the_target():
    result = load.verdict(steady(600), START, 600, target_rps=10.0)
    assert result["passed"], result["reasons"]
    assert result["window_seconds"] == 120
    assert result["achieved_rps"] == 10.0
    assert result["errors"] == 0


def test_verdict_fails_on_any_error_but_not_on_429():
    throttled = [*steady(60), (START + 10, "list", 429, 5.0)]
    assert load.verdict(throttled, START, 60, target_rps=10.0)["passed"]
    failed = [*steady(60), (START + 10, "write", 412, 5.0), (START + 11, "list", 0, 5.0)]
    result = load.verdict(failed, START, 60, target_rps=10.0)
    assert not result["passed"]
    assert result["errors"] == 2
    assert "2 failed requests (statuses [0, 412]" in result["reasons"][0]


def test_verdict_fails_when_the_reads_p99_rises_over_the_run():
    samples = [(t, k, s, 200.0 if t - START >= 480 else ms) for t, k, s, ms in steady(600)]
    result = load.verdict(samples, START, 600, target_rps=10.0)
    assert not result["passed"]
    assert result["late_read_p99_ms"] == 200.0
    assert "rising latency" in result["reasons"][0]


def test_verdict_ignores_a_small_absolute_rise_and_slow_writes():
    # 4 ms to 12 ms is three times as slow but within the slack against noise.
    samples = [(t, k, s, 12.0 if t - START >= 30 else 4.0) for t, k, s, _ in steady(60)]
    assert load.verdict(samples, START, 60, target_rps=10.0)["passed"]
    slow_writes = [(t, k, s, 900.0 if k == "write" else ms) for t, k, s, ms in steady(60)]
    assert load.verdict(slow_writes, START, 60, target_rps=10.0)["passed"]


def test_verdict_fails_when_the_target_rate_was_not_reached():
    result = load.verdict(steady(60, per_second=8), START, 60, target_rps=10.0)
    assert not result["passed"]
    assert "under 90% of the target" in result["reasons"][0]
