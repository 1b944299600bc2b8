"""Training speed of kp_rcnn's models on this machine, in images per second.

Run: python bench/model_speed.py [--steps 2] [--batch 4] [--threads N] [--no-seed]

Every model starts untrained (no downloads) and trains on generated faces from the real data pipeline, square images
at the model's `train_size`. Each number comes from the fastest of `--steps` steps after a warm-up step, the one least
disturbed by other work on a shared machine: `img/s` in wall-clock time, `img/CPU-s` per second of this process's CPU
time (all threads), which other work disturbs less. `kp regions/img` is how many regions per image the keypoint head
ran on: an untrained RPN finds few positives, fewer than the box_batch_size_per_image x box_positive_fraction that a
trained one reaches, so these are the speeds of the first steps; bench/model_accuracy.py times trained models."""
import argparse, os, tempfile, time
import torch
from kp_rcnn.dataset import KeypointDataset
from kp_rcnn.model import build_model, make_config
from kp_rcnn.sample import make_face_dataset
from setups import check_seed_preset  # also registers the 'seed' preset

SCRATCH = dict(num_keypoints=3, weights='none', backbone_weights='none')

def face_batch(size:int, n:int, seed:int=0)->tuple:
    "`(images, targets)`: `n` generated `size` x `size` face images as `KeypointDataset` hands them to the model."
    with tempfile.TemporaryDirectory() as folder:
        ds = KeypointDataset.from_labelme(make_face_dataset(folder, n_images=n, width=size, height=size, seed=seed))
        return tuple(map(list, zip(*[ds[i] for i in range(n)])))

def fastest(step, steps:int)->tuple:
    "`(wall, cpu)` seconds of the fastest of `steps` calls of `step()`, after a warm-up call."
    step(); times = []
    for _ in range(steps):
        wall, cpu = time.perf_counter(), time.process_time()
        step(); times.append((time.perf_counter() - wall, time.process_time() - cpu))
    return min(times)

def train_speed(model, images, targets, steps:int)->dict:
    "Training images per second (wall-clock and CPU) of `model`, and keypoint-head regions per image."
    torch.manual_seed(0)
    model.train()
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=1e-4, momentum=0.9)
    regions = []
    model.roi_heads.keypoint_head.register_forward_pre_hook(lambda m, args: regions.append(len(args[0])))
    def step():
        loss = sum(model(images, targets).values())
        opt.zero_grad(); loss.backward(); opt.step()
    wall, cpu = fastest(step, steps)
    return {'img/s': len(images)/wall, 'img/CPU-s': len(images)/cpu, 'kp regions/img': sum(regions[1:])/steps/len(images)}

def table_header(first:str, columns:list):
    print(f"\n| {first} | {' | '.join(columns)} |\n|---|{'---|'*len(columns)}", flush=True)

def table_row(name:str, values:dict):
    print(f"| {name} | {' | '.join(f'{v:.2f}' for v in values.values())} |", flush=True)

def main(steps:int, batch:int, threads:int, seed_row:bool):
    if threads: torch.set_num_threads(threads)
    print(f"{torch.get_num_threads()} threads, batches of {batch}, fastest of {steps} steps after a warm-up step, "
          f"load average {os.getloadavg()[0]:.1f}")
    data = {size: face_batch(size, batch) for size in (256, 512)}
    table_header('model', ['img/s', 'img/CPU-s', 'kp regions/img'])
    for size in (256, 512):
        for preset in ('light', 'full'):
            config = make_config(preset, train_size=size, **SCRATCH)
            table_row(f"{preset} ({config.backbone}) at {size} px", train_speed(build_model(config), *data[size], steps))
    if seed_row:  # torchvision's defaults on 512 px images: resized to 800 px inside the model, 512 regions per image
        check_seed_preset(512)
        config = make_config('seed', **SCRATCH)
        table_row("seed: torchvision defaults, 512 px images (800 px inside, 512 regions/img), 1 step of 2 images",
                  train_speed(build_model(config), *(x[:2] for x in data[512]), 1))
    print(f"load average at the end {os.getloadavg()[0]:.1f}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--steps', type=int, default=2, help="timed steps per row")
    p.add_argument('--batch', type=int, default=4, help="images per step")
    p.add_argument('--threads', type=int, default=0, help="CPU threads (0: torch's default)")
    p.add_argument('--no-seed', dest='seed_row', action='store_false', help="skip the slow row with the seed's settings")
    args = p.parse_args()
    main(args.steps, args.batch, args.threads, args.seed_row)
