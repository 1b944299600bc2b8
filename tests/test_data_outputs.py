"""The data layer as `kp-rcnn inspect` meets it in a shared folder: a run folder kept inside the data folder, and a FIFO
named like an annotation or an image, which must be refused at once, never waited on (issue 23, cases 2 and 8)."""
import os, subprocess, sys
import pytest
from kp_rcnn.files import mark_outputs
from kp_rcnn.runs import save_colormap
from kp_rcnn.sample import make_face_dataset
from kp_rcnn.labelme import read_labelme_folder

pytestmark = pytest.mark.skipif(not hasattr(os, 'mkfifo'), reason="no FIFOs on this system")

def inspect(*args, timeout=120):
    "Run `kp-rcnn inspect` in a fresh process; a hang fails the test instead of stalling the suite."
    return subprocess.run([sys.executable, '-m', 'kp_rcnn.cli', 'inspect', *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=os.environ | {'OMP_NUM_THREADS': '1'})

def test_run_folder_inside_the_data_folder_is_not_data(tmp_path):
    data = make_face_dataset(tmp_path/'faces', n_images=3, seed=0)
    records, schema, _ = read_labelme_folder(data)
    save_colormap(data/'run'/'colormap.json', schema)  # what `RunFolder` writes beside `best.pt`
    (data/'run'/'training_metadata.json').write_text('{"epoch": 1}')
    mark_outputs(data/'run', 'colormap.json', 'training_metadata.json')
    done = inspect(data)
    assert done.returncode == 0, done.stderr
    assert f"{data}: 3 images" in done.stdout

def test_fifo_is_refused_at_once(tmp_path):
    data = make_face_dataset(tmp_path/'faces', n_images=3, seed=0)
    os.mkfifo(data/'frame.json')
    os.unlink(data/'face_001.jpg'); os.mkfifo(data/'face_001.jpg')  # an image that is a FIFO
    done = inspect(data)
    assert done.returncode == 2 and 'face_001.jpg: not a regular file (a FIFO)' in done.stderr, done.stderr  # the first
    done = inspect(data, '--skip-bad')
    assert done.returncode == 0, done.stderr
    assert f"{data}: 2 images" in done.stdout
    for name in ('face_001.jpg', 'frame.json'): assert f'{name}: not a regular file (a FIFO)' in done.stdout + done.stderr

def test_training_into_the_data_folder_keeps_it_readable(tmp_path):
    "`kp-rcnn train DATA --out DATA/run`, then `kp-rcnn inspect DATA`: the run's files are not taken for annotations."
    data = make_face_dataset(tmp_path/'faces', n_images=6, width=96, height=96, seed=0)
    train = subprocess.run([sys.executable, '-m', 'kp_rcnn.cli', 'train', str(data), '--out', str(data/'run'), '--preset', 'light',
                            '--train-size', '64', '--epochs', '1', '--batch-size', '2', '--weights', 'none',
                            '--backbone-weights', 'none', '--no-progress'],
                           capture_output=True, text=True, timeout=600, env=os.environ | {'OMP_NUM_THREADS': '1'})
    assert train.returncode == 0, train.stderr[-2000:]
    assert (data/'run'/'colormap.json').is_file() and (data/'run'/'training_metadata.json').is_file()
    done = inspect(data)
    assert done.returncode == 0, done.stderr
    assert f"{data}: 6 images" in done.stdout
