"""Hindcast: the forecaster scored out of sample on every entrant, against naive baselines.

For each entrant with data, leave-one-out: the entrant and every figure published after the
forecast date are removed from its reference class. Forecasts are made at launch (outside
view only) and after 3, 6, 12 and 18 months of sales, of cumulative deliveries after 12, 24
and 36 months of sales (the truth: today's data, interpolated as in ``entrants.py``).

Scores (Gneiting & Raftery 2007, JASA 102:359-378): CRPS from ``scoringrules`` (in vehicles,
and of log deliveries, which weighs small and large entrants alike), coverage of the central
50/80/95% intervals, MdAPE and MAPE of the median, bias (share of medians above the truth)
and the PIT. Baselines, scored the same way: the analog ensemble (reference entrants' own
deliveries at the checkpoint: the outside view alone), linear drift on the entrant's own
cumulative deliveries (Hyndman & Athanasopoulos, FPP3 5.2), and the per-entrant Bass fit.
Stated targets: P(hit) as of the day each target was stated, from the forecaster alone and
updated by the target itself (``targets.py``: what earlier targets turned out to be worth),
Brier scores against the leave-one-out base rate.
"""

import csv
import datetime as dt
import io
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context

import numpy as np

from ..errors import UserError
from ..model.outcomes import CHECKPOINTS
from ..scenario.months import months_between
from .calibration import ORIGIN_GROUPS, Resolved, group_of, spread_from, widen
from .entrants import Entrant, entrants
from .fit import fit_bass
from .outlook import Question, answer, origin_date, question, reference_class
from .scores import (
    ANALOG,
    BASS,
    CALIBRATED,
    CALIBRATED_AS_OF,
    DRIFT,
    OURS,
    Case,
    MethodScore,
    ape,
    score,
    skill,
    summarise,
)
from .targets import StatedTarget, combine, reliability, stated_targets

ORIGINS = (0, 3, 6, 12, 18)
MIN_REFERENCE = 3  # entrants known on the forecast date, the forecast one left out
STALE_MONTHS = 12  # a target is scored only if the maker's own figures reach this close to it
BASELINE_DRAWS = 500


@dataclass(frozen=True)
class TargetCase:
    company: str
    stated_on: str
    target: float
    window: str
    achieved: float
    p_hit_outside: float  # the forecaster alone
    p_hit: float  # updated by the stated target (the forecaster alone before MIN_TARGETS)
    hit: bool


@dataclass(frozen=True)
class Hindcast:
    seed: int
    entrants: list[str]
    cases: list[Case]
    scores: list[MethodScore]
    skill: dict  # origin -> {baseline: our CRPS / its CRPS on the cases both forecast}
    skill_calibrated: dict  # the same for the spread-calibrated forecasts
    spread: list[dict]  # vintages: as_of, origin_from, origin_to, spread, cases
    spread_applied: int  # forecasts that had a spread as of their date (others: too few resolved)
    mdape: dict  # origin -> checkpoint -> MdAPE of our median
    targets: list[TargetCase]
    brier: float | None
    brier_outside: float | None  # of the forecaster alone, not told the target
    brier_base_rate: float | None
    targets_skipped: dict = field(default_factory=dict)  # reason -> count

    def to_dict(self) -> dict:
        return asdict(self)


def _baselines(q: Question, reference: list[Entrant], rng) -> dict[str, np.ndarray]:
    """Each baseline's draws at the question's months; a method that cannot forecast (too
    few analogs, too little own data) is left out."""
    out = {}
    months = np.asarray(q.months)
    analogs = np.array([e.cumulative_at(months) for e in reference])
    if analogs.size:
        have = np.isfinite(analogs).all(axis=1)
        if have.sum() >= 3:
            out[ANALOG] = analogs[have]
    own = q.entrant.monthly_cumulative(int(q.entrant.last_month))
    if own.size >= 3:
        steps = np.diff(np.concatenate([[0.0], own]))
        t = own.size
        h = months - t
        sd = steps.std(ddof=1) * np.sqrt(h * (1 + h / (t - 1)))
        centre = own[-1] + h * steps.mean()
        draws = centre + sd * rng.standard_normal((BASELINE_DRAWS, months.size))
        out[DRIFT] = np.maximum(draws, own[-1])
        if own.size >= 6 and (steps > 0).sum() >= 3:
            try:
                bass = fit_bass(np.arange(1, t + 1), steps, draws=100, seed=0)
                out[BASS] = bass.forecast(t, own[-1], months.astype(int), rng, BASELINE_DRAWS)
            except UserError:
                pass
    return out


def _cases_for(e: Entrant, origins=ORIGINS) -> list[tuple[int, Question]]:
    truth_months = [c for c in CHECKPOINTS if np.isfinite(e.cumulative_at(c))]
    out = []
    for origin in origins:
        months = [c for c in truth_months if c > origin]
        as_of = origin_date(e.first_delivery, origin)
        if months and len(reference_class(as_of, leave_out=e.company)) >= MIN_REFERENCE:
            key = f"hindcast:{e.company}:{origin}"
            out.append((origin, question(e, as_of, origin, months, key)))
    return out


def _answer_chunk(args):
    questions, seed = args
    return [o.draws for o in answer(questions, seed)]


def _answer_all(questions: list[Question], seed: int, workers: int) -> list[np.ndarray]:
    """Answers in ``workers`` processes (each compiles the sampler once); the same draws as
    one process would give, since each question is seeded by its own key."""
    if workers <= 1 or len(questions) < 4:
        return _answer_chunk((questions, seed))
    chunks = [questions[i::workers] for i in range(workers)]
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        parts = list(pool.map(_answer_chunk, [(c, seed) for c in chunks]))
    out: list = [None] * len(questions)
    for i, part in enumerate(parts):
        out[i::workers] = part
    return out


def _targets() -> tuple[list[tuple[StatedTarget, Question]], dict]:
    """Stated targets the forecaster can be asked about, and why the others cannot."""
    known = {e.company: e for e in entrants()}
    asked, skipped = [], {}

    def skip(reason):
        skipped[reason] = skipped.get(reason, 0) + 1

    for target in stated_targets():
        if target.achieved is None:
            skip("window not yet ended")
            continue
        if target.measure not in ("deliveries", "sales"):
            skip("a production or weekly-rate target")
            continue
        e = known.get(target.company)
        if e is None:
            skip("maker not in the entrants table")
            continue
        stated = target.stated_on
        seen = months_between(e.first_delivery, f"{stated.year:04d}-{stated.month:02d}")
        t0 = months_between(e.first_delivery, target.window_start)
        t1 = months_between(e.first_delivery, target.window_end) + 1
        if seen <= 0:
            skip("stated before the maker's first delivery")
            continue
        own = [f.end_month for f in e.as_of(stated).figures if f.end_month <= seen]
        if not own or max(own) < min(seen, t0) - STALE_MONTHS:
            skip(f"the bundled figures of the maker stop over {STALE_MONTHS} months before")
            continue
        if len(reference_class(stated, leave_out=e.company)) < MIN_REFERENCE:
            skip(f"fewer than {MIN_REFERENCE} other entrants known then")
            continue
        q = question(e, stated, seen, (max(t0, 0), t1), f"target:{target.line}")
        asked.append((target, q))
    return asked, skipped


def _target_case(target: StatedTarget, q: Question, draws: np.ndarray) -> TargetCase:
    """P(hit) of one stated target from the forecaster's draws at the window's ends."""
    t0, _ = q.months
    before = float(q.entrant.cumulative_at(t0)) if t0 <= q.entrant.last_month else None
    delivered = draws[:, 1] - (before if before is not None else draws[:, 0])
    p_outside = float(np.mean(delivered >= target.target))
    trust = reliability(target.stated_on)
    p_hit = (
        p_outside
        if trust is None
        else combine(delivered, target.target, target.horizon_months, trust).p_at_least(
            target.target
        )
    )
    return TargetCase(
        target.company,
        target.stated_on.isoformat(),
        target.target,
        f"{target.window_start} to {target.window_end}",
        target.achieved,
        p_outside,
        p_hit,
        target.achieved >= target.target,
    )


def hindcast(
    seed: int = 0,
    workers: int = 2,
    only: tuple[str, ...] | None = None,
    origins: tuple[int, ...] = ORIGINS,
) -> Hindcast:
    """Leave-one-out hindcast of every entrant with data at a checkpoint (or of the entrants
    ``only`` names, then without the targets); see the module."""
    chosen = [e for e in entrants() if only is None or e.company in only]
    todo = [(e, origin, q) for e in chosen for origin, q in _cases_for(e, origins)]
    target_questions, skipped = _targets() if only is None else ([], {})
    draws = _answer_all([q for *_, q in todo] + [q for _, q in target_questions], seed, workers)
    cases, ours_draws = [], []
    for (e, origin, q), ours in zip(todo, draws, strict=False):
        rng = np.random.default_rng([seed, len(cases)])
        reference = [r for r in entrants(q.as_of) if r.company != e.company]
        methods = {OURS: ours, **_baselines(q, reference, rng)}
        known = q.known[1] if q.known else 0.0
        for j, c in enumerate(q.months):
            truth = float(e.cumulative_at(c))
            past = Resolved(e.company, origin, resolved_on(e, int(c)), ours[:, j], known, truth)
            ours_draws.append((q.as_of, int(c), past))
            for method, d in methods.items():
                cases.append(score(e.company, origin, q.as_of, int(c), method, truth, d[:, j]))
    spread, applied = _calibrate(ours_draws, cases)
    targets = [
        _target_case(target, q, d)
        for (target, q), d in zip(target_questions, draws[len(todo) :], strict=True)
    ]
    brier = brier_outside = base = None
    if targets:
        hits = np.array([t.hit for t in targets], dtype=float)
        loo = (hits.sum() - hits) / max(len(hits) - 1, 1)  # base rate without the target itself
        brier, brier_outside, base = (
            float(np.mean((np.array(p) - hits) ** 2))
            for p in ([t.p_hit for t in targets], [t.p_hit_outside for t in targets], loo)
        )
    scores = summarise(cases)
    return Hindcast(
        seed,
        sorted({c.entrant for c in cases}),
        cases,
        scores,
        skill(cases, OURS),
        skill(cases, CALIBRATED),
        spread,
        applied,
        {
            o: {
                c: float(np.median(ape(mine)))
                for c in CHECKPOINTS
                if (
                    mine := [k for k in cases if (k.method, k.origin, k.checkpoint) == (OURS, o, c)]
                )
            }
            for o in origins
        },
        targets,
        brier,
        brier_outside,
        base,
        skipped,
    )


def resolved_on(e: Entrant, months: int) -> dt.date:
    """The day ``e``'s cumulative deliveries after ``months`` months of sales were first
    known (the first publication that pins them)."""
    for day in sorted({f.published for f in e.figures}):
        if np.isfinite(e.as_of(day).cumulative_at(months)):
            return day
    raise ValueError(f"{e.company}: nothing published reaches month {months}")


def _calibrate(ours_draws: list[tuple], cases: list[Case]) -> tuple[list[dict], int]:
    """Score the spread-calibrated forecasts, appending to ``cases``: each forecast's spread
    fitted on the other entrants' forecasts (CALIBRATED), and on those resolved by its date
    (CALIBRATED_AS_OF; left as it is where too few had). Return the vintages (the spread as
    fitted at each year's end) and how many forecasts had a spread as of their date."""
    resolved = [r for *_, r in ours_draws]
    everything = dt.date.max
    applied = 0
    fits = {}  # a spread depends on the origin group, the entrant left out and the date only
    for as_of, c, r in ours_draws:
        for method, date in ((CALIBRATED, everything), (CALIBRATED_AS_OF, as_of)):
            key = (group_of(r.months_seen), r.entrant, date)
            if key not in fits:
                fits[key] = spread_from(resolved, r.months_seen, date, leave_out=r.entrant)
            fitted = fits[key]
            applied += method == CALIBRATED_AS_OF and fitted is not None
            k = fitted[0] if fitted else 1.0
            calibrated = widen(r.draws[:, None], r.known, k)[:, 0]
            cases.append(score(r.entrant, r.months_seen, as_of, c, method, r.truth, calibrated))
    # a vintage at each year's end, and one on the day the latest outcome was published
    first, last = min(r.resolved_on for r in resolved), max(r.resolved_on for r in resolved)
    ends = [dt.date(y, 12, 31) for y in range(first.year, last.year)] + [last]
    table = []
    for end in ends:
        for lo, hi in ORIGIN_GROUPS:
            fitted = spread_from(resolved, lo, end)
            if fitted:
                table.append(
                    {
                        "as_of": end.isoformat(),
                        "origin_from": lo,
                        "origin_to": hi,
                        "spread": round(fitted[0], 3),
                        "cases": fitted[1],
                    }
                )
    return table, applied


def calibration_table(result: Hindcast) -> str:
    """The spread vintages as ``data/calibration.csv`` holds them, each row naming its run."""
    from .. import __version__

    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["as_of", "origin_from", "origin_to", "spread", "cases", "source"])
    for v in result.spread:
        w.writerow(
            [
                *(v[k] for k in ("as_of", "origin_from", "origin_to", "spread", "cases")),
                f"evlaunch hindcast --seed {result.seed} (evlaunch {__version__}): the spread "
                "minimising the mean CRPS of log deliveries over the forecasts of this origin "
                "group whose outcome was published by as_of",
            ]
        )
    return out.getvalue()
