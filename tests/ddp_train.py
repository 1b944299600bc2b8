"""Trains a tiny model under torchrun for `test_distributed.py`, and saves each process's weights after every epoch.

usage: torchrun --standalone --nproc_per_node=2 tests/ddp_train.py DATA RUN_DIR WEIGHTS_DIR"""
import os, sys
from pathlib import Path
import torch
from kp_rcnn.train import fit

data, out, weights = sys.argv[1:4]

def save_weights(row, model):
    "`fit`'s `on_epoch_end`: save this process's parameters (buffers such as batch-norm statistics stay per process)."
    params = {k: p.detach() for k, p in model.named_parameters()}
    torch.save(params, Path(weights)/f"rank{os.environ['RANK']}-epoch{row['epoch']}.pt")

fit(data, out=out, preset='light', train_size=64, epochs=2, batch_size=2, weights='none', backbone_weights='none',
    device='cpu', progress=False, seed=0, on_epoch_end=save_weights)
