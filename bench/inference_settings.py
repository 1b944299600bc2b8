"""Held-out keypoint AP and eager latency of one trained checkpoint under other inference settings, side by side.

Run: python bench/inference_settings.py CHECKPOINT HELDOUT [--others CKPT ...] [--threads 2] [--json FILE]
Each variant rebuilds the checkpoint's model with some inference fields of its `ModelConfig` changed (proposals kept,
detections per image, RoIAlign sampling, or what `sized_for_objects` gives for the held-out images' most objects) and
the same weights; `--others` adds other checkpoints (bench/box_head_width.py trains them), as trained and sized. Every held-out image goes through every variant in turn,
one image per call, so all variants see the same load on the machine; the same outputs give the metrics.
`kp-rcnn demo --out DIR` makes a checkpoint (DIR/run/best.pt) and test images (DIR/test) to run it on."""
import argparse, dataclasses, os, statistics

import torch

from kp_rcnn.dataset import load_dataset
from kp_rcnn.metrics import keypoint_metrics
from kp_rcnn.model import build_model, sized_for_objects
from kp_rcnn.saving import load_checkpoint
from kp_rcnn.utils import write_json_atomic
from common import in_turn, machine, table

VARIANTS = {'as trained': {},
            '150 proposals': dict(rpn_post_nms_top_n_test=150),
            '50 proposals': dict(rpn_post_nms_top_n_test=50),
            '20 proposals': dict(rpn_post_nms_top_n_test=20),
            '10 detections': dict(box_detections_per_img=10),
            '5 detections': dict(box_detections_per_img=5),
            'RoIAlign sampling 1': dict(roi_sampling_ratio=1),
            '300 candidates per level before NMS': dict(rpn_pre_nms_top_n_test=300)}

def sized(config, most_objects:int)->dict:
    "The fields `sized_for_objects` changes, as it sizes `config` for `most_objects`."
    new = sized_for_objects(config, most_objects)
    return {k: getattr(new, k) for k in ('rpn_post_nms_top_n_test', 'box_detections_per_img')}

def variant_model(ckpt:dict, **overrides):
    "The checkpoint's model, in eval mode, with `overrides` of its config."
    model = build_model(dataclasses.replace(ckpt['config'], **overrides), load_weights=False)
    model.load_state_dict(ckpt['model'])
    return model.eval()

@torch.inference_mode()
def compare(variants:dict, data, schema)->dict:
    "Metrics on `data` and median ms per image of each `name: (checkpoint dict, overrides)`, each image through every variant in turn."
    models = {name: variant_model(ckpt, **over) for name, (ckpt, over) in variants.items()}
    images, targets = map(list, zip(*data))
    outputs, seconds = in_turn({name: lambda im, m=model: m([im])[0] for name, model in models.items()}, images)
    rows = {}
    for name, (ckpt, over) in variants.items():
        m = keypoint_metrics(targets, outputs[name], schema)
        rows[name] = {'settings': {'representation_size': ckpt['config'].representation_size, **over},
                      'keypoint AP': m['oks_ap'], 'PCK@0.2': m['pck@0.2'], 'ms per image': 1000*statistics.median(seconds[name])}
    return rows

def main(args):
    checkpoint, heldout, others, threads, json_path = (
        args.checkpoint, args.heldout, args.others, args.threads, args.json_path)
    torch.set_num_threads(threads)
    ckpt = load_checkpoint(checkpoint)
    data = load_dataset(heldout, schema=ckpt['schema'])
    most = max(len(r.keypoints) for r in data.records)
    config = ckpt['config']
    print(f"{checkpoint}: {config.backbone} at {config.train_size} px, {config.rpn_post_nms_top_n_test} proposals, "
          f"{config.box_detections_per_img} detections; {len(data)} held-out images from {heldout}, at most {most} objects each; "
          f"{machine()}", flush=True)
    variants = {name: (ckpt, over) for name, over in VARIANTS.items()}
    variants[f'sized for {most} objects'] = (ckpt, sized(config, most))
    for other in map(load_checkpoint, others):
        width = other['config'].representation_size
        variants[f'box head {width} wide, as trained'] = (other, {})
        variants[f'box head {width} wide, sized for {most} objects'] = (other, sized(other['config'], most))
    rows = compare(variants, data, ckpt['schema'])
    base = rows['as trained']
    table('variant', {n: {'keypoint AP': r['keypoint AP'], 'PCK@0.2': r['PCK@0.2'], 'ms per image': r['ms per image'],
                          'speed x as trained': base['ms per image']/r['ms per image']} for n, r in rows.items()})
    if json_path: write_json_atomic(json_path, {'machine': machine(), 'checkpoint': str(checkpoint), 'others': list(map(str, others)),
                                                'heldout': str(heldout), 'images': len(data), 'config': config.to_dict(), 'variants': rows}, indent=1)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('checkpoint', help='a trained kp_rcnn checkpoint')
    p.add_argument('heldout', help='held-out LabelMe folder or COCO file')
    p.add_argument('--others', nargs='*', default=[], help='checkpoints of other trainings (another box-head width) to compare')
    p.add_argument('--threads', type=int, default=os.cpu_count(), help="torch's threads")
    p.add_argument('--json', dest='json_path', help='also write the figures to this JSON file')
    main(p.parse_args())
