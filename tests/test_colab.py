"""Notebooks run as a Colab reader runs them: one notebook alone in an empty folder, top to bottom, with kp_rcnn
installed as a plain package (no checkout, no `settings.ini` above the notebook). The cells flagged `#| slow` (minutes of
training, which `make outputs` runs) are left out: what can break in Colab is the setting, not the length of a run."""
import json, os, re, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

@pytest.fixture(scope='module')
def plain_install(tmp_path_factory):
    "kp_rcnn built from this checkout and installed into a folder of its own, as `pip install` puts it on Colab."
    site = tmp_path_factory.mktemp('site')
    subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', '--no-deps', '--no-build-isolation', '--target', str(site), str(ROOT)],
                   check=True, capture_output=True)
    return site

@pytest.mark.parametrize('name', ['00_data', '04_infer', 'tutorial'])
def test_notebook_runs_alone(plain_install, tmp_path, name):
    nb = json.loads((ROOT/'nbs'/f'{name}.ipynb').read_text())
    nb['cells'] = [c for c in nb['cells'] if not re.search(r"^#\|\s*slow\b", ''.join(c['source']), re.M)]
    (tmp_path/f'{name}.ipynb').write_text(json.dumps(nb))
    env = {**os.environ, 'PYTHONPATH': str(plain_install)}
    where = subprocess.run([sys.executable, '-c', 'import kp_rcnn; print(kp_rcnn.__file__)'], env=env, cwd=tmp_path,
                           capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(plain_install)), where  # the notebook sees the installed package, not the checkout
    res = subprocess.run([str(BIN/'jupyter'), 'nbconvert', '--to', 'notebook', '--execute', '--output', 'ran.ipynb',
                          '--ExecutePreprocessor.timeout=600', f'{name}.ipynb'], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-3000:]
    ran = json.loads((tmp_path/'ran.ipynb').read_text())
    assert not [o for c in ran['cells'] for o in c.get('outputs', []) if o.get('output_type') == 'error']
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([f'{name}.ipynb', 'ran.ipynb'])  # nothing exported, nothing left behind
