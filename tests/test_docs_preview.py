"""The docs preview (`make docs-preview`), opened in a real headless browser: every page is there, its pictures load and
its API documentation is on it. Needs Debian's `chromium` (`apt-get install chromium`)."""
import json, re, shutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'))
from check_outputs import PICTURES, numbered_notebooks

# Appended to a copy of each page: once the page has loaded, the browser writes what it sees into the DOM it dumps.
PROBE = """<script>window.addEventListener('load', () => {
  const imgs = [...document.images].filter(i => i.src.startsWith('data:'));  // the notebook's own pictures; a badge from the web cannot load offline
  document.body.setAttribute('data-probe', JSON.stringify({images: imgs.length,
    broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 60)),
    api: document.querySelectorAll('h2, h3, h4').length, text: document.body.innerText.length}));
});</script>"""

def browser()->str:
    found = shutil.which('chromium') or shutil.which('chromium-browser')
    if not found: pytest.fail("the docs preview test needs a headless browser: apt-get install chromium")
    return found

@pytest.fixture(scope='module')
def pages(tmp_path_factory):
    out = tmp_path_factory.mktemp('preview')
    subprocess.run([sys.executable, str(ROOT/'tools'/'docs_preview.py'), '--out', str(out)], check=True, cwd=ROOT)
    return out

def seen_by_browser(page:Path)->dict:
    "What headless Chromium finds on `page` once it has loaded."
    probed = page.with_name(f'probed_{page.name}')
    probed.write_text(page.read_text(encoding='utf-8').replace('</body>', PROBE + '</body>'), encoding='utf-8')
    dom = subprocess.run([browser(), '--headless=new', '--no-sandbox', '--disable-gpu', '--virtual-time-budget=5000',
                          '--dump-dom', probed.as_uri()], capture_output=True, text=True, timeout=120).stdout
    m = re.search(r'data-probe="([^"]*)"', dom)
    assert m, f"{page.name}: the browser did not finish loading the page"
    return json.loads(m.group(1).replace('&quot;', '"'))

def test_every_notebook_has_a_page(pages):
    test_names = {p.stem for p in numbered_notebooks()}
    assert {p.stem for p in pages.glob('*.html')} >= test_names

@pytest.mark.parametrize('name', sorted(PICTURES))
def test_pictures_load_in_a_browser(pages, name):
    seen = seen_by_browser(pages/f'{name}.html')
    assert seen['images'] >= PICTURES[name] and not seen['broken'], seen

def test_api_documentation_is_on_the_pages(pages):
    page = (pages/'00_data.html').read_text(encoding='utf-8')
    for name in ('KeypointSchema', 'load_image', 'check_xy'):  # show_doc's heading and signature for each exported name
        assert re.search(rf'<h[234][^>]*>\s*{name}\b', page), name
    assert 'A keypoint dataset, as people make one' in page
    seen = seen_by_browser(pages/'00_data.html')
    assert seen['api'] >= 5 and seen['text'] > 2000, seen
