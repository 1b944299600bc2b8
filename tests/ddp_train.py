"""Trains a tiny model under torchrun for `test_distributed.py`, and saves each process's weights after every epoch.

usage: torchrun --standalone --nproc_per_node=2 tests/ddp_train.py DATA RUN_DIR WEIGHTS_DIR"""
import os, sys
from pathlib import Path
import torch
import kp_rcnn.train as train

data, out, weights = sys.argv[1:4]
epoch_fn = train.train_one_epoch

def train_and_record(model, *args, **kwargs):
    "Train one epoch as `fit` would, then save this process's weights (the model is wrapped in DistributedDataParallel)."
    losses = epoch_fn(model, *args, **kwargs)
    n = len(list(Path(weights).glob(f"rank{os.environ['RANK']}-*.pt")))
    params = {k: p.detach() for k, p in model.module.named_parameters()}  # buffers such as batch-norm statistics stay per process
    torch.save(params, Path(weights)/f"rank{os.environ['RANK']}-epoch{n+1}.pt")
    return losses

train.train_one_epoch = train_and_record
train.fit(data, out=out, preset='light', train_size=64, epochs=2, batch_size=2, weights='none', backbone_weights='none',
          device='cpu', progress=False, seed=0)
