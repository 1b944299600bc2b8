"""Seconds of an epoch's validation: one pass for metrics and loss (`kp_rcnn.engine.validate`) against the two passes `fit` made before.

Run: python bench/validation_pass.py [--epochs 1] [--rounds 3] [--threads 1] [--json FILE]

The demo's task (300 generated faces, a fifth held out, `light` at 160 px from random weights, batch 8, `mild`): the
model is trained for `--epochs` epochs with `fit`, timed, and then its validation is timed both ways in turn, `--rounds`
times: before, `kp_rcnn.evaluation.evaluate` (float32) then the loss in training mode with batch norm held (bfloat16
autocast where `fit` uses it), each a pass over the 60 validation images; now, `validate`, one pass of the backbone in
float32, the heads once in float32 for the detections and once in `fit`'s precision for the loss."""
import argparse, sys, tempfile, time
from pathlib import Path
import torch
from torch import nn
from kp_rcnn.evaluation import evaluate
from kp_rcnn.saving import load_checkpoint, model_from_checkpoint
from kp_rcnn.sample import make_face_dataset
from kp_rcnn.engine import amp_dtype, to_device, validate
from kp_rcnn.train import TrainArgs, fit, make_datasets, make_loader
from kp_rcnn.dataset import load_dataset
from kp_rcnn.utils import write_json_atomic
from common import machine, table

@torch.no_grad()
def two_passes(model, loader, schema, dtype):
    "The validation as `fit` made it before: `evaluate`, then the loss in training mode with batch norm held."
    metrics = evaluate(model, loader, schema).metrics
    model.train()
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm): m.eval()
    total = 0.
    for images, targets in loader:
        images, targets = to_device(images, targets, torch.device('cpu'))
        with torch.autocast('cpu', dtype=dtype, enabled=dtype is not None): total += sum(model(images, targets).values()).item()
    model.eval()
    return metrics | {'val_loss': total/len(loader)}

def main(epochs:int, rounds:int, threads:int, json_file:str=None):
    torch.set_num_threads(threads)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data = make_face_dataset(tmp/'data', n_images=300, seed=0)
        settings = dict(preset='light', train_size=160, weights='none', backbone_weights='none', batch_size=8, lr=2e-3, augment='mild')
        history = fit(data, out=tmp/'run', epochs=epochs, progress=False, **settings)
        model = model_from_checkpoint(load_checkpoint(tmp/'run'/'last.pt')).eval()
        args = TrainArgs(str(data), **settings)
        _, val = make_datasets(load_dataset(data), args, 160)
        loader = make_loader(val, args, torch.device('cpu'), shuffle=False)
        dtype = amp_dtype(torch.device('cpu'))
        seconds = {'two passes (before)': [], 'one pass (validate)': []}
        for _ in range(rounds):
            start = time.perf_counter(); before = two_passes(model, loader, val.schema, dtype)
            seconds['two passes (before)'].append(time.perf_counter() - start)
            start = time.perf_counter(); _, now = validate(model, loader, val.schema, torch.device('cpu'), dtype=dtype)
            seconds['one pass (validate)'].append(time.perf_counter() - start)
    train_s = float(history.seconds.iloc[-1])
    rows = {k: {'validation s (median)': sorted(v)[len(v)//2]} for k, v in seconds.items()}
    table('validation', rows)
    print(f"fit's last epoch (training, batch-norm statistics, one-pass validation, save): {train_s:.1f} s")
    print(f"before: oks_ap {before['oks_ap']:.4f} val_loss {before['val_loss']:.3f}; now: oks_ap {now['oks_ap']:.4f} val_loss {now['val_loss']:.3f}")
    if json_file: write_json_atomic(json_file, dict(command=' '.join(['python', 'bench/validation_pass.py', *sys.argv[1:]]),
                                                    machine=machine(), epochs=epochs, seconds=seconds, epoch_seconds=history.seconds.tolist(),
                                                    steps=history.steps.tolist(), before=before, now=now), indent=1)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--epochs', type=int, default=1)
    p.add_argument('--rounds', type=int, default=3)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--json')
    a = p.parse_args()
    main(a.epochs, a.rounds, a.threads, a.json)
