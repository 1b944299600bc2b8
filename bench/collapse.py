"""Why validation keypoint AP collapses at the one-cycle peak: the demo's training, with the validation model measured several ways after each epoch.

Run: python bench/collapse.py [--epochs-planned 10] [--stop-after 5] [--threads 1] [--no-amp] [--lr 2e-3] [--seed 0] [--set FIELD=VALUE] [--name NAME]

The demo's task (300 generated faces, a fifth held out, `light` at 160 px from random weights, batch 8, `mild`) trained
by `kp_rcnn.train.fit` over a one-cycle schedule planned for `--epochs-planned` epochs (peak lr after 30% of them), and
stopped after `--stop-after`. After each epoch, on the validation images, besides `fit`'s own metrics: keypoint AP of
the model with its batch-norm running statistics re-estimated on training images (the weights unchanged), and the
largest gradient norm of the epoch's steps before clipping (from `fit`'s `on_step_end`). When only the re-estimated statistics keep the AP, the
collapse is the running statistics lagging behind the weights, not the weights."""
import argparse, copy, json, sys, tempfile
from pathlib import Path
import torch
from torch import nn
from torch.utils.data import DataLoader
from kp_rcnn.dataset import collate, load_dataset
from kp_rcnn.evaluation import evaluate
from kp_rcnn.sample import make_face_dataset
from kp_rcnn.train import TrainingInterrupted, fit
from kp_rcnn.augment import make_augmentation
from kp_rcnn.utils import write_json_atomic
from common import machine, results_file


@torch.no_grad()
def recalibrated(model:nn.Module, images:list)->nn.Module:
    "A copy of `model` whose batch-norm running statistics are the plain average over `images`' batches (weights unchanged)."
    model = copy.deepcopy(model).eval()
    norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    for m in norms: m.reset_running_stats(); m.momentum = None; m.train()
    for batch in images: model(batch)
    return model.eval()

def main(epochs_planned:int, stop_after:int, threads:int, amp:bool, lr:float, seed:int, clip:float, name:str):
    torch.set_num_threads(threads)
    grad_norms, rows = [], []
    def record(step:dict):  # `fit`'s on_step_end: the gradients' norm before clipping (None without clipping)
        if step['grad_norm'] is not None: grad_norms.append(step['grad_norm'])
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data = make_face_dataset(tmp/'data', n_images=300, seed=0)
        train, val = load_dataset(data).split(0.2, seed)
        train.transforms = make_augmentation('none', 160, train.schema)
        calib = [[im for im, _ in (train[i] for i in range(k, k+8))] for k in range(0, 80, 8)]  # 10 batches of 8
        val_dl = DataLoader(val, batch_size=2, collate_fn=collate)
        def measure(row, model):
            norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
            again = evaluate(recalibrated(model, calib), val_dl, val.schema).metrics
            rows.append({**{k: row[k] for k in ('epoch', 'lr', 'loss', 'val_loss', 'oks_ap', 'pck@0.2', 'seconds')},
                         'oks_ap recalibrated bn': again['oks_ap'], 'pck@0.2 recalibrated bn': again['pck@0.2'],
                         'max grad norm': max(grad_norms, default=float('nan')),
                         'median grad norm': sorted(grad_norms)[len(grad_norms)//2] if grad_norms else float('nan'),
                         'batch norms': len(norms)})
            grad_norms.clear()
            print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in rows[-1].items()}), flush=True)
            if row['epoch'] >= stop_after: raise KeyboardInterrupt
        try:
            fit(data, out=tmp/'run', preset='light', train_size=160, weights='none', backbone_weights='none', epochs=epochs_planned,
                batch_size=8, lr=lr, augment='mild', amp=amp, seed=seed, clip=clip, progress=False, on_epoch_end=measure,
                on_step_end=record)
        except TrainingInterrupted: pass
    result = dict(command=' '.join(['python', 'bench/collapse.py', *sys.argv[1:]]), machine=machine(), amp=amp, lr=lr, seed=seed,
                  clip=clip, epochs_planned=epochs_planned, rows=rows)
    if name: write_json_atomic(results_file(f'collapse-{name}'), result, indent=1)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--epochs-planned', type=int, default=10)
    p.add_argument('--stop-after', type=int, default=5)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--amp', action=argparse.BooleanOptionalAction, default=True)
    p.add_argument('--lr', type=float, default=2e-3)
    p.add_argument('--clip', type=float, default=10.)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--name', help="write bench/results/collapse-NAME_COMMIT_MACHINE.json")
    a = p.parse_args()
    main(a.epochs_planned, a.stop_after, a.threads, a.amp, a.lr, a.seed, a.clip, a.name)
