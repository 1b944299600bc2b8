"""Keypoint accuracy for the time spent: variants of a light model trained for the same CPU time on generated faces.

Run: python bench/model_accuracy.py [--minutes 10] [--threads 1] [--variants NAME ...] [--out FOLDER]

The base is the `light` preset with torchvision's MobileNetV3 FPN (feature maps of stride 32 only) and 10 detections
per image; each other variant changes one thing. `kp_rcnn.train.fit` trains each from scratch (no downloads) for
`--minutes` of CPU time on 200 generated 256 x 192 face images (1 to 3 faces each) and measures it on 50 more after
every epoch; the table shows the last epoch. The budget is CPU time (`fit(..., clock=time.process_time)`) on one thread, not
wall time, so that other work on a shared machine does not change how much training a variant gets. Then the trained model,
whose RPN now finds the faces, times training steps on 8 training images (images per CPU second) and counts the
regions the keypoint head runs on: the speed of training once it is under way, which an untrained model
(`bench/train_speed.py --presets`) understates. Last, the trained base model is measured with other inference settings.
nbs/benchmarks.ipynb shows the figures of one run."""
import argparse, tempfile, time
from dataclasses import replace
from pathlib import Path
import torch
from kp_rcnn.dataset import KeypointDataset
from kp_rcnn.sample import make_face_dataset
from kp_rcnn.evaluation import evaluate
from kp_rcnn.saving import load_checkpoint, model_from_checkpoint
from kp_rcnn.train import fit
from common import table, train_step_speed
from setups import MODEL_VARIANTS, register_variant

VARIANTS = ['base', 'FPN maps from stride 8', "torchvision's head (8 x 512)", "torchvision's sampling (512 regions/img)"]

# inference settings, tried on the trained base model: proposals kept after NMS x most detections per image
INFERENCE = [(1000, 100), (1000, 10), (300, 100), (300, 20), (300, 10), (150, 10)]

def run(name:str, data:Path, out:Path, minutes:float)->dict:
    "Train one variant of `light` for `minutes`; its last epoch's metrics and its trained training speed."
    history = fit(data, preset=register_variant('light', MODEL_VARIANTS[name]), out=str(out), minutes=minutes, clock=time.process_time, batch_size=8, weights='none',
                  backbone_weights='none', lr=5e-4, augment='strong', progress=False, best_metric='pck@0.2')  # the settings its figures were measured with
    last = history.iloc[-1]
    model = model_from_checkpoint(load_checkpoint(out/'last.pt'))
    ds = KeypointDataset.from_labelme(data)
    images, targets = map(list, zip(*[ds[i] for i in range(8)]))
    speed = train_step_speed(model, images, targets, steps=2)
    return {'epochs': last['epoch'], 'pck@0.2': last['pck@0.2'], 'pck@0.1': last['pck@0.1'], 'oks_ap': last['oks_ap'],
            'mean px error': last['mean_px_error'], 'trained: train img/CPU-s': speed['img/CPU-s'],
            'kp regions/img': speed['kp regions/img']}

def inference_settings(checkpoint:Path, data:Path)->dict:
    "Accuracy and speed of a trained model on the validation images with each of `INFERENCE`."
    ckpt, rows = load_checkpoint(checkpoint), {}
    valid = KeypointDataset.from_labelme(data).split(0.2, 0)[1]  # as `fit` split it
    for proposals, detections in INFERENCE:
        change = dict(rpn_post_nms_top_n_test=proposals, box_detections_per_img=detections)
        model = model_from_checkpoint({**ckpt, 'config': replace(ckpt['config'], **change)})
        start = time.process_time(); metrics = evaluate(model, valid, ckpt['schema']).metrics
        rows[f"{proposals} proposals, {detections} detections"] = {
            'pck@0.2': metrics['pck@0.2'], 'oks_ap': metrics['oks_ap'], 'infer img/CPU-s': len(valid)/(time.process_time() - start)}
    return rows

def main(args):
    minutes, threads, names, out = args.minutes, args.threads, args.variants, args.out
    if threads: torch.set_num_threads(threads)
    print(f"{torch.get_num_threads()} thread(s), {minutes} CPU minutes per variant")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(out or tmp)
        data = make_face_dataset(out/'faces', n_images=250, width=256, height=192, seed=0)
        rows = {}
        for i, n in enumerate(names):
            rows[n] = run(n, data, out/f'run{i}', minutes)
            table('variant', {n: rows[n]})
            if n == 'base':
                table('inference settings of the trained base model', inference_settings(out/f'run{i}'/'last.pt', data))
        table('variant', rows)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--minutes', type=float, default=10., help="CPU minutes of training per variant")
    p.add_argument('--threads', type=int, default=1, help="CPU threads (the budget is CPU time: keep 1 for a fair one)")
    p.add_argument('--variants', nargs='*', default=VARIANTS, choices=VARIANTS, metavar='NAME')
    p.add_argument('--out', help="keep the data and the runs in this folder (default: a temporary one)")
    main(p.parse_args())
