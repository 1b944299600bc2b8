"""What a reader meets on the pages: no stored output holds a server log, a progress bar frozen at 0%, a Python warning
with a source path or a traceback; no shown API entry reads "Call self as a function."; the README, GitHub's front page,
holds no raw `<style>` block. The stored notebooks are read as they are (no rendering) except for the API entries,
which nbdev adds when it builds the pages (`tools/docs_preview.py`)."""
import json, re, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'))
from check_outputs import numbered_notebooks

NOISE = {'server log': re.compile(r'\d+\.\d+\.\d+\.\d+ - - \[|"GET /\S* HTTP/1\.[01]" \d{3}'),
         'frozen progress bar': re.compile(r'(?<!\d)0%\|'),
         'warning with a source path': re.compile(r'\.py:\d+: \w*Warning'),
         'traceback': re.compile(r'Traceback \(most recent call last\)')}
CALL_SELF = 'Call self as a function.'  # what show_doc prints for a callable without a docstring of its own
# Reference pages that deal with images, annotations, models or predictions: each shows a picture in its first third
PICTURE_PAGES = ['00_data', '00b_labelme', '00c_sample', '00d_coco', '00e_dataset', '00f_show', '01_transforms', '01a_augment',
                 '02_model',
                 '02a_metrics', '02aa_evaluation', '03_engine', '03_train', '04_infer', '04b_export', '04c_review']

def _text(output:dict)->str:
    if output.get('output_type') == 'error': return '\n'.join(output.get('traceback', [])) + 'Traceback (most recent call last)'
    data = output.get('data', {})
    return ''.join(output.get('text', '')) + ''.join(data.get('text/plain', '')) + ''.join(data.get('text/html', ''))

def noise(path:Path)->dict:
    "`{kind: [cell numbers]}` of the outputs a reader should not meet in one stored notebook."
    found = {}
    for i, cell in enumerate(json.loads(path.read_text(encoding='utf-8'))['cells']):
        for o in cell.get('outputs', []):
            for kind, rx in NOISE.items():
                if rx.search(_text(o)): found.setdefault(kind, []).append(i)
    return found

@pytest.mark.parametrize('nb', numbered_notebooks(), ids=lambda p: p.stem)
def test_no_output_a_reader_should_not_meet(nb):
    found = noise(nb)
    assert not found, f"{nb.name}: {', '.join(f'{k} in cells {v}' for k, v in found.items())}"

def test_noise_is_found(tmp_path):
    "Each kind is caught, as the pages stored them; tqdm's bars past 0% and ordinary text are not."
    outputs = ['127.0.0.1 - - [02/Dec/2026 21:00:27] "GET /faces.zip HTTP/1.1" 200 -\n',
               '\rfaces.zip:   0%|          | 0.00/69.3k [00:00<?, ?B/s]',
               '/work/x/kp_rcnn/data.py:222: UserWarning: skipped 1 file\n',
               'Traceback (most recent call last):\n  File "x.py"']
    fine = ['predict: 100%|##########| 7/7 [00:01<00:00]', 'PCK@0.2 of 10%| of the keypoints', 'epoch 1/6: loss 3.2']
    cells = [{'cell_type': 'code', 'source': ['x'], 'metadata': {}, 'outputs': [{'output_type': 'stream', 'name': 'stdout', 'text': [t]}]}
             for t in outputs + fine]
    cells.append({'cell_type': 'code', 'source': ['x'], 'metadata': {}, 'outputs': [{'output_type': 'error', 'ename': 'E', 'evalue': '', 'traceback': []}]})
    path = tmp_path/'nb.ipynb'
    path.write_text(json.dumps({'cells': cells, 'metadata': {}, 'nbformat': 4, 'nbformat_minor': 5}))
    assert noise(path) == {'server log': [0], 'frozen progress bar': [1], 'warning with a source path': [2], 'traceback': [3, 7]}

def first_picture(path:Path)->float|None:
    "Where a stored notebook's first picture is, as a share of its cells (0 at the top); None when it has none."
    cells = json.loads(path.read_text(encoding='utf-8'))['cells']
    at = next((i for i, c in enumerate(cells) for o in c.get('outputs', []) if any(k.startswith('image/') for k in o.get('data', {}))), None)
    return None if at is None else at/max(len(cells) - 1, 1)

@pytest.mark.parametrize('name', PICTURE_PAGES)
def test_pages_show_a_picture_early(name):
    "A reader who scrolls one screen of a page about images should see what it gives them."
    at = first_picture(ROOT/'nbs'/f'{name}.ipynb')
    assert at is not None and at <= 1/3, f"{name}: first picture at {'none' if at is None else f'{at:.0%}'} of the page"

def test_readme_is_a_front_page():
    "GitHub shows a raw <style> block (pandas' HTML tables carry one) as CSS text; the front page opens with a picture."
    readme = (ROOT/'README.md').read_text(encoding='utf-8')
    assert '<style' not in readme
    first_picture = re.search(r'!\[[^\]]*\]\(([^)]+)\)', readme)
    assert first_picture and first_picture.start() < len(readme)/5, "no picture near the top of the README"
    assert (ROOT/first_picture.group(1)).is_file() or first_picture.group(1).startswith('http'), first_picture.group(1)

@pytest.fixture(scope='module')
def pages(tmp_path_factory):
    out = tmp_path_factory.mktemp('preview')
    subprocess.run([sys.executable, str(ROOT/'tools'/'docs_preview.py'), '--out', str(out)], check=True, cwd=ROOT, capture_output=True)
    return out

def test_api_entries_have_their_own_docs(pages):
    bad = {p.stem: p.read_text(encoding='utf-8').count(CALL_SELF) for p in sorted(pages.glob('*.html'))}
    bad = {k: n for k, n in bad.items() if n}
    assert not bad, f'API entries that read "{CALL_SELF}": {bad}'

def test_every_page_is_in_the_sidebar():
    "The sidebar (`nbs/sidebar.yml`) lists pages by name or glob: index and tutorial first, and no page left out."
    import fnmatch, yaml
    from docs_preview import sidebar_entries, sidebar_order
    assert [p.stem for p in sidebar_order(ROOT/'nbs')][:2] == ['index', 'tutorial']
    listed = sidebar_entries(yaml.safe_load((ROOT/'nbs'/'sidebar.yml').read_text())['website']['sidebar']['contents'])
    missing = [p.name for p in numbered_notebooks() if not any(fnmatch.fnmatch(p.name, e.lstrip('/')) for e in listed)]
    assert not missing, f"not in nbs/sidebar.yml: {missing}"
