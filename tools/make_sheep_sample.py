"""Make `kp_rcnn/sample_data/sheep`, the small set of real photos the tutorial trains on, from the LivestockKeypoints sheep.

The source is the LabelMe conversion described in its `SOURCES.md` (640 x 360 JPEGs, 18 keypoints per sheep). This takes
`--train` photos evenly spaced over its `train/` split and `--test` over its `test/` split, re-encodes each JPEG at
quality `--quality` (same size, so the LabelMe coordinates stay as they are) and writes the LabelMe files compactly.

Run: python tools/make_sheep_sample.py ../shared/data/real2/livestock-sheep [--train 60 --test 16 --quality 75]"""
import argparse, json, shutil
from pathlib import Path
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]

def evenly_spaced(items:list, n:int)->list: return [items[i*len(items)//n] for i in range(n)]

def copy_photo(json_path:Path, out:Path, quality:int):
    ann = json.loads(json_path.read_text())
    image = json_path.parent/ann['imagePath']
    out.mkdir(parents=True, exist_ok=True)
    Image.open(image).convert('RGB').save(out/image.name, 'JPEG', quality=quality, optimize=True)
    (out/json_path.name).write_text(json.dumps(ann, separators=(',', ':')))

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('source', type=Path)
    p.add_argument('--out', type=Path, default=ROOT/'kp_rcnn'/'sample_data'/'sheep')
    p.add_argument('--train', type=int, default=60)
    p.add_argument('--test', type=int, default=16)
    p.add_argument('--quality', type=int, default=75)
    a = p.parse_args()
    for split, n in (('train', a.train), ('test', a.test)):
        shutil.rmtree(a.out/split, ignore_errors=True)
        for j in evenly_spaced(sorted((a.source/split).glob('*.json'), key=lambda p: (p.stem.split('-')[0], int(p.stem.split('-')[1]))), n):
            copy_photo(j, a.out/split, a.quality)
    shutil.copy(a.source/'LICENSE-DATA.txt', a.out/'LICENSE-DATA.txt')
    print(f"{a.out}: {sum(f.stat().st_size for f in a.out.rglob('*') if f.is_file())/2**20:.2f} MB")
