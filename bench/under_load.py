"""The demo's training for a wall-clock budget twice side by side, quiet and with a competing CPU-bound process for a stretch: share of the budget used and held-out AP.

Run: python bench/under_load.py [--minutes 10] [--load-from 60] [--load-for 120] [--cpus 0 1] [--seeds 0] [--name NAME]

Each run is `kp-rcnn demo`'s training (300 generated faces of which `fit` holds out a fifth, `light` at 160 px from
random weights, batch 8, lr 2e-3, `mild`, at most 60 epochs) for `--minutes` of wall-clock time on one thread. The two
runs of a seed train at the same time, each in its own process pinned to its own CPU (`--cpus`), so that whatever else
runs on the machine loads both alike. In the loaded run, a third process spins on that run's CPU from `--load-from`
seconds after the run starts, for `--load-for` seconds, as a browser or an indexer would take a laptop's core: the
operating system then gives the training about half of it. Reported per run: the share of the budget `fit` used (from the run's metadata, and
the wall-clock seconds `fit` took), the epochs and steps, and the keypoint AP and PCK@0.2 of `best.pt` on the demo's 40
held-out images. The load average of the machine at the start and end of each run is kept with the result, since
other work on a shared machine loads the runs too. Results: bench/results/under-load-NAME_COMMIT_MACHINE.json."""
import argparse, json, multiprocessing, os, sys, tempfile, time
from pathlib import Path
import torch
from kp_rcnn.evaluation import evaluate
from kp_rcnn.sample import make_face_dataset
from kp_rcnn.train import fit
from kp_rcnn.utils import write_json_atomic
from common import machine, results_file, table


def spin(cpu:int, seconds:float):
    "Keep CPU `cpu` busy for `seconds`."
    os.sched_setaffinity(0, {cpu})
    end = time.monotonic() + seconds
    while time.monotonic() < end: pass

def train(data:Path, holdout:Path, out:Path, minutes:float, seed:int, load:tuple|None, cpu:int)->dict:
    "One run of the demo's training; `load`: `(from, for)` seconds of a competing process on the same CPU."
    competitor = None
    if load:
        start_in, lasting = load
        competitor = multiprocessing.get_context('fork').Process(target=lambda: (time.sleep(start_in), spin(cpu, lasting)))
        competitor.start()
    load_before, wall = os.getloadavg()[0], time.monotonic()
    history = fit(data, out=out, preset='light', train_size=160, weights='none', backbone_weights='none', epochs=60,
                  minutes=minutes, batch_size=8, lr=2e-3, augment='mild', seed=seed, progress=False)
    wall = time.monotonic() - wall
    if competitor is not None: competitor.join()
    used = json.loads((out/'training_metadata.json').read_text())['budget']
    held_out = evaluate(out/'best.pt', holdout, device='cpu', batch_size=8).metrics
    return {'budget used': used['share'], 'fit seconds': wall, 'epochs': len(history), 'steps': int(history.steps.sum()),
            'held-out keypoint AP': held_out['oks_ap'], 'held-out PCK@0.2': held_out['pck@0.2'],
            'val keypoint AP by epoch': history.oks_ap.round(4).tolist(), 'seconds by epoch': history.seconds.round(1).tolist(),
            'steps by epoch': history.steps.tolist(), 'load average before': load_before, 'load average after': os.getloadavg()[0]}

def in_process(key:str, results, cpu:int, **kwargs):
    "Run `train` on one thread pinned to `cpu`, and put `(key, row)` on `results`."
    torch.set_num_threads(1)
    os.sched_setaffinity(0, {cpu})
    results.put((key, train(cpu=cpu, **kwargs)))

def main(minutes:float, load_from:float, load_for:float, cpus:list, seeds:list, name:str=None):
    print(f"{minutes} wall-clock minutes per run, side by side on CPUs {cpus}; {machine()}", flush=True)
    rows, ctx = {}, multiprocessing.get_context('fork')
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data, holdout = make_face_dataset(tmp/'data', n_images=300, seed=0), make_face_dataset(tmp/'holdout', n_images=40, seed=1)
        for seed in seeds:
            results, runs = ctx.Queue(), []
            for cpu, (label, load) in zip(cpus, (('quiet', None), (f'loaded from {load_from:g} s for {load_for:g} s', (load_from, load_for)))):
                kwargs = dict(data=data, holdout=holdout, out=tmp/f'{seed}-{cpu}', minutes=minutes, seed=seed, load=load)
                runs.append(ctx.Process(target=in_process, args=(f'{label}, seed {seed}', results, cpu), kwargs=kwargs))
            for run in runs: run.start()
            done = dict(results.get() for _ in runs)
            for run in runs: run.join()
            rows.update(sorted(done.items(), key=lambda kv: not kv[0].startswith('quiet')))
            table('run', {k: {c: v for c, v in r.items() if not isinstance(v, list)} for k, r in done.items()}, digits=3)
            if name: write_json_atomic(results_file(f'under-load-{name}'), dict(
                command=' '.join(['python', 'bench/under_load.py', *sys.argv[1:]]), machine=machine(), minutes=minutes,
                load_from=load_from, load_for=load_for, side_by_side=True, rows=rows), indent=1)
    table('run', {k: {c: v for c, v in r.items() if not isinstance(v, list)} for k, r in rows.items()}, digits=3)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--minutes', type=float, default=10., help="wall-clock budget of each run")
    p.add_argument('--load-from', type=float, default=60., help="seconds into the loaded run when the competing process starts")
    p.add_argument('--load-for', type=float, default=120., help="seconds the competing process runs")
    p.add_argument('--cpus', type=int, nargs=2, default=[0, 1], help="the CPUs of the quiet and the loaded run")
    p.add_argument('--seeds', type=int, nargs='*', default=[0])
    p.add_argument('--name', help="write bench/results/under-load-NAME_COMMIT_MACHINE.json")
    a = p.parse_args()
    main(a.minutes, a.load_from, a.load_for, a.cpus, a.seeds, a.name)
