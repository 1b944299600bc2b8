"""float32 against bfloat16 autocast on the CPU: training steps and inference of `light` and `full`, taking turns.

Run: python bench/bf16_speed.py [--steps 3] [--batch 2] [--threads N] [--presets light full] [--checkpoint CKPT --heldout DATA]
Each preset starts untrained (no downloads) at its own `train_size` on a batch of generated faces from the real data
pipeline; the float32 and bfloat16 calls alternate, so both see the same load on a shared machine, and each figure is
the median of `--steps` calls after a warm-up call of each. Inference is eager, one image per call; an untrained model
returns its most detections, so the keypoint head runs on each. With a trained checkpoint and held-out data it also
measures the keypoints both ways (keypoint AP, PCK) and times each held-out image both ways in turn. bfloat16 is fast
where the CPU has native bfloat16 instructions (`avx512_bf16` or `amx_bf16` in /proc/cpuinfo); elsewhere it is emulated."""
import argparse, os, statistics

import torch

from kp_rcnn.dataset import load_dataset
from kp_rcnn.metrics import keypoint_metrics
from kp_rcnn.model import build_model, make_config
from kp_rcnn.saving import load_model
from common import SCRATCH, face_batch, in_turn, machine, table, timed

def autocast(bf16:bool): return torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16)


def alternate(fn, steps:int)->dict:
    "Median seconds of `fn(bf16)` for bf16 False and True, called in turn `steps` times after a warm-up call of each."
    for bf16 in (False, True): fn(bf16)
    times = {False: [], True: []}
    for _ in range(steps):
        for bf16 in (False, True): times[bf16].append(timed(lambda: fn(bf16)))
    return {bf16: statistics.median(t) for bf16, t in times.items()}

def preset_speeds(preset:str, steps:int, batch:int)->dict:
    "Training and inference images/s of an untrained `preset` in float32 and with bfloat16 autocast."
    config = make_config(preset, **SCRATCH)
    images, targets = face_batch(config.train_size, batch)
    torch.manual_seed(0)
    model = build_model(config).train()
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=1e-5, momentum=0.9)
    def train_step(bf16):
        with autocast(bf16): loss = sum(model(images, targets).values())
        opt.zero_grad(); loss.float().backward(); opt.step()
    train = alternate(train_step, steps)
    model.eval()
    def infer(bf16):
        with torch.inference_mode(), autocast(bf16): model(images[:1])
    infer_s = alternate(infer, steps)
    return {'train img/s, float32': batch/train[False], 'train img/s, bfloat16': batch/train[True], 'train bf16 x': train[False]/train[True],
            'infer img/s, float32': 1/infer_s[False], 'infer img/s, bfloat16': 1/infer_s[True], 'infer bf16 x': infer_s[False]/infer_s[True]}

@torch.inference_mode()
def heldout_accuracy(checkpoint, heldout)->dict:
    "Keypoint AP, PCK@0.2 and eager ms per image of a checkpoint on held-out data, in float32 and with bfloat16 autocast, image by image in turn."
    model, schema = load_model(checkpoint)
    data = load_dataset(heldout, schema=schema)
    images, targets = map(list, zip(*data))
    def infer(im, bf16):
        with autocast(bf16): return {k: v.float() for k, v in model([im])[0].items()}
    outputs, seconds = in_turn({bf16: lambda im, bf16=bf16: infer(im, bf16) for bf16 in (False, True)}, images)
    rows = {}
    for bf16 in (False, True):
        m = keypoint_metrics(targets, outputs[bf16], schema)
        rows['bfloat16' if bf16 else 'float32'] = {'keypoint AP': m['oks_ap'], 'PCK@0.2': m['pck@0.2'], 'median px error': m['median_px_error'],
                                                   'ms per image, median': 1000*statistics.median(seconds[bf16])}
    return rows

def main(args):
    steps, batch, threads, presets, checkpoint, heldout = (
        args.steps, args.batch, args.threads, args.presets, args.checkpoint, args.heldout)
    if threads: torch.set_num_threads(threads)
    flags = open('/proc/cpuinfo').read().split() if os.path.exists('/proc/cpuinfo') else []
    print(f"{machine()}; CPU bfloat16 instructions: {', '.join(f for f in ('avx512_bf16', 'amx_bf16') if f in flags) or 'none'}; "
          f"batches of {batch}; median of {steps} calls after a warm-up", flush=True)
    if presets: table('preset', {f"{p} at {make_config(p).train_size} px": preset_speeds(p, steps, batch) for p in presets})
    if checkpoint: table(f'{checkpoint} on {heldout}', heldout_accuracy(checkpoint, heldout), digits=3)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--steps', type=int, default=3, help='timed calls of each kind, after a warm-up')
    p.add_argument('--batch', type=int, default=2, help='images per training step')
    p.add_argument('--threads', type=int, default=0, help="CPU threads for torch (0: torch's default)")
    p.add_argument('--presets', nargs='*', default=['light', 'full'], help='presets to time (none: only --checkpoint)')
    p.add_argument('--checkpoint', help='a trained checkpoint, to compare its keypoints both ways')
    p.add_argument('--heldout', help='held-out data for --checkpoint')
    main(p.parse_args())
