"""Time to accuracy: the tutorial's set-up and kp_rcnn's trained for the same wall-clock budget, measured on the same images.

Run: python bench/time_to_accuracy.py [--minutes 10] [--size 512] [--images 60] [--only a b c] [--weights FILE] [--backbone-weights FILE]

The set-ups are bench/setups.py's. `kp_rcnn.train.fit` trains each with its own defaults (AdamW at 5e-4 with a
one-cycle schedule, batches of 4, the `strong` augmentations) on the same `--images` generated `--size` x `--size` face
images (a fifth of them held out for `fit`'s own validation) for `--minutes` of wall-clock time (it fits whole epochs into
the budget, and always runs the first), then `kp_rcnn.evaluation.evaluate` measures its last checkpoint on the same 50 other
generated images: PCK@0.1 and keypoint AP (OKS), in the original images' pixels. On a CPU an epoch of (a) over 60 images
takes minutes, so keep `--images` small there.

Without `--weights`/`--backbone-weights` every model starts from random weights (torchvision's downloads cannot run
everywhere); with the COCO Keypoint R-CNN file (`keypointrcnn_resnet50_fpn_coco-fc266e95.pth`) (a) and (b) start where the
tutorial starts, and with an ImageNet MobileNetV3 file (c) does. (a)'s augmentations run at its 800 pixels here, as `fit`
augments at the model's size, where the tutorial augments at 512 and lets the model resize."""
import argparse, tempfile
from pathlib import Path
from kp_rcnn.sample import make_face_dataset
from kp_rcnn.evaluation import evaluate
from kp_rcnn.train import fit
from setups import check_tutorial_preset, setups

def start_weights(key:str, coco:str|None, imagenet:str|None)->dict:
    "What set-up `key` starts from: the COCO file for ResNet-50 (a, b), the ImageNet file for MobileNet (c), else random."
    if key == 'c': return dict(weights='none', backbone_weights=imagenet or 'none')
    return dict(weights=coco or 'none', backbone_weights='none')

def train_and_measure(config:dict, workers:int|None, train:Path, valid:Path, out:Path, minutes:float, weights:dict)->dict:
    "Train one set-up for `minutes`; its epochs and its last checkpoint's metrics on `valid`."
    history = fit(train, out=str(out), minutes=minutes, batch_size=4, lr=5e-4, augment='strong', workers=workers, progress=False,
                  device='auto', **config, **weights)
    metrics = evaluate(out/"last.pt", valid).metrics
    return {'epochs': int(history['epoch'].iloc[-1]), 'minutes': history['seconds'].sum()/60,
            'pck@0.1': metrics['pck@0.1'], 'oks_ap': metrics['oks_ap']}

def main(args):
    minutes, size, images, only, out = args.minutes, args.size, args.images, args.only, args.out
    weights = (args.weights, args.backbone_weights)
    check_tutorial_preset(size)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(out or tmp)
        train = make_face_dataset(folder/'train', n_images=images, width=size, height=size, seed=0)
        valid = make_face_dataset(folder/'valid', n_images=50, width=size, height=size, seed=1)
        rows = {}
        for key, (label, config, _, workers) in setups(size).items():
            if key not in only: continue
            rows[label] = train_and_measure(config, workers, train, valid, folder/f'run_{key}', minutes, start_weights(key, *weights))
            print(label, {k: round(float(v), 3) for k, v in rows[label].items()}, flush=True)
    print(f"\n{minutes} minutes per set-up, {images} training images of {size} x {size}\n| set-up | epochs | minutes trained | PCK@0.1 | keypoint AP |\n|---|---|---|---|---|")
    for label, r in rows.items():
        print(f"| {label} | {r['epochs']} | {r['minutes']:.1f} | {r['pck@0.1']:.3f} | {r['oks_ap']:.3f} |")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--minutes', type=float, default=10., help="wall-clock training budget per set-up")
    p.add_argument('--size', type=int, default=512, help="side of the generated images")
    p.add_argument('--images', type=int, default=60, help="generated training images (validation: 50 more)")
    p.add_argument('--only', nargs='*', default=['a', 'b', 'c'], choices=['a', 'b', 'c'], help="run only these set-ups")
    p.add_argument('--weights', help="COCO Keypoint R-CNN weights file for (a) and (b)")
    p.add_argument('--backbone-weights', help="ImageNet MobileNetV3-Large weights file for (c)")
    p.add_argument('--out', help="keep the data and the runs in this folder (default: a temporary one)")
    main(p.parse_args())
