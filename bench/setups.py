"""The three training set-ups that bench/train_speed.py and bench/time_to_accuracy.py compare, on `size` x `size` images.

(a) tutorial: the tutorial recipe's torchvision Keypoint R-CNN ResNet-50-FPN, as `keypointrcnn_resnet50_fpn` builds it
    with a new `KeypointRCNNPredictor`: every image resized to 800 pixels inside the model (torchvision's `min_size=800`,
    which for square images is all of its default resize), 512 regions sampled per image; the tutorial's augmentations
    (kp_rcnn's `strong` augmentation) and its DataLoader's cpu_count // 2 worker processes.
(b) kp_rcnn's `full` preset at `size`: the same backbone and keypoint head, the model resizing to `size`, 64 regions per
    image, and `fit`'s loader (no worker processes on a CPU).
(c) kp_rcnn's `light` preset at its own 256 pixels: MobileNetV3 with FPN maps from stride 8, a 4 x 128 keypoint head.

`check_tutorial_preset` registers (a)'s model as the model preset 'tutorial' and compares it with torchvision's own
builder, so the baseline is torchvision's model and not our copy.

The model variants the accuracy benchmarks compare are registered here too, one registry for all of them: `MODEL_VARIANTS`
names `ModelConfig` changes, `register_variant` makes a preset of one on top of another preset when a script asks."""
import os
import torch
from torchvision.models.detection import keypointrcnn_resnet50_fpn
from kp_rcnn.model import MODEL_PRESETS, build_model, make_config, register_model_preset

_LIGHT_BASE = dict(backbone='mobilenet_v3_large_fpn', box_detections_per_img=10)  # what bench/model_accuracy.py started from
MODEL_VARIANTS = {  # name: `ModelConfig` changes on top of a preset
    '384px': dict(train_size=384),
    '320px': dict(train_size=320),
    '192px': dict(train_size=192),
    'regions32': dict(box_batch_size_per_image=32),  # up to 8 positive regions per image for the keypoint head, not 16
    'anchors2': dict(anchor_sizes=[[32, 45], [64, 91], [128, 181], [256, 362]]),  # two sizes per octave
    'base': _LIGHT_BASE,
    'FPN maps from stride 8': _LIGHT_BASE | dict(backbone='mobilenet_v3_large_fpn_s8'),
    "torchvision's head (8 x 512)": _LIGHT_BASE | dict(head_layers=[512]*8),
    "torchvision's sampling (512 regions/img)": _LIGHT_BASE | dict(box_batch_size_per_image=512),
}

def register_variant(preset:str, change:dict)->str:
    "The name of a model preset that is `preset` with `change`, registered now when there is a change."
    if not change: return preset
    name = f"{preset}+" + ','.join(f"{k}={v}" for k, v in change.items())
    register_model_preset(name, **{**MODEL_PRESETS[preset], **change})
    return name

def register_tutorial_preset():
    "Register (a)'s model as the model preset 'tutorial'."
    register_model_preset('tutorial', backbone='resnet50_fpn', train_size=800, head_layers=[512]*8, box_batch_size_per_image=512)

def setups(size:int)->dict:
    "`key: (label, make_config overrides, side of the augmented images, DataLoader workers)` for each set-up."
    light = make_config('light').train_size
    return {'a': ('(a) tutorial: ResNet-50-FPN, 800 px inside, 512 regions/img', dict(preset='tutorial'), size, max(1, (os.cpu_count() or 2)//2)),
            'b': (f'(b) kp_rcnn full: ResNet-50-FPN at {size} px, 64 regions/img', dict(preset='full', train_size=size), size, None),
            'c': (f'(c) kp_rcnn light: MobileNetV3-FPN (stride 8) at {light} px', dict(preset='light'), light, None)}

def check_tutorial_preset(size:int, num_keypoints:int=3):
    "Register the 'tutorial' preset, and fail unless it builds torchvision's model: same layers, resize and sampling."
    register_tutorial_preset()
    ours = build_model(make_config('tutorial', num_keypoints=num_keypoints, weights='none', backbone_weights='none')).eval()
    theirs = keypointrcnn_resnet50_fpn(weights=None, weights_backbone=None, num_keypoints=num_keypoints).eval()
    shapes = lambda m: {k: v.shape for k, v in m.state_dict().items()}
    assert shapes(ours) == shapes(theirs), "the 'tutorial' preset's layers are not torchvision's"
    image = [torch.rand(3, size, size)]
    assert ours.transform(image)[0].image_sizes == theirs.transform(image)[0].image_sizes, "resize differs from torchvision's"
    assert ours.rpn._pre_nms_top_n == theirs.rpn._pre_nms_top_n and ours.rpn._post_nms_top_n == theirs.rpn._post_nms_top_n
    for a, b in ((ours.rpn.fg_bg_sampler, theirs.rpn.fg_bg_sampler), (ours.roi_heads.fg_bg_sampler, theirs.roi_heads.fg_bg_sampler)):
        assert (a.batch_size_per_image, a.positive_fraction) == (b.batch_size_per_image, b.positive_fraction), "sampling differs"
    settings = lambda h: (h.score_thresh, h.nms_thresh, h.detections_per_img)
    assert settings(ours.roi_heads) == settings(theirs.roi_heads), "inference settings differ"
