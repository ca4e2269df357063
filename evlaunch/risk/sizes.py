"""How large a Monte Carlo run may be, and what a run can be made precise on: what the
command line checks before it imports the numerical stack."""

from ..errors import ArgumentError

CHUNK_PATHS = 65_536  # one sampling block: about 50 MB of working arrays at 84 months
MAX_PATHS = 100_000_000
MAX_PATHS_DEFAULT = 10_000_000  # 10 million paths keep under 1 GiB (bench/bench_risk.py)
# what a run can be made precise on: P(target), or the mean of one of these outcomes
PRECISION_OUTPUTS = {
    "p_target": "P(target)",
    "npv_cny": "mean NPV [CNY]",
    "peak_cash_need_cny": "mean peak cash need [CNY]",
    "deliveries_12": "mean deliveries in 12 months of sales [vehicles]",
    "deliveries_24": "mean deliveries in 24 months of sales [vehicles]",
    "deliveries_36": "mean deliveries in 36 months of sales [vehicles]",
}


def check_run_size(paths: int, chunk_paths: int) -> None:
    if not 1 <= paths <= MAX_PATHS:
        raise ArgumentError("paths", paths, f"must be from 1 to {MAX_PATHS:,}")
    if not 1 <= chunk_paths <= 1_000_000:
        raise ArgumentError("chunk_paths", chunk_paths, "must be from 1 to 1,000,000")
