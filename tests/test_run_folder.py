"A run folder has one writer: a second `fit` into it is refused while the first runs, and a killed run's lock goes with it."
from __future__ import annotations
import os, signal, subprocess, sys, time
import pytest
from kp_rcnn.sample import make_face_dataset
from kp_rcnn.runs import RunFolderError, RunLock
from kp_rcnn.train import fit

# A run that takes its folder, then hangs in its clock (which `fit` first reads once the model is built) until killed
HOLDER = """
import sys, time
from kp_rcnn.train import fit
data, out = sys.argv[1:3]
def clock(): time.sleep(3600)
fit(data, out=out, preset='light', train_size=64, epochs=1, batch_size=2, weights='none', backbone_weights='none',
    device='cpu', progress=False, clock=clock)
"""
TINY = dict(preset='light', train_size=64, epochs=1, batch_size=2, weights='none', backbone_weights='none', device='cpu', progress=False)

def holder(out)->str|None:
    "The process id in the folder's lock file, if any."
    try: return (out/'.lock').read_text().strip()
    except FileNotFoundError: return None

def start_holder(data, out):
    "A process running `fit` into `out`, once it holds the folder."
    proc = subprocess.Popen([sys.executable, '-c', HOLDER, str(data), str(out)], env=os.environ | {'OMP_NUM_THREADS': '1'},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 120
    while holder(out) != str(proc.pid):
        assert proc.poll() is None, proc.stdout.read()
        assert time.monotonic() < deadline, "the first run never took its folder"
        time.sleep(0.05)
    return proc

def test_second_run_refused_and_killed_run_lets_go(tmp_path):
    data, out = make_face_dataset(tmp_path/'faces', n_images=4, seed=0), tmp_path/'run'
    first = start_holder(data, out)
    try:
        start = time.monotonic()
        with pytest.raises(RunFolderError, match=rf"is being written by another training run \(process {first.pid}\)") as e:
            fit(data, out=out, **TINY)
        assert str(out) in str(e.value) and time.monotonic() - start < 5  # named, and at once
        assert holder(out) == str(first.pid)  # the refused run left the first one's lock alone
        assert first.poll() is None
    finally: first.send_signal(signal.SIGKILL); first.wait(30)
    # killed without a chance to clean up: its lock file stays, but the lock went with the process
    assert (out/'.lock').exists()
    with RunLock(out): assert holder(out) == str(os.getpid())
    assert not (out/'.lock').exists()

@pytest.fixture
def small_disk(tmp_path):
    "A 40 MB file system (tmpfs), where the system lets this process mount one."
    disk = tmp_path/'disk'; disk.mkdir()
    res = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=40m', 'tmpfs', str(disk)], capture_output=True, text=True)
    if res.returncode: pytest.skip(f"cannot mount a small file system here: {res.stderr.strip()}")
    yield disk
    subprocess.run(['umount', str(disk)], check=True)

def test_full_disk_found_before_training(tmp_path, small_disk):
    "The light model's checkpoints (about 300 MB at 64 px) cannot fit on 40 MB: `kp-rcnn train` says so before an epoch."
    data, out = make_face_dataset(tmp_path/'faces', n_images=4, seed=0), small_disk/'run'
    cli = [sys.executable, '-m', 'kp_rcnn.cli', 'train', str(data), '--out', str(out), '--preset', 'light', '--train-size', '64',
           '--weights', 'none', '--backbone-weights', 'none', '--device', 'cpu', '--epochs', '1', '--no-progress']
    res = subprocess.run(cli, capture_output=True, text=True, env=os.environ | {'OMP_NUM_THREADS': '1'}, timeout=300)
    assert res.returncode != 0
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{out}: " in lines[0] and "MB free on its disk, but this run's checkpoints need about" in lines[0], res.stderr
    assert 'epoch 1' not in res.stdout and not (out/'last.pt').exists()
