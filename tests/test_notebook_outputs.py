"""The notebooks are stored with what their lesson cells show (the docs site does not run them): see tools/check_outputs.py."""
import sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'))
from check_outputs import MAX_MB, is_showing_cell, numbered_notebooks, problems

@pytest.mark.parametrize('nb', numbered_notebooks(), ids=lambda p: p.stem)
def test_stored_outputs(nb):
    assert not problems(nb), problems(nb)

def test_notebooks_stay_small():
    assert sum(p.stat().st_size for p in (ROOT/'nbs').rglob('*') if p.is_file()) < MAX_MB*2**20

def test_what_counts_as_a_showing_cell():
    assert is_showing_cell("ds = load()\nds.summary()") and is_showing_cell("x, y")
    assert not is_showing_cell("test_eq(a, b)") and not is_showing_cell("x = 1") and not is_showing_cell("plt.close('all')")
    assert not is_showing_cell("#| export\ndef f(): pass\nf()") and not is_showing_cell("#| slow\nfit(data)")
