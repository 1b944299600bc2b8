"""Images per second of `kp-rcnn predict` on a folder, end to end, against the model alone on the same images.

Run: python bench/predict_speed.py CHECKPOINT [--images 60] [--size 256] [--rounds 2] [--threads N] [--json FILE]
It writes `--images` generated face images of `--size` x `--size` pixels, exports the checkpoint to ONNX, and times, in
turn, `kp-rcnn predict` (the command's own `main`, in this process) with the checkpoint and with the ONNX file, and each
runtime on the images already prepared (the model alone, as bench/infer_speed.py times it). `--draw --labelme` adds
pictures and LabelMe files to the command's work. Each figure is the best of `--rounds` rounds."""
import argparse, os, tempfile
from pathlib import Path

import torch

from kp_rcnn.cli import main as kp_rcnn
from kp_rcnn.data import load_image
from kp_rcnn.export import export_onnx
from kp_rcnn.infer import load_predictor, prepare_image
from kp_rcnn.sample import make_face_dataset
from kp_rcnn.utils import write_json_atomic
from common import machine, table, timed


def main(args):
    checkpoint, images, size, rounds, threads, extra, json_path = (
        args.checkpoint, args.images, args.size, args.rounds, args.threads, args.extra, args.json_path)
    torch.set_num_threads(threads)
    folder = Path(tempfile.mkdtemp())
    faces = make_face_dataset(folder/'faces', n_images=images, width=size, height=size, seed=5)
    for f in faces.glob('*.json'): f.unlink()  # images to annotate, as a user has them
    onnx_path = export_onnx(checkpoint, folder/'model.onnx')
    models = {'checkpoint (PyTorch eager)': checkpoint, 'ONNX Runtime': onnx_path}
    predictors = {name: load_predictor(m, device='cpu') for name, m in models.items()}
    prepared = {name: [prepare_image(load_image(f), p.train_size)[0] for f in sorted(faces.glob('*.jpg'))] for name, p in predictors.items()}
    print(f"{checkpoint}: {images} images of {size} x {size} px; best of {rounds} rounds; {machine()}", flush=True)
    best = {}
    for _ in range(rounds):
        for name, model in models.items():
            run = lambda: kp_rcnn(['predict', str(model), str(faces), '--out', str(folder/'out'), '--overwrite', '--no-progress', *extra])
            for kind, fn in ((f'kp-rcnn predict {" ".join(extra)}'.strip(), run),
                             ('model alone', lambda: [predictors[name].run([x]) for x in prepared[name]])):
                s = timed(fn)
                best[(name, kind)] = min(best.get((name, kind), s), s)
    rows = {name: {f'{kind} img/s': images/best[(name, kind)] for (n, kind) in best if n == name} for name in models}
    for r in rows.values(): r['end to end / model alone'] = r[next(iter(r))]/r['model alone img/s']
    table('runtime', rows)
    if json_path: write_json_atomic(json_path, {'machine': machine(), 'checkpoint': str(checkpoint), 'images': images, 'size': size,
                                                'options': extra, 'img/s': rows}, indent=1)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('checkpoint', help='a kp_rcnn checkpoint')
    p.add_argument('--images', type=int, default=60)
    p.add_argument('--size', type=int, default=256, help='side of the generated images')
    p.add_argument('--rounds', type=int, default=2)
    p.add_argument('--threads', type=int, default=os.cpu_count(), help='threads for PyTorch and ONNX Runtime')
    p.add_argument('--draw-labelme', dest='extra', action='store_const', const=['--draw', '--labelme'], default=[],
                   help='also draw the predictions and write LabelMe files')
    p.add_argument('--json', dest='json_path', help='also write the figures to this JSON file')
    main(p.parse_args())
