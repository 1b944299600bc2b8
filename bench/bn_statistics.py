"""Batch-norm statistics from which images? The same weights, statistics re-estimated on whole training images or on
training images prepared as `predict` prepares them, measured on whole test images and on prepared ones.

Run: python bench/bn_statistics.py CHECKPOINT [DATA] [--images 64] [--name NAME]

CHECKPOINT is a model trained from random weights (ordinary batch norm) on DATA's `train` split, for example `best.pt`
of `python bench/real_photos.py --out DIR`; DATA has `train/` and `test/` LabelMe folders (default: the sheep). For
each way of re-estimating (`kp_rcnn.train.estimate_bn_statistics` over the first `--images` training images) it prints
`kp_rcnn.metrics.evaluate` on the test images given whole (the model's own transform resizes them, without
antialiasing) and prepared as `predict` prepares them (`no_augmentation`: antialiased resize, padded square), and
writes bench/results/bn-statistics-NAME_COMMIT_MACHINE.json."""
import argparse, copy, sys
from pathlib import Path
import torch
from torch.utils.data import DataLoader
from kp_rcnn.dataset import collate, load_dataset
from kp_rcnn.evaluation import evaluate
from kp_rcnn.saving import load_model
from kp_rcnn.engine import estimate_bn_statistics
from kp_rcnn.augment import make_augmentation
from kp_rcnn.utils import write_json_atomic
from common import machine, results_file, table

DATA = Path(__file__).resolve().parent.parent.parent/'shared'/'data'/'real2'/'livestock-sheep'
SHOWN = ('oks_ap', 'pck@0.2', 'box_ap')

def main(args):
    torch.set_num_threads(args.threads)
    model, schema = load_model(args.checkpoint)
    size = model.transform.max_size  # the model's train_size
    prepared = make_augmentation('none', size)
    train = load_dataset(Path(args.data)/'train', schema=schema)
    test = {'whole': load_dataset(Path(args.data)/'test', schema=schema),
            'prepared': load_dataset(Path(args.data)/'test', schema=schema, transforms=prepared)}
    rows = {}
    for source, transforms in (('whole images', None), ('prepared images', prepared)):
        m = copy.deepcopy(model)
        images = train.subset(range(min(args.images, len(train))), transforms)
        estimate_bn_statistics(m, DataLoader(images, batch_size=4, collate_fn=collate), torch.device('cpu'))
        for given, ds in test.items():
            metrics = evaluate(m.eval(), ds, schema=schema).metrics
            rows[f"statistics from {source}, test images {given}"] = {k: metrics[k] for k in SHOWN}
    table('batch-norm statistics', rows, digits=3)
    path = results_file(f'bn-statistics-{args.name}', folder=args.results)
    write_json_atomic(path, dict(command=' '.join(['python', 'bench/bn_statistics.py', *sys.argv[1:]]), machine=machine(),
                                 checkpoint=str(args.checkpoint), images=args.images, rows=rows), indent=1)
    print(f"wrote {path}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('checkpoint', help="a checkpoint trained from random weights on DATA/train")
    p.add_argument('data', nargs='?', default=str(DATA), help="folder with train/ and test/ (default: %(default)s)")
    p.add_argument('--images', type=int, default=64, help="training images that re-estimate the statistics (fit's BN_IMAGES)")
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--name', default='sheep', help="the set-up in the results file's name (default: %(default)s)")
    p.add_argument('--results', default=str(results_file('x').parent), help="folder of the results JSON")
    main(p.parse_args())
