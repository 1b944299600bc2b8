"""ONNX Runtime's dynamic int8 quantization of an exported model: held-out accuracy and images/s against float32, side by side.

Run: python bench/int8_onnx.py CHECKPOINT HELDOUT [--threads 2] [--rounds 3] [--json FILE]
It exports the checkpoint with `export_onnx` and quantizes the file with `onnxruntime.quantization.quantize_dynamic`
(weights to int8, activations quantized at run time), once for the fully connected layers only (the box head) and once
with the convolutions too. Each held-out image goes through the eager checkpoint and every ONNX file in turn, one image
per call, as `kp-rcnn predict` prepares it; the same outputs, mapped back to the image, give the metrics.
`kp-rcnn demo --out DIR` makes a checkpoint (DIR/run/best.pt) and test images (DIR/test) to run it on."""
import argparse, os, statistics, tempfile
from pathlib import Path

import torch
from onnxruntime.quantization import QuantType, quantize_dynamic

from kp_rcnn.dataset import load_dataset
from kp_rcnn.export import OnnxPredictor, export_onnx
from kp_rcnn.infer import TorchPredictor, prepare_image, to_prediction
from kp_rcnn.metrics import keypoint_metrics
from kp_rcnn.utils import write_json_atomic
from common import in_turn, machine, table

QUANTIZED = {'int8 fully connected': ['MatMul', 'Gemm'], 'int8 fully connected and convolutions': ['MatMul', 'Gemm', 'Conv']}

def quantized_models(checkpoint, folder:Path)->dict:
    "The float32 export of `checkpoint` and its dynamic int8 quantizations (`QUANTIZED`), by name."
    onnx_path = export_onnx(checkpoint, folder/'float32.onnx')
    models = {'ONNX float32': onnx_path}
    for i, (name, ops) in enumerate(QUANTIZED.items()):
        models[name] = folder/f'int8_{i}.onnx'
        quantize_dynamic(onnx_path, models[name], op_types_to_quantize=ops, weight_type=QuantType.QInt8)
    return models

def compare(predictors:dict, data, rounds:int)->dict:
    "Held-out metrics and images/s of each predictor, every image through each in turn; the timing best of `rounds` passes."
    inputs = [prepare_image(r.load_image(), next(iter(predictors.values())).train_size) for r in data.records]
    preds, seconds = in_turn({name: lambda x, p=p: p.run([x])[0] for name, p in predictors.items()}, [x for x, _ in inputs], rounds)
    targets = [data[i][1] for i in range(len(data))]
    rows = {}
    for name, p in predictors.items():
        outs = [to_prediction(o, place, 0., p.schema, rec.name).target for o, (_, place), rec in zip(preds[name], inputs, data.records)]
        m = keypoint_metrics(targets, outs, p.schema)
        per_round = [sum(seconds[name][k*len(inputs):(k + 1)*len(inputs)]) for k in range(rounds)]
        rows[name] = {'keypoint AP': m['oks_ap'], 'PCK@0.2': m['pck@0.2'], 'PCK@0.1': m['pck@0.1'],
                      'median px error': m['median_px_error'], 'img/s': len(inputs)/min(per_round),
                      'ms per image, median': 1000*statistics.median(seconds[name])}
    return rows

def main(args):
    checkpoint, heldout, threads, rounds, json_path = (
        args.checkpoint, args.heldout, args.threads, args.rounds, args.json_path)
    torch.set_num_threads(threads)
    folder = Path(tempfile.mkdtemp())
    predictors = {'checkpoint (PyTorch eager)': TorchPredictor.from_checkpoint(checkpoint, 'cpu')}
    predictors |= {name: OnnxPredictor(path, threads=threads) for name, path in quantized_models(checkpoint, folder).items()}
    data = load_dataset(heldout, schema=predictors['ONNX float32'].schema)
    print(f"{checkpoint} on {len(data)} held-out images of {heldout}; {machine()}", flush=True)
    rows = compare(predictors, data, rounds)
    for r in rows.values(): r['x ONNX float32'] = r['img/s']/rows['ONNX float32']['img/s']
    table('model', rows, digits=3)
    if json_path: write_json_atomic(json_path, {'machine': machine(), 'checkpoint': str(checkpoint), 'heldout': str(heldout),
                                                'threads': threads, 'rows': rows}, indent=1)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('checkpoint', help='a kp_rcnn checkpoint')
    p.add_argument('heldout', help='a LabelMe folder or COCO file of held-out images')
    p.add_argument('--threads', type=int, default=os.cpu_count(), help='threads for PyTorch and ONNX Runtime')
    p.add_argument('--rounds', type=int, default=3, help='passes over the held-out images; images/s is the best pass')
    p.add_argument('--json', dest='json_path', help='also write the figures to this JSON file')
    main(p.parse_args())
