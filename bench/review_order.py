"""The review order on real photos: does it put the model's errors first? Measured on images the model never trained on.

Run: python bench/review_order.py CHECKPOINT [DATA] [--splits val test] [--threshold 0.5] [--name NAME]

CHECKPOINT is a model trained on DATA's `train` split only (for example `best.pt` of
`python bench/real_photos.py --out DIR`); DATA is a folder with LabelMe splits (default: the LivestockKeypoints sheep,
../shared/data/real2/livestock-sheep). For each split the model predicts every image, and again on its mirror
(`predict(..., mirror=True)`); `kp_rcnn.review.review_signals` gives each image's signals and
`kp_rcnn.metrics.keypoint_errors` its mean OKS against the truth. Printed and written per split: how each doubt alone
and the review score with and without the mirror (`review_orders`) rank the images against their OKS
(`review_hits`: Spearman's correlation, the share of the worst 10% by OKS in the first 20% of the order). The images'
rows go to bench/results/review-order-NAME_COMMIT_MACHINE.json, which nbs/04c_review.ipynb reads."""
import argparse, sys
from pathlib import Path
import pandas as pd
import torch
from kp_rcnn.dataset import load_dataset, model_target, tv_target
from kp_rcnn.infer import load_predictor
from kp_rcnn.metrics import image_table, jsonable, keypoint_errors
from kp_rcnn.review import review_hits, review_orders, review_signals
from kp_rcnn.utils import write_json_atomic
from common import machine, results_file, table

DATA = Path(__file__).resolve().parent.parent.parent/'shared'/'data'/'real2'/'livestock-sheep'

def image_rows(predictor, folder:Path, threshold:float)->list:
    "Per image of `folder`: the review signals of the model's predictions and their mean OKS against the truth."
    ds = load_dataset(folder)
    files = [r.image for r in ds.records]  # LabelMe folders: image paths
    preds = predictor.predict(files, threshold=threshold)
    mirrored = predictor.predict(files, threshold=threshold, mirror=True)
    truth = [model_target(tv_target(r), r.size) for r in ds.records]  # what ds[i] holds, without decoding the image again
    oks = image_table(keypoint_errors(truth, [p.target for p in preds], ds.schema)).oks
    signals = review_signals(preds, mirrored).drop(columns='file')
    return jsonable(signals.assign(oks=oks.reindex(range(len(preds))).to_numpy()).to_dict('records'))

def orders(rows:list)->dict:
    "Each order's `review_hits` against the images' OKS: each doubt alone, the review score without the mirror, and with it."
    signals = pd.DataFrame(rows)
    return {name: review_hits(score, signals.oks) for name, score in review_orders(signals).items()}

def main(args):
    torch.set_num_threads(args.threads)
    predictor = load_predictor(args.checkpoint, device='cpu')
    result = dict(command=' '.join(['python', 'bench/review_order.py', *sys.argv[1:]]), machine=machine(),
                  checkpoint=str(args.checkpoint), data=str(args.data), threshold=args.threshold, splits={})
    for split in args.splits:
        rows = image_rows(predictor, Path(args.data)/split, args.threshold)
        hits = orders(rows)
        table(f"{split}: {len(rows)} images", hits, digits=3)
        result['splits'][split] = dict(images=rows, hits=hits)
    path = results_file(f'review-order-{args.name}', folder=args.results)
    write_json_atomic(path, result, indent=1)
    print(f"wrote {path}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('checkpoint', help="a checkpoint trained on DATA/train only")
    p.add_argument('data', nargs='?', default=str(DATA), help="folder with LabelMe splits (default: %(default)s)")
    p.add_argument('--splits', nargs='+', default=['val', 'test'], help="splits to measure (default: val test)")
    p.add_argument('--threshold', type=float, default=0.5, help="detection score threshold, as kp-rcnn predict's")
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--name', default='sheep', help="the set-up in the results file's name (default: %(default)s)")
    p.add_argument('--results', default=str(results_file('x').parent), help="folder of the results JSON")
    main(p.parse_args())
