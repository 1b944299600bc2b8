"""Train the demo's light model with a box head of another width, for a budget of CPU time, and measure it on held-out faces.

Run: python bench/box_head_width.py --width 1024 --out DIR [--minutes 14] [--threads 1]
The data, model and training settings are `kp-rcnn demo`'s (300 generated faces at 160 px, the `light` preset, `mild`
augmentation), but the budget is CPU time of this process (`fit(clock=time.process_time)`), so that runs of two widths
side by side, on a machine that other jobs share, get the same compute. `representation_size` is the width of the box
head's two fully connected layers (torchvision: 1024), which run on every proposal the RPN keeps at inference.
DIR/light_boxW/best.pt is the checkpoint; `bench/inference_settings.py` compares checkpoints' inference further."""
import argparse, time
from pathlib import Path

import torch

from kp_rcnn.evaluation import evaluate
from kp_rcnn.model import MODEL_PRESETS, register_model_preset
from kp_rcnn.sample import make_face_dataset
from kp_rcnn.train import fit
from kp_rcnn.utils import write_json_atomic
from common import machine

def main(args):
    width, out, minutes, threads, seed = args.width, args.out, args.minutes, args.threads, args.seed
    torch.set_num_threads(threads)
    out = Path(out)
    data = make_face_dataset(out/'data', n_images=300, seed=seed)  # the demo's training faces ...
    holdout = make_face_dataset(out/'holdout', n_images=40, seed=seed + 1)  # ... and its held-out ones
    preset = f'light_box{width}'
    register_model_preset(preset, **{**MODEL_PRESETS['light'], 'representation_size': width})
    history = fit(data, out=out/preset, overwrite=True, preset=preset, train_size=160, weights='none', backbone_weights='none',
                  epochs=60, minutes=minutes, batch_size=8, lr=2e-3, augment='mild', seed=seed, clock=time.process_time, progress=False)
    metrics = evaluate(out/preset/'best.pt', holdout, device='cpu', batch_size=8).metrics
    result = {'machine': machine(), 'width': width, 'cpu_minutes': minutes, 'epochs': len(history), 'heldout': metrics}
    write_json_atomic(out/f'{preset}.json', result, indent=1)
    print(f"{preset}: {len(history)} epochs, held-out keypoint AP {metrics['oks_ap']:.3f}, PCK@0.2 {metrics['pck@0.2']:.3f}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--width', type=int, default=1024, help="representation_size of the box head")
    p.add_argument('--out', required=True, help='folder for the data, the run and the result')
    p.add_argument('--minutes', type=float, default=14., help='CPU minutes of training (all threads of this process)')
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--seed', type=int, default=0)
    main(p.parse_args())
