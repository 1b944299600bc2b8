"""Training speed of the seed recipe's set-up against kp_rcnn's, side by side in one run, and where a step spends its time.

Run: python bench/train_speed.py [--steps 6] [--batch 4] [--size 512] [--trained] [--device auto] [--threads N] [--only a b c]

The set-ups (a) seed, (b) kp_rcnn's `full` preset at the same size and (c) kp_rcnn's `light` preset are described in
bench/setups.py; all three train on the same generated face images (`--size` x `--size` pixels, 1 to 3 faces each).

Each model is built as fine-tuning builds it (frozen batch norm, the last 3 backbone stages trainable), with random
weights standing in for the pretrained ones, which cannot be downloaded here: the speed does not depend on the values.
Each set-up takes one warm-up step, then `--steps` timed steps of AdamW (autocast to bfloat16/float16 on CUDA, as `fit`
does). The table gives images per second (the mean over the timed steps), the ratios to (a), and the share of the
step time spent waiting for data, in the forward pass, in the backward pass and in the optimizer step, and how many
regions per image the keypoint head trained on.

An untrained RPN proposes few boxes on the objects, so the keypoint head, which runs on every positive region, sees
few: these are the speeds of the first steps. A trained RPN proposes many boxes on each object, and the positives fill
the sampler's cap (`box_batch_size_per_image` x `box_positive_fraction`: 128 regions per image for the seed, 16 for
kp_rcnn). `--trained` stands in for a trained RPN: it adds 256 boxes jittered around each object to the RPN's
proposals, so every step runs the heads as training does once the RPN finds the objects."""
import argparse, os, tempfile, time
from pathlib import Path
import torch
from torchvision.models import mobilenet_v3_large, resnet50
from kp_rcnn.dataset import KeypointDataset
from kp_rcnn.model import build_model, make_config
from kp_rcnn.sample import make_face_dataset
from kp_rcnn.train import TrainArgs, _to_device, amp_dtype, make_loader
from kp_rcnn.utils import pick_device
from kp_rcnn.transforms import make_augmentation
from setups import check_seed_preset, setups

def fine_tuning_model(folder:Path, preset:str, num_keypoints:int, **overrides):
    "`build_model` for `preset`, with a file of random ImageNet weights as `backbone_weights`, as fine-tuning builds it."
    backbone = make_config(preset, **overrides).backbone
    path = folder/f'{backbone}_random_imagenet.pth'
    if not path.exists(): torch.save((resnet50 if backbone.startswith('resnet') else mobilenet_v3_large)().state_dict(), path)
    return build_model(make_config(preset, num_keypoints=num_keypoints, weights='none', backbone_weights=str(path), **overrides))

def train_loader(data:Path, image_size:int, batch:int, workers:int|None, device):
    "`fit`'s loader over `data` with the `train` augmentations at `image_size`, and `workers` processes."
    ds = KeypointDataset.from_labelme(data)
    ds.transforms = make_augmentation('strong', image_size, ds.schema)
    return make_loader(ds, TrainArgs(data=str(data), batch_size=batch, workers=workers), device, shuffle=True)

def propose_around_objects(model, per_object:int=256, jitter:float=0.1):
    "Add `per_object` boxes, each side moved by up to `jitter` of the box size, around each object to `model`'s RPN proposals."
    rpn_forward = model.rpn.forward
    def forward(images, features, targets=None):
        boxes, losses = rpn_forward(images, features, targets)
        if targets is None: return boxes, losses
        def around(gt):
            wh = (gt[:, 2:] - gt[:, :2]).repeat(1, 2).repeat(per_object, 1)
            return gt.repeat(per_object, 1) + (torch.rand_like(wh)*2 - 1)*jitter*wh
        return [torch.cat([b, around(t['boxes'])]) for b, t in zip(boxes, targets)], losses
    model.rpn.forward = forward
    return model

def timed_steps(model, loader, device, steps:int)->dict:
    "Seconds spent in each part of `steps` training steps, after a warm-up step."
    model.to(device).train()
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4, weight_decay=1e-4)
    dtype = amp_dtype(device)
    scaler = torch.amp.GradScaler() if dtype == torch.float16 else None
    def clock():
        if device.type == 'cuda': torch.cuda.synchronize()
        return time.perf_counter()
    parts, batches, images, regions = dict.fromkeys(('data wait', 'forward', 'backward', 'optimizer'), 0.), iter(loader), 0, []
    model.roi_heads.keypoint_head.register_forward_pre_hook(lambda m, args: regions.append(len(args[0])))
    for i in range(steps + 1):
        t0 = clock()
        try: imgs, targets = next(batches)
        except StopIteration: batches = iter(loader); imgs, targets = next(batches)
        imgs, targets = _to_device(imgs, targets, device); t1 = clock()
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

def main(steps:int, batch:int, size:int, trained:bool, device:str, threads:int, only:list):
    if threads: torch.set_num_threads(threads)
    device = pick_device(device)
    name = torch.cuda.get_device_name(device) if device.type == 'cuda' else f"{os.cpu_count()} CPU cores, {torch.get_num_threads()} threads"
    print(f"{name}; torch {torch.__version__}; batches of {batch}; {size} x {size} images; mean of {steps} steps after a warm-up step; "
          f"{'RPN proposals around the objects (--trained)' if trained else 'untrained RPN (first steps)'}; "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    check_seed_preset(size)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = make_face_dataset(folder/'faces', n_images=batch*(steps + 1), width=size, height=size, seed=0)
        k, rows = len(KeypointDataset.from_labelme(data).schema), {}
        for key, (label, config, image_size, workers) in setups(size).items():
            if key not in only: continue
            torch.manual_seed(0)
            model, loader = fine_tuning_model(folder, num_keypoints=k, **config), train_loader(data, image_size, batch, workers, device)
            if trained: propose_around_objects(model)
            rows[key] = (label, timed_steps(model, loader, device, steps))
            print(f"{label}: {rows[key][1]['img/s']:.3f} img/s", flush=True)
    print(f"\n| set-up | img/s | vs (a) | data wait | forward | backward | optimizer | kp regions/img |\n|---|---|---|---|---|---|---|---|")
    base = rows['a'][1]['img/s'] if 'a' in rows else None
    for label, r in rows.values():
        total = sum(r[k] for k in ('data wait', 'forward', 'backward', 'optimizer'))
        shares = ' | '.join(f"{100*r[k]/total:.0f}%" for k in ('data wait', 'forward', 'backward', 'optimizer'))
        ratio = f"{r['img/s']/base:.1f}x" if base else '-'
        print(f"| {label} | {r['img/s']:.3f} | {ratio} | {shares} | {r['kp regions/img']:.1f} |")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--steps', type=int, default=6, help="timed steps per set-up, after a warm-up step")
    p.add_argument('--batch', type=int, default=4, help="images per step (the seed's batch size is 4)")
    p.add_argument('--size', type=int, default=512, help="side of the generated images (the seed trains at 512)")
    p.add_argument('--trained', action='store_true', help="propose boxes around the objects, as a trained RPN does")
    p.add_argument('--device', default='auto', help="'auto', 'cpu', 'cuda', 'mps'")
    p.add_argument('--threads', type=int, default=0, help="CPU threads for torch (0: torch's default)")
    p.add_argument('--only', nargs='*', default=['a', 'b', 'c'], choices=['a', 'b', 'c'], help="run only these set-ups")
    args = p.parse_args()
    main(args.steps, args.batch, args.size, args.trained, args.device, args.threads, args.only)
