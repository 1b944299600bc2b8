"""Run notebooks top to bottom and store their outputs, as `make outputs` does, but leave the cells flagged `#| slow` or
`#| cuda` unrun with the outputs they already have: for refreshing a chapter after an edit without its long runs.

Run: python tools/run_notebook.py nbs/03_train.ipynb [NOTEBOOK ...] [--run slow]   (then `nbdev_clean`)
`--run slow` runs the slow cells too. Pictures are shrunk as `tools/shrink_outputs.py` does."""
import argparse, os, re, sys
from pathlib import Path

from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell

sys.path.insert(0, str(Path(__file__).parent))
from shrink_outputs import shrink_notebook

FLAGS = {'slow', 'cuda'}

def flags(source:str)->set:
    "The test flags a cell carries (`#| slow` ...)."
    return {m for m in re.findall(r"^#\|\s*(\w+)", source, re.M) if m in FLAGS}

def run_notebook(path:Path, run_flags:set=frozenset()):
    "Execute `path` in its folder and store each executed cell's fresh outputs; stop at the first error."
    nb, skip = read_nb(path), FLAGS - set(run_flags)
    def skipped(cell):
        if cell.cell_type != 'code' or 'nbdev_export(' in cell.source or flags(cell.source) & skip: return True
        cell.outputs = []  # a cell that prints nothing now must not keep what it printed before
        return False
    shell, here = CaptureShell(path, mpl_format='png'), os.getcwd()  # as Jupyter stores them
    os.chdir(path.parent)
    shell.run("import pandas; pandas.set_option('display.max_columns', 20)")  # what pandas picks in a Jupyter kernel
    try: shell.run_all(nb, exc_stop=True, preproc=skipped)
    except Exception: sys.stderr.write(shell.prettytb(fname=path) + '\n'); raise SystemExit(f"{path}: a cell failed, nothing written")
    finally: os.chdir(here)
    write_nb(nb, path)
    shrink_notebook(path)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('notebooks', nargs='+', type=Path)
    p.add_argument('--run', nargs='*', default=[], choices=sorted(FLAGS), help="flagged cells to run too")
    a = p.parse_args()
    for nb in a.notebooks: run_notebook(nb.resolve(), set(a.run)); print(f"stored {nb}")
