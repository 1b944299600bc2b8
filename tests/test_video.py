"""Video cases a notebook cannot show well: PyAV missing, memory over a longer video, a FIFO named .mp4.
The rest (predictions equal to `predict` on the frames as images, drawn videos, cut videos, `kp-rcnn predict` and
`kp-rcnn frames` end to end) is tested in nbs/04d_video.ipynb, nbs/04e_frames.ipynb and nbs/05a_cli.ipynb."""
import os, re, subprocess, sys, textwrap, time
from pathlib import Path

import numpy as np
import pytest

from kp_rcnn.data import KeypointSchema
from kp_rcnn.infer import Predictor
from kp_rcnn.sample import FACE_KEYPOINTS
from kp_rcnn.video import predict_video, split_videos, write_sample_video

ROOT = Path(__file__).resolve().parents[1]

def run_python(code:str, timeout=120)->subprocess.CompletedProcess:
    "Run `code` in a fresh Python that imports this checkout's kp_rcnn."
    env = os.environ | {'PYTHONPATH': str(ROOT)}
    return subprocess.run([sys.executable, '-c', textwrap.dedent(code)], capture_output=True, text=True, env=env,
                          timeout=timeout)

def test_without_pyav_one_line_names_the_extra(tmp_path):
    "Without PyAV, `kp-rcnn predict` on a video ends in one line that says what to install."
    write_sample_video(tmp_path/'a.mp4', n_frames=2)
    res = run_python(f"""
        import sys; sys.modules['av'] = None  # as if PyAV were not installed
        from kp_rcnn.cli import main
        sys.exit(main(['predict', 'model.pt', {str(tmp_path/'a.mp4')!r}, '--out', {str(tmp_path/'out')!r}]))""")
    assert res.returncode == 2, res.stderr
    assert res.stderr.strip().splitlines() == ["kp-rcnn predict: error: videos need PyAV: pip install 'kp_rcnn[video]'"]

class NothingPredictor(Predictor):
    "A stand-in model that finds nothing, at once: what is left to measure is reading and writing."
    def run(self, images):
        K = len(self.schema)
        return [dict(boxes=np.zeros((0, 4)), scores=np.zeros(0), keypoints=np.zeros((0, K, 3)),
                     keypoints_scores=np.zeros((0, K))) for _ in images]

def test_nothing_predictor_rows(tmp_path):
    write_sample_video(tmp_path/'a.mkv', n_frames=5)
    done = predict_video(NothingPredictor(KeypointSchema(FACE_KEYPOINTS), 64), tmp_path/'a.mkv', tmp_path/'out')
    assert (done['frames'], done['objects']) == (5, 0)
    assert len((tmp_path/'out'/'a.csv').read_text().splitlines()) == 1 + 5  # a row per frame without detections

def peak_memory_mb(video:Path, out:Path)->float:
    "The peak resident memory of a fresh Python that predicts on every frame of `video`, drawing it."
    res = run_python(f"""
        import resource
        from test_video import NothingPredictor
        from kp_rcnn.data import KeypointSchema
        from kp_rcnn.video import predict_video
        predict_video(NothingPredictor(KeypointSchema(['a', 'b', 'c']), 64), {str(video)!r}, {str(out)!r}, draw=True)
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024)""".replace(
        'import resource', f"import resource, sys; sys.path.insert(0, {str(Path(__file__).parent)!r})"))
    assert res.returncode == 0, res.stderr
    return float(res.stdout.split()[-1])

@pytest.mark.skipif(sys.platform != 'linux', reason="ru_maxrss is in kilobytes on Linux")
def test_memory_does_not_grow_with_the_video(tmp_path):
    "Ten times the frames, the same memory: 300 frames of 320 x 240 kept in memory would be 69 MB more."
    for n in (30, 300): write_sample_video(tmp_path/f'{n}.mp4', n_frames=n, width=320, height=240, fps=30)
    short, long = (peak_memory_mb(tmp_path/f'{n}.mp4', tmp_path/f'out{n}') for n in (30, 300))
    assert long - short < 25, (short, long)

@pytest.mark.skipif(not hasattr(os, 'mkfifo'), reason="no FIFOs here")
def test_fifo_named_mp4_is_refused_not_waited_on(tmp_path):
    os.mkfifo(tmp_path/'pipe.mp4')
    assert split_videos([tmp_path/'pipe.mp4']) == ([tmp_path/'pipe.mp4'], [])  # a video by its name...
    done = predict_video(NothingPredictor(KeypointSchema(FACE_KEYPOINTS), 64), tmp_path/'pipe.mp4', tmp_path/'out',
                         on_error='skip')
    assert done['skipped'] == [(str(tmp_path/'pipe.mp4'), 'not a regular file')]  # ...refused without being opened

class SlowNothingPredictor(NothingPredictor):
    "Finds nothing, slowly enough for a progress bar to redraw."
    def run(self, images): time.sleep(0.3); return super().run(images)

def test_progress_bar_counts_frames_with_time_left(tmp_path, capsys):
    "The bar counts frames of the header's total, in frames per second, with the time left (tqdm's `elapsed<left`)."
    write_sample_video(tmp_path/'a.mp4', n_frames=12)
    predict_video(SlowNothingPredictor(KeypointSchema(FACE_KEYPOINTS), 64), tmp_path/'a.mp4', tmp_path/'out', every=2,
                  batch_size=2, progress=True)
    err = capsys.readouterr().err
    assert re.search(r" [1-5]/6 \[\d\d:\d\d<\d\d:\d\d, +[\d.]+frame/s\]", err), err
