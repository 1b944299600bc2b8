"Training in several processes with torchrun: DistributedDataParallel over gloo on the CPU."
import json, os, subprocess, sys
from pathlib import Path
import torch
from kp_rcnn.saving import load_checkpoint, model_from_checkpoint
from kp_rcnn.sample import make_face_dataset

def test_torchrun_two_processes(tmp_path):
    data = make_face_dataset(tmp_path/'faces', n_images=10, seed=0)
    (tmp_path/'weights').mkdir()
    cmd = [sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node=2',
           str(Path(__file__).parent/'ddp_train.py'), str(data), str(tmp_path/'run'), str(tmp_path/'weights')]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=os.environ | {'OMP_NUM_THREADS': '1'})
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    # both processes trained both epochs, and ended each epoch with the same weights
    saved = sorted(p.name for p in (tmp_path/'weights').iterdir())
    assert saved == ['rank0-epoch1.pt', 'rank0-epoch2.pt', 'rank1-epoch1.pt', 'rank1-epoch2.pt']
    for epoch in (1, 2):
        w0, w1 = (torch.load(tmp_path/'weights'/f'rank{r}-epoch{epoch}.pt') for r in (0, 1))
        assert all(torch.equal(w0[k], w1[k]) for k in w0), f"weights differ between processes after epoch {epoch}"
    # the run folder is written once, by process 0, and is loadable
    run = tmp_path/'run'
    assert sorted(p.name for p in run.iterdir() if not p.name.startswith('.')) == ['best.pt', 'colormap.json', 'history.csv', 'history.png', 'keypoints.csv', 'last.pt',
                                                  'training_metadata.json', 'worst_val.jpg']
    meta = json.loads((run/'training_metadata.json').read_text())
    assert meta['processes'] == 2 and meta['epoch'] == 2
    assert len((run/'history.csv').read_text().splitlines()) == 3  # header and one row per epoch, not per process
    ckpt = load_checkpoint(run/'last.pt')
    model = model_from_checkpoint(ckpt)
    assert all(torch.equal(p, w0[k]) for k, p in model.named_parameters())
    # each process saw half of the training images per epoch: 8 images, batches of 2, so 2 steps each
    assert ckpt['scheduler']['last_epoch'] == 4
