"""Training speed: the tutorial's set-up against kp_rcnn's with where a step spends its time, or each model preset at two sizes.

Run: python bench/train_speed.py [--steps 6] [--batch 4] [--size 512] [--trained] [--scratch] [--device auto] [--threads N] [--only a b c]
     python bench/train_speed.py --presets [--steps 2] [--batch 4] [--threads N] [--no-tutorial]

Set-ups (the default). The set-ups (a) the tutorial's, (b) kp_rcnn's `full` preset at the same size and (c) kp_rcnn's
`light` preset are described in bench/setups.py; all three train on the same generated face images (`--size` x `--size`
pixels, 1 to 3 faces each). Each model is built as fine-tuning builds it (frozen batch norm, the last 3 backbone stages
trainable), with random weights standing in for the pretrained ones, which cannot be downloaded everywhere: the speed
does not depend on the values; `--scratch` builds them as training from random weights does instead (every layer
trained, batch norm too). Each set-up takes one warm-up step, then `--steps` timed steps of AdamW, in the precision each
recipe trains in: kp_rcnn autocasts as `fit` does (`amp_dtype`: bfloat16/float16 on CUDA, bfloat16 on a CPU with native
bfloat16), the tutorial on CUDA only. The table gives images per second (the mean over the timed steps), the ratios
to (a), the share of the step time spent waiting for data, in the forward pass, in the backward pass and in the
optimizer step, and how many regions per image the keypoint head trained on.

An untrained RPN proposes few boxes on the objects, so the keypoint head, which runs on every positive region, sees
few: these are the speeds of the first steps. A trained RPN proposes many boxes on each object, and the positives fill
the sampler's cap (`box_batch_size_per_image` x `box_positive_fraction`: 128 regions per image for the tutorial's
model, 16 for kp_rcnn's). `--trained` stands in for a trained RPN: it adds 256 boxes jittered around each object to the
RPN's proposals, so every step runs the heads as training does once the RPN finds the objects.

Presets (`--presets`). `light` and `full` at 256 and 512 pixels, and the tutorial's model on 512-pixel images (skip it
with `--no-tutorial`), start untrained (no downloads) and train with SGD on one batch of generated faces from the real
data pipeline, square images at the model's `train_size`. Each number comes from the fastest of `--steps` steps after a
warm-up step, the one least disturbed by other work on a shared machine: `img/s` in wall-clock time, `img/CPU-s` per
second of this process's CPU time (all threads), which other work disturbs less. An untrained RPN finds few positives,
so these too are the speeds of the first steps; bench/model_accuracy.py times trained models."""
import argparse, os, tempfile, time
from pathlib import Path
import torch
from torch import nn
from torchvision.models import mobilenet_v3_large, resnet50
from kp_rcnn.dataset import KeypointDataset
from kp_rcnn.model import build_model, make_config
from kp_rcnn.sample import make_face_dataset
from kp_rcnn.engine import amp_dtype, to_device
from kp_rcnn.train import TrainArgs, make_loader
from kp_rcnn.utils import pick_device
from kp_rcnn.augment import make_augmentation
from common import (SCRATCH, SCRATCH_WEIGHTS, face_batch, keypoint_regions, machine, table, table_header, table_row,
                    train_step_speed)
from setups import check_tutorial_preset, setups


def fine_tuning_model(folder:Path, preset:str, num_keypoints:int, **overrides):
    "`build_model` for `preset`, with a file of random ImageNet weights as `backbone_weights`, as fine-tuning builds it."
    backbone = make_config(preset, **overrides).backbone
    path = folder/f'{backbone}_random_imagenet.pth'
    if not path.exists(): torch.save((resnet50 if backbone.startswith('resnet') else mobilenet_v3_large)().state_dict(), path)
    return build_model(make_config(preset, num_keypoints=num_keypoints, weights='none', backbone_weights=str(path), **overrides))

def train_loader(data:Path, image_size:int, batch:int, workers:int|None, device):
    "`fit`'s loader over `data` with the `strong` augmentation at `image_size`, and `workers` processes."
    ds = KeypointDataset.from_labelme(data)
    ds.transforms = make_augmentation('strong', image_size, ds.schema)
    return make_loader(ds, TrainArgs(data=str(data), batch_size=batch, workers=workers), device, shuffle=True)

class ProposalsAroundObjects(nn.Module):
    "An RPN whose training proposals also hold `per_object` boxes around each object, as a trained RPN's do."
    def __init__(self, rpn:nn.Module, # The model's own RPN
                 per_object:int=256, # Boxes added around each object
                 jitter:float=0.1, # Each side of a box moves by up to this share of the object's size
                ):
        super().__init__()
        self.rpn, self.per_object, self.jitter = rpn, per_object, jitter

    def around(self, gt:torch.Tensor)->torch.Tensor:
        "`per_object` jittered copies of each of the boxes `gt`."
        wh = (gt[:, 2:] - gt[:, :2]).repeat(1, 2).repeat(self.per_object, 1)
        return gt.repeat(self.per_object, 1) + (torch.rand_like(wh)*2 - 1)*self.jitter*wh

    def forward(self, images, features, targets=None):
        boxes, losses = self.rpn(images, features, targets)
        if targets is None: return boxes, losses
        return [torch.cat([b, self.around(t['boxes'])]) for b, t in zip(boxes, targets)], losses

def timed_steps(model, loader, device, steps:int, dtype:torch.dtype|None)->dict:
    "Seconds spent in each part of `steps` training steps with autocast to `dtype` (None: float32), after a warm-up step."
    model.to(device).train()
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4, weight_decay=1e-4)
    scaler = torch.amp.GradScaler() if dtype == torch.float16 else None
    def clock():
        if device.type == 'cuda': torch.cuda.synchronize()
        return time.perf_counter()
    parts, batches, images, regions = dict.fromkeys(('data wait', 'forward', 'backward', 'optimizer'), 0.), iter(loader), 0, keypoint_regions(model)
    for i in range(steps + 1):
        t0 = clock()
        try: imgs, targets = next(batches)
        except StopIteration: batches = iter(loader); imgs, targets = next(batches)
        imgs, targets = to_device(imgs, targets, device); t1 = clock()
        with torch.autocast(device.type, dtype=dtype, enabled=dtype is not None): loss = sum(model(imgs, targets).values())
        t2 = clock()
        opt.zero_grad(set_to_none=True)
        (scaler.scale(loss) if scaler else loss).backward(); t3 = clock()
        if scaler: scaler.step(opt); scaler.update()
        else: opt.step()
        t4 = clock()
        if i == 0: continue  # warm-up: first allocations, worker start-up, cuDNN autotuning
        for name, seconds in zip(parts, (t1-t0, t2-t1, t3-t2, t4-t3)): parts[name] += seconds
        images += len(imgs)
    return {'img/s': images/sum(parts.values()), **parts, 'kp regions/img': sum(regions[1:])/images}

def setup_dtype(key:str, device)->torch.dtype|None:
    "The autocast dtype set-up `key` trains in: kp_rcnn's `amp_dtype`; the tutorial autocasts on CUDA only."
    return amp_dtype(device) if key != 'a' or device.type == 'cuda' else None

def compare_setups(steps:int, batch:int, size:int, trained:bool, scratch:bool, device:str, only:list):
    "Print the table of the set-ups in `only`: images per second, the ratio to (a), the time split, keypoint regions."
    device = pick_device(device)
    print(f"{machine(device)}; batches of {batch}; {size} x {size} images; mean of {steps} steps after a warm-up step; "
          f"{'RPN proposals around the objects (--trained)' if trained else 'untrained RPN (first steps)'}; "
          f"{'random weights, every layer trained (--scratch)' if scratch else 'built as fine-tuning builds it'}", flush=True)
    check_tutorial_preset(size)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = make_face_dataset(folder/'faces', n_images=batch*(steps + 1), width=size, height=size, seed=0)
        k, rows = len(KeypointDataset.from_labelme(data).schema), {}
        for key, (label, config, image_size, workers) in setups(size).items():
            if key not in only: continue
            torch.manual_seed(0)
            model = build_model(make_config(num_keypoints=k, **SCRATCH_WEIGHTS, **config)) if scratch else fine_tuning_model(folder, num_keypoints=k, **config)
            if trained: model.rpn = ProposalsAroundObjects(model.rpn)
            dtype = setup_dtype(key, device)
            rows[key] = (f"{label}, {str(dtype).removeprefix('torch.') if dtype else 'float32'}",
                         timed_steps(model, train_loader(data, image_size, batch, workers, device), device, steps, dtype))
            print(f"{rows[key][0]}: {rows[key][1]['img/s']:.3f} img/s", flush=True)
    base, split = rows['a'][1]['img/s'] if 'a' in rows else None, ('data wait', 'forward', 'backward', 'optimizer')
    table('set-up', {label: {'img/s': f"{r['img/s']:.3f}", 'vs (a)': f"{r['img/s']/base:.1f}x" if base else '-',
                             **{part: f"{100*r[part]/sum(r[p] for p in split):.0f}%" for part in split},
                             'kp regions/img': f"{r['kp regions/img']:.1f}"} for label, r in rows.values()})

def compare_presets(steps:int, batch:int, tutorial:bool):
    "Print the table of `light` and `full` at 256 and 512 px, and of the tutorial's model: images per second, keypoint regions."
    print(f"{machine()}; batches of {batch}; fastest of {steps} steps after a warm-up step", flush=True)
    data = {size: face_batch(size, batch) for size in (256, 512)}
    table_header('model', ['img/s', 'img/CPU-s', 'kp regions/img'])
    for size in (256, 512):
        for preset in ('light', 'full'):
            config = make_config(preset, train_size=size, **SCRATCH)
            table_row(f"{preset} ({config.backbone}) at {size} px", train_step_speed(build_model(config), *data[size], steps))
    if tutorial:  # torchvision's defaults on 512 px images: resized to 800 px inside the model, 512 regions per image
        check_tutorial_preset(512)
        table_row("tutorial: torchvision defaults, 512 px images (800 px inside, 512 regions/img), 1 step of 2 images",
                  train_step_speed(build_model(make_config('tutorial', **SCRATCH)), *(x[:2] for x in data[512]), 1))

def main(args):
    "The presets' table with --presets, else the set-ups'; the load average at the end."
    if args.threads: torch.set_num_threads(args.threads)
    if args.presets: compare_presets(args.steps or 2, args.batch, args.tutorial)
    else: compare_setups(args.steps or 6, args.batch, args.size, args.trained, args.scratch, args.device, args.only)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--presets', action='store_true', help="time each model preset at 256 and 512 px instead of the set-ups")
    p.add_argument('--steps', type=int, help="timed steps per row, after a warm-up step (default: 6; 2 with --presets)")
    p.add_argument('--batch', type=int, default=4, help="images per step (the tutorial's batch size is 4)")
    p.add_argument('--threads', type=int, default=0, help="CPU threads for torch (0: torch's default)")
    p.add_argument('--size', type=int, default=512, help="set-ups: side of the generated images (the tutorial trains at 512)")
    p.add_argument('--trained', action='store_true', help="set-ups: propose boxes around the objects, as a trained RPN does")
    p.add_argument('--scratch', action='store_true', help="set-ups: random weights and every layer trained, as training from scratch builds them")
    p.add_argument('--device', default='auto', help="set-ups: 'auto', 'cpu', 'cuda', 'mps'")
    p.add_argument('--only', nargs='*', default=['a', 'b', 'c'], choices=['a', 'b', 'c'], help="set-ups: run only these")
    p.add_argument('--no-tutorial', dest='tutorial', action='store_false', help="presets: skip the slow row of the tutorial's model")
    main(p.parse_args())
