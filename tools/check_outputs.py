"""Check that the notebooks are stored with the outputs a reader (and the docs site, which does not run cells) needs.

- Every *showing cell* has a stored output. A showing cell is a code cell, not exported, hidden or flagged (`#| slow`,
  `#| cuda`), whose last statement is an expression that shows a value: a name, a table, a picture, a call other than
  a test (`test_eq`, ...) or one of the calls below that return nothing.
- The notebooks that teach with pictures hold at least one picture each (`PICTURES`).
- No stored output is an error or a Jupyter widget (tqdm's bar in a kernel: the docs site shows only its placeholder
  text), and `nbs/` stays small (`MAX_MB` in all).

Run: python tools/check_outputs.py   (or `make check-outputs`); `make outputs` stores fresh outputs."""
import ast, json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PICTURES = {'00c_sample': 3, '00d_coco': 1, '00e_dataset': 1, '00f_show': 3, '01_transforms': 1, '01a_augment': 3,
            '02a_metrics': 1, '02aa_evaluation': 1, '02c_schedule': 1, '03_engine': 1, '03_train': 1, '04_infer': 1,
            '04b_export': 1, '04c_review': 2, '04d_video': 3, '04e_frames': 1, 'tutorial': 8, 'benchmarks': 1}  # least pictures
MAX_MB = 5
SILENT_CALLS = {'close', 'shutdown', 'unlink', 'mkdir', 'write_text', 'write_bytes', 'manual_seed', 'set_num_threads',
                'nbdev_export', 'simplefilter', 'save', 'savefig', 'append', 'update', 'paste', 'rmtree', 'start', 'sleep', 'release'}
SKIP_DIRECTIVES = re.compile(r"^#\|\s*(export|exports|exporti|hide|slow|cuda|eval:\s*false)\b", re.M)

def numbered_notebooks()->list:
    "The lesson notebooks: `nbs/*.ipynb` except scratch ones (a leading `_`)."
    return sorted(p for p in (ROOT/'nbs').glob('*.ipynb') if not p.name.startswith('_'))

def _call_name(node)->str:
    f = node.func
    return f.attr if isinstance(f, ast.Attribute) else getattr(f, 'id', '')

def is_showing_cell(source:str)->bool:
    "Whether a code cell's last statement shows a value, so that the cell must be stored with its output."
    if SKIP_DIRECTIVES.search(source): return False
    try: body = ast.parse('\n'.join(l for l in source.splitlines() if not l.lstrip().startswith(('!', '%')))).body
    except SyntaxError: return False
    if not body or not isinstance(body[-1], ast.Expr): return False
    value = body[-1].value
    if isinstance(value, ast.Call):
        name = _call_name(value)
        return not (name.startswith('test_') or name in SILENT_CALLS)
    return not isinstance(value, ast.Constant)

def _is_picture(output)->bool: return any(k.startswith('image/') for k in output.get('data', {}))
def _is_widget(output)->bool: return 'application/vnd.jupyter.widget-view+json' in output.get('data', {})

def problems(path:Path)->list:
    "What is missing or wrong in one notebook's stored outputs."
    nb, found = json.loads(path.read_text(encoding='utf-8')), []
    pictures = 0
    for i, cell in enumerate(nb['cells']):
        if cell['cell_type'] != 'code': continue
        src, outputs = ''.join(cell['source']), cell.get('outputs', [])
        pictures += sum(map(_is_picture, outputs))
        first = src.strip().splitlines()[0][:60] if src.strip() else ''
        if any(o.get('output_type') == 'error' for o in outputs): found.append(f"cell {i} ({first!r}) is stored with an error")
        elif any(map(_is_widget, outputs)): found.append(f"cell {i} ({first!r}) is stored with a Jupyter widget (store outputs with `make outputs`)")
        elif is_showing_cell(src) and not outputs: found.append(f"cell {i} ({first!r}) shows a value but is stored without its output")
    need = PICTURES.get(path.stem, 0)
    if pictures < need: found.append(f"{pictures} pictures stored, at least {need} expected")
    return found

def main()->int:
    bad = 0
    for nb in numbered_notebooks():
        for p in problems(nb): print(f"{nb.relative_to(ROOT)}: {p}"); bad += 1
    mb = sum(p.stat().st_size for p in (ROOT/'nbs').rglob('*') if p.is_file())/2**20
    if mb > MAX_MB: print(f"nbs/ holds {mb:.1f} MB, more than {MAX_MB} MB: store smaller pictures"); bad += 1
    print(f"{len(numbered_notebooks())} notebooks, {mb:.1f} MB: " + (f"{bad} problems (run `make outputs`)" if bad else "outputs stored"))
    return 1 if bad else 0

if __name__ == '__main__': sys.exit(main())
