"""The notebooks are stored with what their lesson cells show (the docs site does not run them): see tools/check_outputs.py."""
import json, sys
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

def test_widgets_and_errors_are_problems(tmp_path):
    "A tqdm bar stored as a Jupyter widget shows only its placeholder text on the docs site; an error shows a traceback."
    widget = {'output_type': 'display_data', 'metadata': {}, 'data': {'application/vnd.jupyter.widget-view+json': {'model_id': 'x'},
                                                                       'text/plain': ['predict:   0%|          | 0/7']}}
    error = {'output_type': 'error', 'ename': 'ValueError', 'evalue': 'bad', 'traceback': []}
    cells = [{'cell_type': 'code', 'source': ['predict(model, images)'], 'outputs': [o], 'metadata': {}} for o in (widget, error)]
    path = tmp_path/'nb.ipynb'
    path.write_text(json.dumps({'cells': cells, 'metadata': {}, 'nbformat': 4, 'nbformat_minor': 5}))
    assert problems(path) == ["cell 0 ('predict(model, images)') is stored with a Jupyter widget (store outputs with `make outputs`)",
                              "cell 1 ('predict(model, images)') is stored with an error"]
