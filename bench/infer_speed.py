"""Single-image latency of PyTorch eager and ONNX Runtime on this CPU, side by side, on the same input.

Run: python bench/infer_speed.py [--checkpoint CKPT] [--size 256] [--runs 20] [--threads N]
Without a checkpoint it times an untrained `light` model (no download). Such a model scores every box about the same, so
it returns its most detections per image (20 for `light`) and the keypoint head runs on each: the same work in both
runtimes, and the most the model does for one image. `model` times the network on the prepared (3, S, S) tensor;
`predict` adds reading nothing from disk but preparing the Pillow image and mapping the detections back."""
import argparse, os, statistics, tempfile, time
from pathlib import Path

import onnxruntime as ort
import torch

from kp_rcnn.data import KeypointSchema
from kp_rcnn.infer import OnnxPredictor, TorchPredictor, export_onnx, prepare_image
from kp_rcnn.model import build_model, load_checkpoint, make_config, save_checkpoint
from kp_rcnn.sample import FACE_KEYPOINTS, make_face_image
from common import machine, table

def latency_ms(fns:dict, runs, warmup=2):
    "Median and best milliseconds of each of `fns`, called in turn `runs` times, so that all see the same load on the machine."
    for _ in range(warmup):
        for fn in fns.values(): fn()
    times = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            start = time.perf_counter(); fn(); times[name].append(1000*(time.perf_counter() - start))
    return {name: (statistics.median(t), min(t)) for name, t in times.items()}

def untrained_checkpoint(folder, size):
    "A checkpoint of an untrained `light` model at `size` pixels, in `folder`."
    config = make_config('light', num_keypoints=len(FACE_KEYPOINTS), train_size=size, weights='none', backbone_weights='none')
    torch.manual_seed(0)
    return save_checkpoint(Path(folder)/'untrained.pt', build_model(config).eval(), config, KeypointSchema(FACE_KEYPOINTS))

def main(checkpoint, size, runs, threads):
    torch.set_num_threads(threads)
    folder = tempfile.mkdtemp()
    checkpoint = checkpoint or untrained_checkpoint(folder, size)
    config = load_checkpoint(checkpoint)['config']
    start = time.perf_counter()
    onnx_path = export_onnx(checkpoint, Path(folder)/'model.onnx')
    export_s = time.perf_counter() - start

    torch_model = TorchPredictor.from_checkpoint(checkpoint, 'cpu')
    onnx_model = OnnxPredictor(onnx_path, threads=threads)

    image = make_face_image(640, 480, rng=0)[0]
    x, _ = prepare_image(image, config.train_size)
    print(f"{config.backbone} at {config.train_size} px ({checkpoint}), input {tuple(x.shape)} from a 640x480 image, "
          f"{runs} runs; ONNX export took {export_s:.1f} s; {machine()}; onnxruntime {ort.__version__}")
    predictors = {'PyTorch eager': torch_model, 'ONNX Runtime': onnx_model}
    model = latency_ms({n: (lambda p=p: p.run([x])) for n, p in predictors.items()}, runs)
    end_to_end = latency_ms({n: (lambda p=p: p.predict(image, threshold=0.)) for n, p in predictors.items()}, runs)
    table('runtime', {n: {'detections': len(p.run([x])[0]['scores']), 'model ms, median': model[n][0], 'model ms, best': model[n][1],
                          'predict ms, median': end_to_end[n][0], 'predict ms, best': end_to_end[n][1]}
                      for n, p in predictors.items()}, digits=0)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--checkpoint', help='a kp_rcnn checkpoint (default: an untrained light model)')
    p.add_argument('--size', type=int, default=256, help='train_size of the untrained model')
    p.add_argument('--runs', type=int, default=20, help='timed runs per measurement')
    p.add_argument('--threads', type=int, default=os.cpu_count(), help='threads for PyTorch and ONNX Runtime')
    main(**vars(p.parse_args()))
