#!/usr/bin/env bash
# The GPU path in one short run, on a machine with an NVIDIA GPU, from the repository root with the package installed:
#   bash bench/gpu_check.sh [OUT]          (OUT: where the runs and the log go; default gpu_check/)
# 1. the card, torch and CUDA versions;
# 2. every test notebook with its `cuda` cells on (`tools/run_tests.py --flags cuda`);
# 3. one epoch of the `full` preset (ResNet-50-FPN at 512 px, untrained) on 200 generated 512 x 384 faces,
#    with mixed precision (bfloat16, or float16 with a gradient scaler) and in float32, timed;
# 4. bench/train_speed.py on CUDA: the tutorial's set-up against kp_rcnn's, images per second and the time split.
set -euo pipefail
OUT=${1:-gpu_check}
mkdir -p "$OUT"
exec > >(tee "$OUT/log.txt") 2>&1
PY=${PY:-python}
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
$PY -c "import torch; print('torch', torch.__version__, 'CUDA', torch.version.cuda, torch.cuda.get_device_name(0), 'bf16', torch.cuda.is_bf16_supported())"

echo "== notebooks with their cuda cells"
$PY tools/run_tests.py --flags cuda

echo "== one epoch, full preset at 512 px"
$PY -m kp_rcnn.cli sample "$OUT/faces" --images 200 --width 512 --height 384
for amp in amp no-amp; do
  SECONDS=0
  $PY -m kp_rcnn.cli train "$OUT/faces" --out "$OUT/run_$amp" --preset full --weights none --backbone-weights none \
      --epochs 1 --batch-size 8 --device cuda --$amp --no-progress
  echo "full preset, 1 epoch, --$amp: ${SECONDS} s (training, validation and writing the run folder)"
done

echo "== training speed"
$PY bench/train_speed.py --device cuda --steps 20 --batch 8
