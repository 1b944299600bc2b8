"""Images per second of PyTorch eager and ONNX Runtime on the CPU, and where the time goes, stage by stage, side by side.

Run: python bench/infer_speed.py [--checkpoint CKPT ...] [--objects 3] [--runs 5] [--threads N] [--json FILE]
It times untrained models of the `light` (256 px) and `full` (512 px) presets and the tutorial's set-up (ResNet-50-FPN,
800 px inside the model, 1000 proposals, 100 detections), the two presets with the proposals and detections `fit` keeps
for data of at most `--objects` objects per image (`sized_for_objects`), and any checkpoints given, on the same images.
Each round runs every set-up once in each runtime, in turn, so that all see the same load on the machine. An untrained
model scores every box about the same, so it returns its most detections per image and the keypoint head runs on each:
the most the model does for one image.
Eager stages are timed with forward hooks on the model's submodules; ONNX Runtime stages with its profiler (a second
session on the same file), by the module path the exporter puts in each node's name. `prepare` is `prepare_image`
(Pillow image to the model's input), outside the model and the same for both runtimes; `other` is the rest of a run:
the box and keypoint post-processing (NMS, heatmaps to keypoints, mapping back) and, in ONNX Runtime, layout changes."""
import argparse, json, os, statistics, tempfile, time
from pathlib import Path

import onnxruntime as ort
import torch

from kp_rcnn.data import KeypointSchema
from kp_rcnn.export import OnnxPredictor, export_onnx
from kp_rcnn.infer import TorchPredictor, prepare_image
from kp_rcnn.model import build_model, make_config, sized_for_objects
from kp_rcnn.saving import load_checkpoint, save_checkpoint
from kp_rcnn.sample import FACE_KEYPOINTS, make_face_image
from kp_rcnn.utils import write_json_atomic
from common import machine, table, timed
from setups import check_tutorial_preset

PRESETS = ('light', 'full', 'tutorial')  # at their own train_size: 256, 512 and 800 px
STAGES = {'transform': ['transform'], 'backbone + FPN': ['backbone'], 'RPN': ['rpn'], 'box RoIAlign': ['roi_heads.box_roi_pool'],
          'box head': ['roi_heads.box_head', 'roi_heads.box_predictor'], 'keypoint RoIAlign': ['roi_heads.keypoint_roi_pool'],
          'keypoint head': ['roi_heads.keypoint_head', 'roi_heads.keypoint_predictor']}
CONTROL_FLOW = {'If', 'Loop', 'Scan'}  # ONNX Runtime times these and, again, each node inside them

def untrained_checkpoint(path, preset:str, objects:int|None=None)->Path:
    "A checkpoint of an untrained model of `preset` at `path`, sized by `sized_for_objects` for `objects` when given."
    config = make_config(preset, num_keypoints=len(FACE_KEYPOINTS), weights='none', backbone_weights='none')
    if objects is not None: config = sized_for_objects(config, objects)
    torch.manual_seed(0)
    return save_checkpoint(path, build_model(config).eval(), config, KeypointSchema(FACE_KEYPOINTS))

class StageTimer:
    "Seconds spent in each of `STAGES` of a torchvision `KeypointRCNN`, from forward hooks on its submodules."
    def __init__(self, model):
        self.seconds, self._start = dict.fromkeys(STAGES, 0.), {}
        for stage, paths in STAGES.items():
            for path in paths:
                m = model.get_submodule(path)
                m.register_forward_pre_hook(lambda m, args: self._start.__setitem__(m, time.perf_counter()))
                m.register_forward_hook(lambda m, args, out, stage=stage: self._add(stage, time.perf_counter() - self._start.pop(m)))

    def _add(self, stage, s): self.seconds[stage] += s

    def take(self)->dict:
        "The seconds per stage since the last `take`, and start again."
        seconds, self.seconds = self.seconds, dict.fromkeys(STAGES, 0.)
        return seconds

def onnx_stage(node:str)->str|None:
    "The stage of an ONNX node, from the module path the exporter names it by (`/box_head/fc6/Gemm`)."
    scope = '.'.join(node.removeprefix('fused ').lstrip('/').split('/')[:-1])
    # `ExportedKeypointRCNN` calls the modules of `roi_heads` itself, so their nodes' paths start below it
    inside = lambda p: scope == p or scope.startswith(p + '.')
    return next((s for s, paths in STAGES.items() if any(inside(p.removeprefix('roi_heads.')) for p in paths)), None)

def onnx_profile(profile_file)->list:
    "Seconds per stage of each run in an ONNX Runtime profile, with `total` (the run's own time)."
    runs = []
    for e in json.loads(Path(profile_file).read_text()):
        if e.get('cat') == 'Session' and e['name'] == 'model_run': runs[-1]['total'] = e['dur']/1e6
        if e.get('cat') != 'Node' or not e['name'].endswith('_kernel_time'): continue
        if not runs or 'total' in runs[-1]: runs.append(dict.fromkeys(STAGES, 0.))
        stage = onnx_stage(e['name'].removesuffix('_kernel_time'))
        if stage and e['args'].get('op_name') not in CONTROL_FLOW: runs[-1][stage] += e['dur']/1e6
    return [r for r in runs if 'total' in r]

def profiled_session(path, threads):
    "An ONNX Runtime session on `path` that profiles every node."
    options = ort.SessionOptions()
    options.enable_profiling, options.intra_op_num_threads = True, threads
    options.profile_file_prefix = str(Path(path).with_suffix(''))
    return ort.InferenceSession(str(path), options, providers=['CPUExecutionProvider'])

def median_split(splits:list)->dict:
    "Milliseconds per stage of the run of median total time, and `other`: its time less its stages."
    run = sorted(splits, key=lambda s: s['total'])[len(splits)//2]
    return {k: 1000*run[k] for k in STAGES} | {'other': 1000*(run['total'] - sum(run[k] for k in STAGES))}

class Setup:
    "One checkpoint in both runtimes, ready to time: eager with stage hooks, ONNX Runtime, and a profiling ONNX Runtime session."
    def __init__(self, checkpoint, folder, images:list, threads:int):
        self.config = config = load_checkpoint(checkpoint)['config']
        start = time.perf_counter()
        onnx_path = export_onnx(checkpoint, Path(folder)/f'{Path(checkpoint).stem}.onnx')
        self.export_s = time.perf_counter() - start
        self.eager, self.onnx = TorchPredictor.from_checkpoint(checkpoint, 'cpu'), OnnxPredictor(onnx_path, threads=threads)
        self.timer, self.profiled = StageTimer(self.eager.model), profiled_session(onnx_path, threads)
        self.inputs = [prepare_image(im, config.train_size)[0] for im in images]
        self.prepare_ms = 1000*statistics.median(timed(lambda: prepare_image(im, config.train_size)) for im in images)
        self.times, self.eager_splits, self.detections = {'PyTorch eager': [], 'ONNX Runtime': []}, [], []
        self.run(0); self.times, self.eager_splits, self.detections = {k: [] for k in self.times}, [], []  # warm-up

    def run(self, i:int):
        "Time image `i` (of the inputs, in a cycle) once in each runtime, and once in the profiling session."
        x = self.inputs[i % len(self.inputs)]
        self.times['PyTorch eager'].append(timed(lambda: self.detections.append(len(self.eager.run([x])[0]['scores']))))
        self.eager_splits.append({**self.timer.take(), 'total': self.times['PyTorch eager'][-1]})
        self.times['ONNX Runtime'].append(timed(lambda: self.onnx.run([x])))
        self.profiled.run(None, {'image': x.numpy()})

    def result(self)->dict:
        "Images/s and the per-stage split (ms, medians over the runs) in each runtime."
        c = self.config
        return {'config': {'backbone': c.backbone, 'train_size': c.train_size, 'proposals': c.rpn_post_nms_top_n_test,
                           'detections per image': c.box_detections_per_img, 'representation_size': c.representation_size,
                           'roi_sampling_ratio': c.roi_sampling_ratio},
                'export s': self.export_s, 'detections': statistics.median(self.detections), 'prepare ms': self.prepare_ms,
                'img/s': {k: 1/statistics.median(v) for k, v in self.times.items()},
                'split ms': {'PyTorch eager': median_split(self.eager_splits),
                             'ONNX Runtime': median_split(onnx_profile(self.profiled.end_profiling())[1:])}}  # less the warm-up

def report(results:dict, baseline='tutorial'):
    "Print the images/s and the split of each set-up as markdown tables, as ratios to `baseline` and between runtimes."
    base = results.get(baseline)
    table('set-up', {name: {'detections': f"{r['detections']:.0f}",
                            **{f'{k} img/s': v for k, v in r['img/s'].items()},
                            'ONNX / eager latency': r['img/s']['PyTorch eager']/r['img/s']['ONNX Runtime'],
                            **({f'{k} x {baseline}': v/base['img/s'][k] for k, v in r['img/s'].items()} if base else {})}
                     for name, r in results.items()})
    table('set-up, runtime (ms)', {f'{name}, {rt}': {'prepare': r['prepare ms'], **split}
                                  for name, r in results.items() for rt, split in r['split ms'].items()}, digits=1)

def main(args):
    checkpoint, runs, threads, json_path, skip, objects = (
        args.checkpoint, args.runs, args.threads, args.json_path, args.skip, args.objects)
    torch.set_num_threads(threads)
    folder = tempfile.mkdtemp()
    if 'tutorial' not in skip: check_tutorial_preset(256)
    images = [make_face_image(640, 480, rng=seed)[0] for seed in range(3)]
    checkpoints = {name: untrained_checkpoint(Path(folder)/f'{name}.pt', name) for name in PRESETS if name not in skip}
    checkpoints |= {f'{name}, sized for {n} objects': untrained_checkpoint(Path(folder)/f'{name}_{n}.pt', name, n)
                    for n in objects for name in ('light', 'full') if name not in skip}
    checkpoints |= {Path(c).stem: c for c in checkpoint}
    print(f"{runs} runs per set-up and runtime on 3 generated 640x480 images; {machine()}; onnxruntime {ort.__version__}", flush=True)
    ready = {name: Setup(ckpt, folder, images, threads) for name, ckpt in checkpoints.items()}
    for i in range(runs):  # every set-up once per round, so that all see the same load on the machine
        for s in ready.values(): s.run(i)
    results = {name: s.result() for name, s in ready.items()}
    report(results)
    if json_path: write_json_atomic(json_path, {'machine': machine(), 'onnxruntime': ort.__version__, 'runs': runs, 'setups': results}, indent=1)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--checkpoint', nargs='*', default=[], help='kp_rcnn checkpoints to time too')
    p.add_argument('--runs', type=int, default=5, help='timed runs per set-up and runtime')
    p.add_argument('--threads', type=int, default=os.cpu_count(), help='threads for PyTorch and ONNX Runtime')
    p.add_argument('--skip', nargs='*', default=[], choices=list(PRESETS), help='untrained set-ups to leave out')
    p.add_argument('--objects', type=int, nargs='*', default=[3], help='also time light and full sized for this many objects per image')
    p.add_argument('--json', dest='json_path', help='also write the figures to this JSON file')
    main(p.parse_args())
