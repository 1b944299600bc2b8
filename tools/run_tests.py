"""Run every test of the project: each notebook under `nbdev_test`, then the pytest files in `tests/`.

Prints one line per notebook and a closing line `N passed, N failed` (notebooks plus pytest tests).
Extra arguments are passed to `nbdev_test` (for example `--flags slow`)."""
import re, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

def notebooks():
    "The notebooks nbdev_test runs: everything under nbs/ that is not scratch (a leading `_`)."
    return sorted(p for p in (ROOT/'nbs').rglob('*.ipynb')
                  if not any(part.startswith(('_', '.')) for part in p.relative_to(ROOT/'nbs').parts))

def run_notebook(nb, extra):
    "Run one notebook under nbdev_test; return (passed, seconds, output)."
    start = time.time()
    res = subprocess.run([str(BIN/'nbdev_test'), '--path', str(nb), '--n_workers', '0', *extra],
                         cwd=ROOT, capture_output=True, text=True)
    return res.returncode == 0, time.time() - start, res.stdout + res.stderr

def run_pytest():
    "Run pytest over tests/; return (passed, failed) counted from its summary line."
    if not any((ROOT/'tests').glob('test_*.py')): return 0, 0
    res = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-rs', 'tests'], cwd=ROOT, capture_output=True, text=True)
    print(res.stdout[-6000:], res.stderr[-2000:], sep='\n', flush=True)
    counts = {k: int(n) for n, k in re.findall(r'(\d+) (passed|failed|error|errors)', res.stdout.splitlines()[-1] if res.stdout else '')}
    failed = counts.get('failed', 0) + counts.get('error', 0) + counts.get('errors', 0)
    if res.returncode not in (0, 5) and not failed: failed = 1  # pytest broke before counting
    return counts.get('passed', 0), failed

def main(extra):
    passed = failed = 0
    for nb in notebooks():  # one at a time: each notebook ends by exporting the library, and torch uses every core anyway
        ok, secs, out = run_notebook(nb, extra)
        print(f"{'PASS' if ok else 'FAIL'} {nb.relative_to(ROOT)} ({secs:.0f}s)", flush=True)
        if not ok: print(out[-8000:], flush=True)
        passed, failed = passed + ok, failed + (not ok)
    p, f = run_pytest()
    passed, failed = passed + p, failed + f
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
