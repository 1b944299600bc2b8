"""The demo's task, side by side: `light` and variants of it trained as `kp-rcnn demo` trains it, for the same CPU time.

Run: python bench/demo_accuracy.py [--variants light regions32 ...] [--minutes 4] [--threads 1] [--no-amp] [--json FILE]

Each variant (`light` itself, or a name from bench/setups.py's `MODEL_VARIANTS`) is trained with the demo's settings
(300 generated faces of which `fit` holds out a fifth, 160 px, batch 8, lr 2e-3, `mild`, random weights) for `--minutes`
of CPU time, and its best checkpoint is measured on the demo's 40 held-out images: a check that a change of `light`
made for other data does not lower the demo's held-out keypoint AP, cheaper than running `kp-rcnn demo` once per variant.
`--no-amp` trains in float32 where `fit` would use bfloat16 (a CPU with native bfloat16)."""
import argparse, sys, tempfile, time
from pathlib import Path
import torch
from kp_rcnn.evaluation import evaluate
from kp_rcnn.sample import make_face_dataset
from kp_rcnn.train import TrainArgs, fit
from kp_rcnn.utils import write_json_atomic
from common import machine, table
from setups import MODEL_VARIANTS, register_variant

def main(args):
    names, minutes, threads, amp, json_file = args.variants, args.minutes, args.threads, args.amp, args.json
    torch.set_num_threads(threads)
    print(f"{minutes} CPU minutes per variant on {machine()}", flush=True)
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data, holdout = make_face_dataset(tmp/'data', n_images=300, seed=0), make_face_dataset(tmp/'holdout', n_images=40, seed=1)
        for name in names:
            out = tmp/name
            history = fit(data, out=out, preset=register_variant('light', MODEL_VARIANTS.get(name, {})), train_size=160, weights='none',
                          backbone_weights='none', epochs=60, minutes=minutes, clock=time.process_time, batch_size=8, lr=2e-3,
                          augment='mild', amp=amp, progress=False)
            metrics = evaluate(out/'best.pt', holdout, device='cpu', batch_size=8).metrics
            rows[name] = {'epochs': len(history), 'held-out keypoint AP': metrics['oks_ap'], 'PCK@0.1': metrics['pck@0.1'],
                          'PCK@0.2': metrics['pck@0.2'], 'box AP': metrics['box_ap']}
            table('variant', {name: rows[name]}, digits=3)
    table('variant', rows, digits=3)
    if json_file: write_json_atomic(json_file, dict(command=' '.join(['python', 'bench/demo_accuracy.py', *sys.argv[1:]]), machine=machine(), minutes=minutes, amp=amp, rows=rows), indent=1)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--variants', nargs='*', default=['light', 'regions32'], choices=['light', *MODEL_VARIANTS], metavar='NAME')
    p.add_argument('--minutes', type=float, default=4., help="CPU minutes of training per variant")
    p.add_argument('--threads', type=int, default=1, help="CPU threads (the budget is CPU time: keep 1 for a fair one)")
    p.add_argument('--amp', action=argparse.BooleanOptionalAction, default=TrainArgs.amp, help="as kp_rcnn.train.fit (default: %(default)s)")
    p.add_argument('--json', help="also write the table to this JSON file")
    main(p.parse_args())
