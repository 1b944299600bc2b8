"""Images per second of each augmentation policy on a synthetic image, on one CPU thread (as in one DataLoader worker).

Run: python bench/transforms_speed.py [--n 100] [--size 512] [--width 768] [--height 512] [--threads 1]
Also prints the `strong` policy without its first step, `ShrinkLarge` (side by side: on a large photo, e.g.
--width 4032 --height 3024 --n 5, the ratio is what shrinking first gains), and where `strong` spends its time, step by step."""
import argparse, time
import torch
from torchvision import tv_tensors
from torchvision.transforms.v2 import functional as F
from kp_rcnn.augment import AUGMENTATIONS, make_augmentation
from kp_rcnn.data import KeypointSchema
from kp_rcnn.sample import FACE_KEYPOINTS, make_face_image
from kp_rcnn.transforms import KeypointCompose, ShrinkLarge, update_visibility
from common import machine

def sample(width=768, height=512, seed=0):
    "A synthetic image of faces and its target, as KeypointDataset hands them to its transforms."
    pil, kps, boxes = make_face_image(width, height, max_faces=3, rng=seed)
    size = (height, width)
    return tv_tensors.Image(F.pil_to_tensor(pil)), {
        'boxes': tv_tensors.BoundingBoxes(torch.from_numpy(boxes), format='XYXY', canvas_size=size),
        'labels': torch.ones(len(kps), dtype=torch.int64),
        'keypoints': tv_tensors.KeyPoints(torch.from_numpy(kps), canvas_size=size),
        'visibility': torch.full(kps.shape[:2], 2, dtype=torch.int64), 'image_id': 0, 'file': 'bench'}

def per_second(fn, n, rounds=3):
    "Calls of `fn` per second: the best of `rounds` rounds of `n` calls (the least disturbed by other work on the machine)."
    fn()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(n): fn()
        times.append(time.perf_counter() - start)
    return n/min(times)

def main(args):
    n, size, width, height, threads = args.n, args.size, args.width, args.height, args.threads
    torch.set_num_threads(threads); torch.manual_seed(0)
    image, target = sample(width, height)
    schema = KeypointSchema(FACE_KEYPOINTS)
    print(f"{tuple(image.shape[-2:][::-1])} images -> {size}x{size}, {n} runs; {machine()}")
    speeds = {}
    for name in AUGMENTATIONS:
        tfm = make_augmentation(name, size, schema)
        speeds[name] = per_second(lambda: tfm(image, target), n)
        print(f"{name:>6}: {speeds[name]:7.1f} images/s")
    unshrunk = KeypointCompose([t for t in make_augmentation('strong', size, schema).transforms if not isinstance(t, ShrinkLarge)])
    slow = per_second(lambda: unshrunk(image, target), n)
    print(f"strong without ShrinkLarge: {slow:7.1f} images/s (with it: {speeds['strong']/slow:.1f}x as fast)")
    print("strong policy, step by step (mean ms per image; each step gets the image the steps before it made):")
    steps, img, tgt = make_augmentation('strong', size, schema).transforms, image, update_visibility(target)
    for t in steps:
        ms = 1000/per_second(lambda: t(img, tgt), n, rounds=1)  # one long round: random steps average out
        img, tgt = t(img, tgt); tgt = update_visibility(tgt)
        print(f"  {type(t).__name__:>22}: {ms:6.2f}")
    print(f"  {'update_visibility':>22}: {1000/per_second(lambda: update_visibility(tgt), n):6.2f}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--n', type=int, default=100, help='runs per policy')
    p.add_argument('--size', type=int, default=512, help='train_size')
    p.add_argument('--width', type=int, default=768, help='image width')
    p.add_argument('--height', type=int, default=512, help='image height')
    p.add_argument('--threads', type=int, default=1, help='torch threads')
    main(p.parse_args())
