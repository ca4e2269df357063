"""The code's shape, read from every module's AST (nothing is imported): imports run one way,
scenario -> model -> risk -> reference -> plan, partners -> the commands and presenters
(pipeline, report, web, store, sweep, cli), a module importing from its own package or a
lower layer only; and modules and functions stay short."""

import ast
import subprocess
import sys
from pathlib import Path

import evlaunch

ROOT = Path(evlaunch.__file__).parent
LAYERS = {
    "errors": 0,
    "io": 0,
    "typed": 0,
    "limits": 0,
    "text": 0,
    "threads": 0,
    "__version__": 0,  # the package's version; the package itself is the API, on top
    "scenario": 1,
    "model": 2,
    "risk": 3,
    "reference": 4,
    "plan": 5,
    "partners": 5,
}
TOP = 6  # run, report, web, store, sweep, cli


def _package(module: str) -> str:
    """'evlaunch.risk.sampling' -> 'risk'; the package itself -> '__init__'."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path, root: Path) -> list[str]:
    module = ".".join(path.relative_to(root.parent).with_suffix("").parts)
    package = module.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [f"{target}.{a.name}" for a in node.names] if not node.module else [target]
            found += [n for n in names if n.startswith("evlaunch")]
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("evlaunch")]
    return found


def _violations(root: Path) -> list[str]:
    wrong = []
    for path in sorted(root.rglob("*.py")):
        mine = _package(".".join(path.relative_to(root.parent).with_suffix("").parts))
        mine_layer = LAYERS.get(mine, TOP)
        for target in _imports(path, root):
            theirs = _package(target)
            layer = LAYERS.get(theirs, TOP)
            if theirs != mine and (layer > mine_layer or layer == mine_layer not in (0, TOP)):
                wrong.append(f"{path.relative_to(root)} imports {target}")
    return wrong


def test_no_module_imports_a_higher_layer_or_a_sibling():
    wrong = _violations(ROOT)
    assert not wrong, "\n".join(wrong)


def test_the_check_sees_a_violation(tmp_path):
    # a scenario module importing the simulator, and a plan module importing partners
    for where, text in (
        ("scenario", "from ..model.simulate import simulate\n"),
        ("plan", "from ..partners import mcda\n"),
    ):
        (tmp_path / "evlaunch" / where).mkdir(parents=True)
        (tmp_path / "evlaunch" / where / "x.py").write_text(text)
    assert _violations(tmp_path / "evlaunch") == [
        "plan/x.py imports evlaunch.partners",
        "scenario/x.py imports evlaunch.model.simulate",
    ]


def test_modules_and_functions_stay_short():
    # no module over 400 lines, no function over 80 unless it is the fused numba kernel
    long = []
    for path in sorted(ROOT.rglob("*.py")):
        text = path.read_text()
        if text.count("\n") > 400:
            long.append(f"{path.relative_to(ROOT)}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > 80 and node.name != "_simulate_paths":
                    long.append(f"{path.relative_to(ROOT)}: {node.name} is {length} lines")
    assert not long, "\n".join(long)


def test_the_command_line_starts_without_the_numerical_stack():
    """`evlaunch --help` imports typer and rich only: each command imports what it needs when
    it runs (numpy, scipy and numba cost about 1.5 s to import; bench/bench_cli.py)."""
    heavy = ("numpy", "scipy", "numba", "pydantic", "pandas", "highspy", "jax")
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys, evlaunch.cli; print(' '.join(m for m in {heavy!r} if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert loaded == []
