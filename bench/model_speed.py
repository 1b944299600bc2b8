"""Training and inference speed of kp_rcnn's models on this machine, in images per second.

Run: python bench/model_speed.py [--steps 2] [--batch 4] [--threads N] [--no-seed]

Every model starts untrained (no downloads) and runs on generated faces from the real data pipeline, square images at
the model's `train_size`. Each number is from the fastest of `--steps` steps after a warm-up step (the least disturbed by other work on a
shared machine). `kp regions/img` is how many regions per image the keypoint head ran on in training: an untrained RPN
finds few positives, fewer than the box_batch_size_per_image x box_positive_fraction a trained one reaches, so these
are the speeds of the first steps; bench/model_accuracy.py measures trained models."""
import argparse, os, tempfile, time
import torch
from kp_rcnn.data import KeypointDataset
from kp_rcnn.model import build_model, make_config
from kp_rcnn.sample import make_face_dataset

SCRATCH = dict(num_keypoints=3, weights='none', backbone_weights='none')

def face_batch(size:int, n:int, seed:int=0)->tuple:
    "`(images, targets)`: `n` generated `size` x `size` face images as `KeypointDataset` hands them to the model."
    with tempfile.TemporaryDirectory() as folder:
        ds = KeypointDataset.from_labelme(make_face_dataset(folder, n_images=n, width=size, height=size, seed=seed))
        return tuple(map(list, zip(*[ds[i] for i in range(n)])))

def seconds(step, steps:int, clock=time.perf_counter)->float:
    "Seconds of the fastest of `steps` calls of `step()`, after a warm-up call, as `clock` counts them."
    step(); times = []
    for _ in range(steps):
        start = clock(); step(); times.append(clock() - start)
    return min(times)

def train_speed(model, images, targets, steps:int, clock=time.perf_counter)->dict:
    "Training images per second of `model`, and keypoint-head regions per image."
    torch.manual_seed(0)
    model.train()
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=1e-4, momentum=0.9)
    regions = []
    model.roi_heads.keypoint_head.register_forward_pre_hook(lambda m, args: regions.append(len(args[0])))
    def step():
        loss = sum(model(images, targets).values())
        opt.zero_grad(); loss.backward(); opt.step()
    return {'train img/s': len(images)/seconds(step, steps, clock), 'kp regions/img': sum(regions[1:])/steps/len(images)}

def infer_speed(model, images, steps:int)->float:
    "Inference images per second of `model`."
    model.eval()
    with torch.no_grad(): return len(images)/seconds(lambda: model(images), steps)

def header(title, columns):
    print(f"\n{title}\n| model | {' | '.join(columns)} |\n|---|{'---|'*len(columns)}", flush=True)

def row(name, values:dict):
    print(f"| {name} | {' | '.join(f'{v:.2f}' for v in values.values())} |", flush=True)

def main(steps:int, batch:int, threads:int, seed_row:bool):
    if threads: torch.set_num_threads(threads)
    print(f"{torch.get_num_threads()} threads, batches of {batch}, {steps} timed steps after a warm-up step, "
          f"load average {os.getloadavg()[0]:.1f} (other work on the machine slows every number)")
    data = {s: face_batch(s, batch) for s in (256, 512)}
    header("Training", ['train img/s', 'kp regions/img'])
    for size in (256, 512):
        for preset in ('light', 'full'):
            cfg = make_config(preset, train_size=size, **SCRATCH)
            row(f"{preset} ({cfg.backbone}) at {size} px", train_speed(build_model(cfg), *data[size], steps))
    if seed_row:  # torchvision's defaults on 512 px images: resized to 800 px inside the model, 512 regions per image
        cfg = make_config('full', train_size=800, box_batch_size_per_image=512, **SCRATCH)
        row("seed: torchvision defaults on 512 px images (800 px inside, 512 regions/img), batches of 2", train_speed(build_model(cfg), *(x[:2] for x in data[512]), 1))

    # untrained, nearly every proposal scores above box_score_thresh: the most work each setting allows
    header("Inference at 256 px", ['infer img/s'])
    for name, change in {'light (300 proposals, 10 detections)': {}, 'light, 1000 proposals': dict(rpn_post_nms_top_n_test=1000),
                         'light, 100 detections': dict(box_detections_per_img=100),
                         'light, torchvision head (8 x 512)': dict(head_layers=[512]*8)}.items():
        row(name, {'infer img/s': infer_speed(build_model(make_config('light', train_size=256, **SCRATCH, **change)), data[256][0], steps)})

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--steps', type=int, default=2, help="timed steps per row")
    p.add_argument('--batch', type=int, default=4, help="images per step")
    p.add_argument('--threads', type=int, default=0, help="CPU threads (0: torch's default)")
    p.add_argument('--no-seed', dest='seed_row', action='store_false', help="skip the slow row with the seed's settings")
    args = p.parse_args()
    main(args.steps, args.batch, args.threads, args.seed_row)
