"""Frames per second of `kp-rcnn predict` on a video against `kp-rcnn predict` on the same frames as image files.

Run: python bench/video_speed.py [CHECKPOINT] [--frames 120] [--width 640 --height 480] [--onnx] [--draw] [--rounds 2]
It writes a video of moving faces (H.264, `kp_rcnn.video.write_sample_video`), decodes it once and saves its frames as
JPEG files (quality 95, as frames cut from a video usually are), then times in turn, in this process, the command's own
`main` on the video and on the folder of frames: same model, same runtime (`--onnx` exports the checkpoint and runs
both in ONNX Runtime), same threads. Without a CHECKPOINT it uses `kp_rcnn.testing.tiny_checkpoint` (a light model at
128 px, untrained, that reports a steady number of detections): a fast model, so the reading shows. `--draw` adds the
drawn video against drawn pictures. Each figure is the best of `--rounds` rounds.

Measured on a 2-core x86_64 CPU shared with other jobs (load average about 7), torch 2.14.1, 2 threads, the tiny
checkpoint, 120 frames of 640 x 480 (bench/results/video-speed-tiny*_c34d6d7_x86-64-2core.json): the video at 11.0 frames/s
against 9.6 for the JPEG files, 1.14x; with --draw 9.5 against 5.6, 1.72x (one MP4 against a PNG per frame)."""
import argparse, os, tempfile
from pathlib import Path

import torch

from kp_rcnn.cli import main as kp_rcnn
from kp_rcnn.export import export_onnx
from kp_rcnn.sample import make_face_dataset
from kp_rcnn.testing import tiny_checkpoint
from kp_rcnn.utils import write_json_atomic
from kp_rcnn.video import read_frames, write_sample_video
from common import machine, table, timed


def main(checkpoint, frames, width, height, onnx, draw, rounds, threads, json_path):
    torch.set_num_threads(threads)
    folder = Path(tempfile.mkdtemp())
    model_name = checkpoint or 'kp_rcnn.testing.tiny_checkpoint'
    if checkpoint is None: checkpoint = tiny_checkpoint(folder/'tiny.pt', make_face_dataset(folder/'faces', n_images=3))
    model = export_onnx(checkpoint, folder/'model.onnx') if onnx else checkpoint
    video = folder/'video'/'arena.mp4'; video.parent.mkdir()
    write_sample_video(video, n_frames=frames, width=width, height=height, fps=30, crf=23)
    (folder/'frames').mkdir()
    for f in read_frames(video): f.image.save(folder/'frames'/f"arena_{f.index:06d}.jpg", quality=95)
    extra = ['--draw'] if draw else []
    runs = {'video (MP4, H.264)': [str(video)], 'the same frames as JPEG files': [str(folder/'frames')]}
    print(f"{model_name} ({'ONNX Runtime' if onnx else 'PyTorch eager'}): {frames} frames of {width} x {height} px"
          f"{', drawn' if draw else ''}; best of {rounds} rounds; {machine()}", flush=True)
    best = {}
    for k in range(rounds + 1):  # a first round to warm up, not counted
        for name, inputs in runs.items():
            s = timed(lambda: kp_rcnn(['predict', str(model), *inputs, '--out', str(folder/'out'), '--threshold', '0.5',
                                       '--no-progress', '--overwrite', *extra]))
            if k: best[name] = min(best.get(name, s), s)
    images = best['the same frames as JPEG files']
    rows = {name: {'frames/s': frames/s, 'x images': images/s} for name, s in best.items()}
    table('input', rows)
    if json_path: write_json_atomic(json_path, {'machine': machine(), 'checkpoint': str(model_name), 'onnx': onnx,
                                                'frames': frames, 'size': [width, height], 'draw': draw, 'rows': rows},
                                    indent=1)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('checkpoint', nargs='?', help='a kp_rcnn checkpoint (default: an untrained tiny one)')
    p.add_argument('--frames', type=int, default=120)
    p.add_argument('--width', type=int, default=640)
    p.add_argument('--height', type=int, default=480)
    p.add_argument('--onnx', action='store_true', help='run both in ONNX Runtime')
    p.add_argument('--draw', action='store_true', help='also draw: a drawn video against drawn pictures')
    p.add_argument('--rounds', type=int, default=2)
    p.add_argument('--threads', type=int, default=os.cpu_count(), help='threads for PyTorch and ONNX Runtime')
    p.add_argument('--json', dest='json_path', help='also write the figures to this JSON file')
    main(**vars(p.parse_args()))
