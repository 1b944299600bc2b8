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
