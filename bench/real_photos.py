"""Keypoints on real photographs: a model preset trained from scratch for a CPU-time budget on sheep photos, measured on their test split.

Run: python bench/real_photos.py [DATA] [--preset light] [--variant NAME] [--set FIELD=VALUE ...] [--minutes 10] [--threads 1]
     [--lr 2e-3] [--batch-size 4] [--augment mild] [--train-size N] [--no-amp] [--name NAME]

DATA is a folder with `train/`, `val/` and `test/` LabelMe folders (default: the LivestockKeypoints sheep,
../shared/data/real2/livestock-sheep from the repository root). `kp_rcnn.train.fit` trains the preset from random
weights (no downloads) on `train` for `--minutes` of CPU time on `--threads` threads (`fit(..., clock=time.process_time)`,
so that other work on a shared machine does not change how much training a run gets; validation after each epoch counts
too), keeps the checkpoint with the best keypoint AP on `val`, and measures it on `test`: the metrics
`kp_rcnn.evaluation.evaluate` reports and a table per keypoint. `--variant` and `--set` change the model (any `ModelConfig`
field) through a model preset registered here; the training settings have their own options. The results go to
bench/results/real-photos-NAME_COMMIT_MACHINE.json, which nbs/benchmarks.ipynb reads."""
import argparse, json, sys, tempfile, time
from typing import get_type_hints
from pathlib import Path
import pandas as pd
import torch
from kp_rcnn.evaluation import evaluate
from kp_rcnn.metrics import jsonable
from kp_rcnn.saving import load_checkpoint
from kp_rcnn.train import TrainArgs, fit
from kp_rcnn.utils import write_json_atomic
from common import machine, results_file, table
from setups import MODEL_VARIANTS, register_variant

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent/'shared'/'data'/'real2'/'livestock-sheep'
RESULTS = REPO/'bench'/'results'

TRAINING = ('preset', 'minutes', 'lr', 'batch_size', 'augment', 'train_size', 'best_metric', 'seed', 'amp')  # recorded with the results

def splits(data:Path)->dict:
    "The `train`, `val` and `test` folders of `data`; exits with a message when one is missing."
    folders = {s: data/s for s in ('train', 'val', 'test')}
    if missing := [str(f) for f in folders.values() if not f.is_dir()]:
        sys.exit(f"{', '.join(missing)}: no such folder. Give a folder with train/, val/ and test/ LabelMe folders "
                 f"(the LivestockKeypoints sheep: see {DATA/'SOURCES.md'}) as the first argument")
    return folders

def parse_settings(pairs:list)->dict:
    "`FIELD=VALUE` pairs as `ModelConfig` changes; a VALUE is read as JSON where it can be (`head_layers=[64,64]`)."
    def value(v):
        try: return json.loads(v)
        except json.JSONDecodeError: return v
    return {k: value(v) for k, v in (p.split('=', 1) for p in pairs)}

def measure(checkpoint:Path, data:Path, name:str)->dict:
    "Test metrics (those `kp_rcnn.evaluation.evaluate` reports) and the table per keypoint of the model in `checkpoint`, printed and as plain data."
    scored = evaluate(checkpoint, data, device='cpu')
    epoch = load_checkpoint(checkpoint)['epoch']
    table(f"test, {checkpoint.name} (epoch {epoch})", {name: scored.metrics}, digits=3)
    table('keypoint', scored.keypoints.to_dict('index'), digits=3)
    return dict(epoch=epoch, test=jsonable(scored.metrics), per_keypoint=jsonable(scored.keypoints))

def main(args):
    torch.set_num_threads(args.threads)
    folders = splits(Path(args.data))
    preset = register_variant(args.preset, {**MODEL_VARIANTS.get(args.variant, {}), **parse_settings(args.set)})
    name = args.name or args.variant or args.preset
    path = results_file(f'real-photos-{name}', folder=args.results)
    result = dict(name=name, command=' '.join(['python', 'bench/real_photos.py', *sys.argv[1:]]), machine=machine(), wall_minutes=None)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.out or tmp)/name
        if args.measure:  # the run that trained wrote the command, the machine and the wall time
            result |= {k: v for k, v in json.loads(path.read_text()).items() if k in result} if path.is_file() else {}
        else:
            print(f"{name}: {preset} for {args.minutes} CPU minutes on {machine()}", flush=True)
            wall = time.perf_counter()
            fit(folders['train'], val=folders['val'], out=out, overwrite=True, clock=time.process_time, weights='none',
                backbone_weights='none', progress=False, preset=preset, minutes=args.minutes, lr=args.lr,
                batch_size=args.batch_size, augment=args.augment, train_size=args.train_size, best_metric=args.best_metric,
                seed=args.seed, amp=args.amp)
            result['wall_minutes'] = (time.perf_counter() - wall)/60
        last = load_checkpoint(out/'last.pt')
        history = pd.DataFrame(last['history'])
        cols = ['epoch', 'loss', 'val_loss', 'oks_ap', 'pck@0.2', 'box_ap', 'seconds']
        table('epoch', {int(r['epoch']): {c: r[c] for c in cols[1:]} for r in history.to_dict('records')}, digits=3)
        result |= dict(data=str(args.data), train={k: last['train_args'][k] for k in TRAINING},
                       model={k: v for k, v in last['config'].to_dict().items() if k not in ('weights', 'backbone_weights')},
                       cpu_minutes=history.seconds.sum()/60, epochs=len(history),
                       history=[jsonable(row) for row in history[cols].to_dict('records')],
                       best=measure(out/'best.pt', folders['test'], name), last=measure(out/'last.pt', folders['test'], name))
    write_json_atomic(path, result, indent=1)
    print(f"wrote {path}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('data', nargs='?', default=str(DATA), help="folder with train/, val/ and test/ (default: %(default)s)")
    p.add_argument('--preset', default='light', help="model preset to start from (default: light)")
    p.add_argument('--variant', choices=list(MODEL_VARIANTS), help="model changes from bench/setups.py")
    p.add_argument('--set', nargs='*', default=[], metavar='FIELD=VALUE', help="more ModelConfig changes, e.g. head_layers=[128,128]")
    p.add_argument('--minutes', type=float, default=10., help="CPU minutes of training, validation included")
    p.add_argument('--threads', type=int, default=1, help="CPU threads (the budget is CPU time: keep 1 for a fair one)")
    for f in ('lr', 'batch_size', 'augment', 'best_metric'):
        p.add_argument('--' + f.replace('_', '-'), type=get_type_hints(TrainArgs)[f], default=getattr(TrainArgs, f),
                       help="as kp_rcnn.train.fit (default: %(default)s, as fit chooses for random weights)")
    p.add_argument('--train-size', type=int, help="image size (default: the preset's)")
    p.add_argument('--amp', action=argparse.BooleanOptionalAction, default=TrainArgs.amp, help="as kp_rcnn.train.fit: bfloat16 on a CPU with native bfloat16 (default: %(default)s)")
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--name', help="the set-up in the results file's name, real-photos-NAME_COMMIT_MACHINE.json (default: the variant, else the preset)")
    p.add_argument('--out', help="keep the run folder under this folder (default: a temporary one)")
    p.add_argument('--measure', action='store_true', help="measure the run kept in OUT/NAME (--out) again, without training")
    p.add_argument('--results', default=str(RESULTS), help="folder of the results JSON (default: %(default)s)")
    main(p.parse_args())
