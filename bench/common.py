"""What the bench scripts share: the line that says where a run ran, timed training steps, runs in turn, and markdown tables."""
import os, platform, re, subprocess, tempfile, time
from pathlib import Path
import torch
from kp_rcnn.dataset import KeypointDataset
from kp_rcnn.sample import make_face_dataset

RESULTS = Path(__file__).parent/'results'
SCRATCH_WEIGHTS = dict(weights='none', backbone_weights='none')  # nothing to download
SCRATCH = dict(num_keypoints=3, **SCRATCH_WEIGHTS)  # the faces' three keypoints, from random weights

def machine(device:torch.device|None=None)->str:
    "Where a run runs: the GPU, or the CPU cores and torch's threads; torch's version; the load average now."
    where = (torch.cuda.get_device_name(device) if device is not None and device.type == 'cuda'
             else f"{os.cpu_count()} CPU cores, {torch.get_num_threads()} threads")
    return f"{where}; torch {torch.__version__}; load average {os.getloadavg()[0]:.1f}"

def machine_tag(device:torch.device|None=None)->str:
    "The machine in a file name: the GPU's name, or the CPU's architecture and cores (`x86_64-2core`)."
    where = (torch.cuda.get_device_name(device) if device is not None and device.type == 'cuda'
             else f"{platform.machine()}-{os.cpu_count()}core")
    return re.sub(r'[^A-Za-z0-9.]+', '-', where).strip('-').lower()

def commit()->str:
    "The checkout's commit, short, with `-dirty` when kp_rcnn/ or bench/ has changes not committed."
    git = lambda *a: subprocess.run(['git', *a], cwd=RESULTS.parent, capture_output=True, text=True).stdout.strip()
    head = git('rev-parse', '--short=7', 'HEAD') or 'nogit'
    return head + ('-dirty' if git('status', '--porcelain', '--', '../kp_rcnn', '.') else '')

def results_file(setup:str, # What ran, in words joined by `-`: `real-photos-light-lr2e-3-mild`, `infer-speed-light-2threads`
                 device:torch.device|None=None, folder=RESULTS)->Path:
    "`bench/results/SETUP_COMMIT_MACHINE.json`: named by what ran, on which code and where, so that a name never goes stale."
    return Path(folder)/f"{setup}_{commit()}_{machine_tag(device)}.json"

def keypoint_regions(model)->list:
    "A list to which each forward pass of `model` appends how many regions its keypoint head ran on."
    regions = []
    model.roi_heads.keypoint_head.register_forward_pre_hook(lambda m, args: regions.append(len(args[0])))
    return regions

def timed(fn)->float:
    "Wall-clock seconds one call of `fn()` takes."
    start = time.perf_counter(); fn()
    return time.perf_counter() - start

def in_turn(runs:dict, inputs:list, rounds:int=1)->tuple:
    "`(outputs, seconds)` by name of each `name: run(input)`: every input through each run in turn, so all see the same load; `rounds` passes, outputs of the first."
    outputs, seconds = {n: [] for n in runs}, {n: [] for n in runs}
    for k in range(rounds):
        for x in inputs:
            for name, run in runs.items():
                start = time.perf_counter(); out = run(x)
                seconds[name].append(time.perf_counter() - start)
                if k == 0: outputs[name].append(out)
    return outputs, seconds

def fastest(step, steps:int)->tuple:
    "`(wall, cpu)` seconds of the fastest of `steps` calls of `step()`, after a warm-up call."
    step(); times = []
    for _ in range(steps):
        wall, cpu = time.perf_counter(), time.process_time()
        step(); times.append((time.perf_counter() - wall, time.process_time() - cpu))
    return min(times)

def train_step_speed(model, images:list, targets:list, steps:int)->dict:
    "Training images per second of `model` on one batch (wall-clock and CPU, fastest of `steps` SGD steps) and keypoint-head regions per image."
    torch.manual_seed(0)
    model.train()
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=1e-4, momentum=0.9)
    regions = keypoint_regions(model)
    def step():
        loss = sum(model(images, targets).values())
        opt.zero_grad(); loss.backward(); opt.step()
    wall, cpu = fastest(step, steps)
    return {'img/s': len(images)/wall, 'img/CPU-s': len(images)/cpu, 'kp regions/img': sum(regions[1:])/steps/len(images)}

def table_header(first:str, columns:list):
    "Print the head of a markdown table: the `first` column, then `columns`."
    print(f"\n| {first} | {' | '.join(columns)} |\n|---|{'---|'*len(columns)}", flush=True)

def table_row(name:str, values:dict, digits:int=2):
    "Print one row of a markdown table: `name`, then `values` (numbers with `digits` decimals, text as it is)."
    cells = (v if isinstance(v, str) else f'{v:.{digits}f}' for v in values.values())
    print(f"| {name} | {' | '.join(cells)} |", flush=True)

def table(first:str, rows:dict, digits:int=2):
    "Print `rows` (`{name: {column: value}}`) as a markdown table."
    table_header(first, list(next(iter(rows.values()))))
    for name, values in rows.items(): table_row(name, values, digits)

def face_batch(size:int, n:int, seed:int=0)->tuple:
    "`(images, targets)`: `n` generated `size` x `size` face images as `KeypointDataset` hands them to the model."
    with tempfile.TemporaryDirectory() as folder:
        ds = KeypointDataset.from_labelme(make_face_dataset(folder, n_images=n, width=size, height=size, seed=seed))
        return tuple(map(list, zip(*[ds[i] for i in range(n)])))
