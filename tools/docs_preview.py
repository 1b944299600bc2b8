"""Preview the docs site without Quarto: nbdev's processed notebooks (with their API tables) rendered to HTML pages.

`nbdev_docs` renders the site with Quarto. Where Quarto is not installed, this script runs the same processing that
`nbdev_proc_nbs` runs (without its attempt to install Quarto), then renders each processed notebook in `_proc/` with
nbconvert into one HTML page per notebook in the output folder (`_preview/` by default), with a navigation bar.
The pages show what the site shows: prose, code, the stored outputs and the API tables that nbdev's `show_doc` adds.

Run: python tools/docs_preview.py [--out _preview]   (or `make docs-preview`)"""
import argparse, fnmatch, html, re, shutil
from pathlib import Path

import nbformat, yaml
import nbdev.doclinks
from nbconvert import HTMLExporter
from nbdev.config import get_config
from nbdev.quarto import nbdev_sidebar, refresh_quarto_yml
from nbdev.serve import proc_nbs
from traitlets.config import Config

ROOT = Path(__file__).resolve().parents[1]

def process_notebooks()->Path:
    "Process the notebooks for the docs as `nbdev_proc_nbs` does, without installing Quarto; the folder of the results."
    cfg = get_config(path=ROOT)
    refresh_quarto_yml()
    nbdev.doclinks._build_modidx()
    nbdev_sidebar.__wrapped__(path=cfg.nbs_path)
    proc_nbs(cfg.nbs_path, n_workers=0, force=True)  # every page afresh: a change to the renderer changes them all
    return cfg.config_path/'_proc'

def front_matter(nb)->dict:
    "`title` and `description` from the raw YAML cell nbdev puts first in a processed notebook."
    raw = next((c.source for c in nb.cells if c.cell_type == 'raw' and c.source.startswith('---')), '')
    found = {}
    for key in ('title', 'description'):  # one-line values, quoted or folded over several lines
        m = re.search(rf"^{key}: *(.*(?:\n  .*)*)", raw, re.M)
        if m: found[key] = re.sub(r"\s+", ' ', m.group(1)).strip().strip("'\"").replace("''", "'")
    return found

def page_notebook(nb, title:str):
    "The processed notebook as a page: a heading and summary from its front matter, API-table cells without their code."
    meta = front_matter(nb)
    head = f"# {meta.get('title', title)}\n\n" + (f"> {meta['description']}\n" if meta.get('description') else '')
    cells = [nbformat.v4.new_markdown_cell(head)]
    for c in nb.cells:
        if c.cell_type == 'raw': continue
        if c.cell_type == 'code' and re.search(r"^#\| *echo: *false", c.source, re.M):
            c.metadata.setdefault('tags', []).append('remove_input')
            for o in c.get('outputs', []):  # Quarto's link attributes, which plain Markdown would print
                if 'text/markdown' in o.get('data', {}): o['data']['text/markdown'] = re.sub(r"\{target=[^}]*\}", '', o['data']['text/markdown'])
        cells.append(c)
    nb.cells = cells
    return nb

def sidebar_entries(contents)->list:
    "The file names and globs of a Quarto sidebar's `contents`, sections flattened, in order."
    if isinstance(contents, str): return [contents]
    found = []
    for item in contents or []:
        if isinstance(item, str): found.append(item)
        elif isinstance(item, dict): found += sidebar_entries(item.get('contents') or item.get('href'))
    return found

def sidebar_order(proc:Path)->list:
    "The processed notebooks in the order of the site's sidebar (`nbs/sidebar.yml`), then any it does not list."
    sidebar = yaml.safe_load((ROOT/'nbs'/'sidebar.yml').read_text())['website']['sidebar']
    names, ordered = sorted(p.name for p in proc.glob('*.ipynb')), []
    for entry in sidebar_entries(sidebar.get('contents')):
        ordered += [n for n in names if fnmatch.fnmatch(n, entry.lstrip('/')) and n not in ordered]
    return [proc/n for n in ordered + [n for n in names if n not in ordered]]

def nav_bar(pages:list, current:str)->str:
    links = ' | '.join(f'<b>{html.escape(t)}</b>' if n == current else f'<a href="{n}.html">{html.escape(t)}</a>' for n, t in pages)
    return f'<nav style="padding: 8px 16px; border-bottom: 1px solid #ddd; font-family: sans-serif">{links}</nav>'

def render(proc:Path, out:Path)->list:
    "Render every processed notebook in `proc` into `out`; the pages written."
    out.mkdir(parents=True, exist_ok=True)
    if (ROOT/'nbs'/'images').is_dir(): shutil.copytree(ROOT/'nbs'/'images', out/'images', dirs_exist_ok=True)  # pictures the pages link to
    c = Config(); c.TagRemovePreprocessor.enabled = True; c.TagRemovePreprocessor.remove_input_tags = ('remove_input',)
    c.HTMLExporter.exclude_input_prompt = c.HTMLExporter.exclude_output_prompt = True
    exporter = HTMLExporter(config=c)
    notebooks = sidebar_order(proc)
    books = {p.stem: nbformat.read(p, as_version=4) for p in notebooks}
    pages = [(stem, front_matter(nb).get('title', stem)) for stem, nb in books.items()]
    written = []
    for stem, nb in books.items():
        body, _ = exporter.from_notebook_node(page_notebook(nb, stem))
        body = body.replace('<body', '<body data-page="' + stem + '"', 1)
        body = re.sub(r'(<body[^>]*>)', lambda m: m.group(1) + nav_bar(pages, stem), body, count=1)
        (out/f'{stem}.html').write_text(body, encoding='utf-8')
        written.append(out/f'{stem}.html')
    return written

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--out', type=Path, default=ROOT/'_preview', help='folder for the HTML pages')
    args = p.parse_args()
    pages = render(process_notebooks(), args.out)
    print(f"{len(pages)} pages in {args.out}: open {args.out/'index.html'}")
