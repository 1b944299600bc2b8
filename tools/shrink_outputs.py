"""Keep the notebooks small: store each picture output once, as a JPEG unless it is a small PNG (a plot).

IPython stores a Pillow image both as PNG and as JPEG, and matplotlib's figures of photos as large PNGs. After
`make outputs` runs the notebooks, this keeps one picture per output: a PNG of at most `MAX_PNG_KB` (line plots stay
sharp), else a JPEG. Run: python tools/shrink_outputs.py [NOTEBOOK ...]   (default: every notebook in nbs/)"""
import base64, io, json, sys
from pathlib import Path
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
MAX_PNG_KB, QUALITY = 60, 85

def as_jpeg(png_b64:str)->str:
    "A base64 PNG as a base64 JPEG, transparency flattened onto white."
    im = Image.open(io.BytesIO(base64.b64decode(png_b64)))
    if im.mode in ('RGBA', 'LA', 'P'):
        im = im.convert('RGBA'); flat = Image.new('RGB', im.size, 'white'); flat.paste(im, mask=im.getchannel('A')); im = flat
    buf = io.BytesIO(); im.convert('RGB').save(buf, 'JPEG', quality=QUALITY, optimize=True)
    return base64.b64encode(buf.getvalue()).decode()

def shrink(data:dict)->dict:
    "One picture in an output's `data`: the PNG if small, else a JPEG."
    png = data.get('image/png')
    if png is None: return data
    if len(png)*3/4 <= MAX_PNG_KB*1024: return {k: v for k, v in data.items() if k != 'image/jpeg'}
    return {**{k: v for k, v in data.items() if k != 'image/png'}, 'image/jpeg': data.get('image/jpeg') or as_jpeg(png)}

def shrink_notebook(path:Path)->int:
    "Shrink the pictures of one notebook in place; the bytes saved."
    before = path.stat().st_size
    nb = json.loads(path.read_text(encoding='utf-8'))
    for cell in nb['cells']:
        for o in cell.get('outputs', []):
            if 'data' in o: o['data'] = shrink(o['data'])
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n', encoding='utf-8')
    return before - path.stat().st_size

if __name__ == '__main__':
    paths = [Path(p) for p in sys.argv[1:]] or sorted((ROOT/'nbs').glob('*.ipynb'))
    for p in paths: print(f"{p.name}: {shrink_notebook(p)/1024:.0f} KB saved")
