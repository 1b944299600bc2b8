"""Draw the front page's picture (`nbs/images/sheep_predictions.jpg`): a checkpoint's predictions beside the annotations
on held-out sheep photos, the first ones in name order unless `--photos` names others.

Run: python tools/front_picture.py CHECKPOINT [--photos left-101 left-104] [--out nbs/images/sheep_predictions.jpg]
(the checkpoint: `best.pt` of the tutorial's run)."""
import argparse
from pathlib import Path

from kp_rcnn.dataset import KeypointDataset
from kp_rcnn.review import draw_prediction
from kp_rcnn.infer import predict
from kp_rcnn.sample import sheep_photos
from kp_rcnn.show import picture_grid, save_picture

ROOT = Path(__file__).resolve().parents[1]

def front_picture(checkpoint, photos:list=None, n:int=2, width:int=1280):
    "Annotations beside predictions, one held-out photo per row, `width` pixels wide."
    test = KeypointDataset.from_labelme(sheep_photos('test'))
    truth = {r.name: t for r, (_, t) in zip(test.records, test)}
    preds = {p.name: p for p in predict(checkpoint, sheep_photos('test'), threshold=0.9)}  # as the tutorial draws them
    names = photos or sorted(preds)[:n]
    grid = picture_grid([draw_prediction(preds[k], target=truth[k], names=True) for k in names], ncols=1)
    return grid.resize((width, round(grid.height*width/grid.width))) if grid.width > width else grid

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('checkpoint', type=Path)
    p.add_argument('--photos', nargs='*', help='names of test photos (default: the first two)')
    p.add_argument('--out', type=Path, default=ROOT/'nbs'/'images'/'sheep_predictions.jpg')
    a = p.parse_args()
    print(save_picture(front_picture(a.checkpoint, a.photos), a.out))
