"""The data layer on real public files: mmpose's COCO-style face and person sets, LabelMe's and X-AnyLabeling's own examples,
and Pillow's EXIF-rotated and grayscale pictures (see `shared/data/real/SOURCES.md`). Skipped when that folder is absent."""
import json, os, shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from kp_rcnn.data import AnnotationError, KeypointSchema, mirror_name
from kp_rcnn.dataset import KeypointDataset
from kp_rcnn.labelme import labelme_shapes, write_labelme

REAL = Path(os.environ.get('KP_RCNN_REAL_DATA') or Path(__file__).resolve().parents[1].parent/'shared'/'data'/'real')
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"no real data at {REAL} (set KP_RCNN_REAL_DATA)")
MMPOSE = REAL/'mmpose'/'tests'/'data'
LABELME = REAL/'labelme'/'examples'
HOPPER = REAL/'pillow'/'Tests'/'images'
COCO17 = ['nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear', 'left_shoulder', 'right_shoulder', 'left_elbow',
          'right_elbow', 'left_wrist', 'right_wrist', 'left_hip', 'right_hip', 'left_knee', 'right_knee', 'left_ankle', 'right_ankle']
FACE = KeypointSchema(['left-eye', 'nose', 'right-eye'], category='face')


def need(path:Path)->Path:
    "`path`, or skip the test when this copy of the real data lacks it."
    if not path.exists(): pytest.skip(f"{path} is not in the real data")
    return path

def pixels(path)->np.ndarray:
    "The stored pixels of an image file as RGB, without any EXIF rotation."
    with Image.open(path) as im: return np.asarray(im.convert('RGB'))

def as_uint8(image)->np.ndarray:
    "A dataset's `(3, H, W)` float image as `(H, W, 3)` uint8."
    return (image.permute(1, 2, 0).numpy()*255).round().astype(np.uint8)

def by_name(ds:KeypointDataset)->dict: return {r.name: r for r in ds.records}

def point(path, label='nose', xy=(64.5, 30.5), size=None, json_path=None)->Path:
    "A LabelMe file with one point on the image at `path` (`size` defaults to the stored image's, as `(height, width)`)."
    if size is None:
        with Image.open(path) as im: size = (im.height, im.width)
    shapes = [dict(label=label, points=[list(xy)], group_id=None, description='', shape_type='point', flags={})]
    return write_labelme(json_path, Path(path), size, shapes)


# ## mmpose face sets -> LabelMe eyes and nose
# Index maps from SOURCES.md: (the eye on the image's left = the subject's RIGHT eye, the subject's left eye, the nose).
FACE_MAPS = {'300w': (range(36, 42), range(42, 48), [30]), 'wflw': ([96], [97], [54]), 'cofw': ([16], [17], [20]),
             'aflw': ([7], [10], [13]), 'lapa': ([104], [105], [54])}

def face_points(flat:list, idx:tuple)->np.ndarray:
    "`(3, 3)` left-eye, nose, right-eye (the subject's sides) from a flat COCO keypoint list: each the mean of its indices."
    kps = np.asarray(flat, np.float64).reshape(-1, 3)
    right, left, nose = (list(i) for i in idx)
    return np.array([[*kps[ix, :2].mean(0), kps[ix, 2].min()] for ix in (left, nose, right)])

def face_box(flat:list)->list:
    "The extent of all labelled landmarks of a face (mmpose's `bbox` misses the nose of one WFLW face)."
    kps = np.asarray(flat, np.float64).reshape(-1, 3)
    xy = kps[kps[:, 2] > 0, :2]
    return [*xy.min(0), *xy.max(0)]

@pytest.fixture(scope='module')
def faces(tmp_path_factory):
    "Each face set written as LabelMe files (one folder per set) pointing at the real images; the expected values per file."
    out, expected = tmp_path_factory.mktemp('faces'), {}
    for name, idx in FACE_MAPS.items():
        coco = json.loads(need(MMPOSE/name/f'test_{name}.json').read_text())
        for img in coco['images']:
            anns = [a for a in coco['annotations'] if a['image_id'] == img['id']]
            kps = np.stack([face_points(a['keypoints'], idx) for a in anns])
            boxes = np.array([face_box(a['keypoints']) for a in anns])
            stem = Path(img['file_name']).stem
            write_labelme(out/name/f'{stem}.json', MMPOSE/name/img['file_name'], (img['height'], img['width']), labelme_shapes(kps, boxes, FACE))
            expected[f'{name}/{stem}'] = dict(kps=kps, boxes=boxes, size=(img['height'], img['width']), image=MMPOSE/name/img['file_name'])
    return out, expected, KeypointDataset.from_labelme(out)

def test_faces_read_back_every_point(faces):
    out, expected, ds = faces
    test_names = sorted(r.name for r in ds.records)
    assert test_names == sorted(expected)
    assert len(ds) == 10 and ds.n_objects == 12  # wflw's crowd picture has 3 annotated faces
    assert ds.schema.names == FACE.names and ds.schema.flip_pairs == [(0, 2)] and ds.schema.flip_indices == [2, 1, 0]
    for name, rec in by_name(ds).items():
        exp = expected[name]
        np.testing.assert_allclose(rec.keypoints, exp['kps'], atol=1e-3)
        np.testing.assert_allclose(rec.boxes, exp['boxes'], atol=1e-3)
        assert rec.size == exp['size']
    v = np.concatenate([r.keypoints[..., 2].ravel() for r in ds.records])
    assert set(v) == {1, 2}  # mmpose's "labelled" v=1 and COFW's occluded points survive as occluded, visible as visible

def test_faces_sides_and_boxes(faces):
    "The subject's left eye appears on the image's right on these frontal faces, with the nose between the eyes."
    _, _, ds = faces
    for rec in ds.records:
        for (lx, ly, _), (nx, ny, _), (rx, ry, _) in rec.keypoints:
            assert lx > rx, rec.name
            assert rx < nx < lx and ny > min(ly, ry), rec.name
        for (x1, y1, x2, y2), kps in zip(rec.boxes, rec.keypoints):
            xy = kps[kps[:, 2] > 0, :2]
            assert ((xy[:, 0] >= x1) & (xy[:, 0] <= x2) & (xy[:, 1] >= y1) & (xy[:, 1] <= y2)).all(), rec.name

def test_faces_grouped_by_rectangles_without_group_ids(faces, tmp_path):
    "Without `group_id`s, each eye and nose goes to the face rectangle around it (WFLW's picture with 3 faces)."
    out, expected, _ = faces
    ann = json.loads((out/'wflw'/'7_Cheering_Cheering_7_16.json').read_text())
    for s in ann['shapes']: s['group_id'] = None
    ann['imagePath'] = str(MMPOSE/'wflw'/'7_Cheering_Cheering_7_16.jpg')
    (tmp_path/'crowd.json').write_text(json.dumps(ann))
    rec = KeypointDataset.from_labelme(tmp_path/'crowd.json', schema=FACE).records[0]
    exp = expected['wflw/7_Cheering_Cheering_7_16']
    assert len(rec.keypoints) == 3
    np.testing.assert_allclose(rec.keypoints, exp['kps'], atol=1e-3)
    np.testing.assert_allclose(rec.boxes, exp['boxes'], atol=1e-3)

def test_face_images_load_as_rgb(faces):
    _, expected, ds = faces
    for i, rec in enumerate(ds.records):
        image, target = ds[i]
        h, w = expected[rec.name]['size']
        assert image.shape == (3, h, w) and image.dtype == torch.float32, rec.name
        assert target['keypoints'].shape == (len(rec.keypoints), 3, 3)
        np.testing.assert_array_equal(as_uint8(image), pixels(expected[rec.name]['image']))
    with Image.open(MMPOSE/'300w'/'indoor_029.png') as im: assert im.mode == 'P'  # the palette PNG came out as RGB above


# ## mmpose COCO person sets: several people per image, to LabelMe and back
def source_people(coco:dict)->dict:
    "Per image id: the expected `(N, K, 3)` keypoints (x = y = 0 where v = 0) and `(N, 4)` XYXY boxes of the non-crowd people."
    out = {}
    for a in coco['annotations']:
        if a.get('iscrowd'): continue
        k = np.asarray(a['keypoints'], np.float64).reshape(-1, 3)
        k[k[:, 2] == 0] = 0
        x, y, w, h = a['bbox']
        kps, boxes = out.setdefault(a['image_id'], ([], []))
        kps.append(k); boxes.append([x, y, x+w, y+h])
    return {i: (np.stack(k), np.array(b)) for i, (k, b) in out.items()}

@pytest.mark.parametrize('name', ['coco', 'ochuman', 'crowdpose'])
def test_coco_people_to_labelme_and_back(name, tmp_path):
    js = need(MMPOSE/name/f'test_{name}.json')
    coco = json.loads(js.read_text())
    names = coco['categories'][0]['keypoints']
    # CrowdPose's category carries COCO's 17-point skeleton: pass its names (see test_crowdpose_category_loads_as_is)
    ds = KeypointDataset.from_coco(js, schema=names if name == 'crowdpose' else None)
    assert ds.schema.names == names
    expected = source_people(coco)
    assert len(ds) == len(coco['images']) and ds.n_objects == sum(len(k) for k, _ in expected.values())
    assert max(len(r.keypoints) for r in ds.records) >= 2
    for rec in ds.records:
        kps, boxes = expected[rec.image_id]
        np.testing.assert_allclose(rec.keypoints, kps, atol=1e-3)
        np.testing.assert_allclose(rec.boxes, boxes, atol=1e-3)

    files = ds.to_labelme(tmp_path)
    assert sorted(f.stem for f in files) == sorted(r.name for r in ds.records)
    back = by_name(KeypointDataset.from_labelme(tmp_path, schema=ds.schema))
    for rec in ds.records:
        keep = rec.keypoints[..., 2].max(1) > 0  # a person without a labelled keypoint is a bare rectangle in LabelMe
        np.testing.assert_allclose(back[rec.name].keypoints, rec.keypoints[keep], atol=1e-3)
        np.testing.assert_allclose(back[rec.name].boxes, rec.boxes[keep], atol=1e-3)
    assert sum(int((r.keypoints[..., 2] > 0).sum()) for r in back.values()) == sum(int((r.keypoints[..., 2] > 0).sum()) for r in ds.records)
    assert max(len(r.keypoints) for r in back.values()) >= 2

def test_coco_category_gives_names_flips_and_skeleton(tmp_path):
    js = need(MMPOSE/'coco'/'test_coco.json')
    cat = json.loads(js.read_text())['categories'][0]
    ds = KeypointDataset.from_coco(js)
    assert ds.schema.names == COCO17 and ds.schema.category == 'person'
    assert ds.schema.flip_pairs == [(1, 2), (3, 4), (5, 6), (7, 8), (9, 10), (11, 12), (13, 14), (15, 16)]
    assert ds.schema.skeleton == [(i-1, j-1) for i, j in cat['skeleton']]
    assert ds.images_table().objects.tolist() == [1, 3, 5, 5]  # 14 people, 2 of them without any keypoint
    image, target = ds[[r.name for r in ds.records].index('000000040083')]
    assert image.shape == (3, 333, 500) and target['keypoints'].shape == (3, 17, 3)
    assert (target['keypoints'][..., 2] > 0).sum(1).tolist() == [14, 15, 0]
    # LabelMe files written from it and read back without a schema discover the same names and pairs, in their own order
    ds.to_labelme(tmp_path)
    disc = KeypointDataset.from_labelme(tmp_path)
    assert sorted(disc.schema.names) == sorted(COCO17)
    assert {frozenset(disc.schema.names[i] for i in p) for p in disc.schema.flip_pairs} == {frozenset(COCO17[i] for i in p) for p in ds.schema.flip_pairs}
    order = [disc.schema.names.index(n) for n in COCO17]
    for rec in ds.records:
        keep = rec.keypoints[..., 2].max(1) > 0
        np.testing.assert_allclose(by_name(disc)[rec.name].keypoints[:, order], rec.keypoints[keep], atol=1e-3)

def test_coco_crowd_annotations_are_left_out(tmp_path):
    js = need(MMPOSE/'coco'/'test_coco.json')
    coco = json.loads(js.read_text())
    crowd = next(a for a in coco['annotations'] if a['id'] == 460541)  # a person with 15 keypoints in image 196141
    crowd['iscrowd'] = 1
    (tmp_path/'crowd.json').write_text(json.dumps(coco))
    ds = KeypointDataset.from_coco(tmp_path/'crowd.json', image_dir=js.parent)
    assert ds.n_objects == 13 and ds.images_table().objects.tolist() == [1, 3, 4, 5]
    crowd_xy = np.asarray(crowd['keypoints'], np.float32).reshape(-1, 3)[:, :2]
    assert not any(np.allclose(k[:, :2], crowd_xy) for r in ds.records for k in r.keypoints)

def test_crowdpose_category_loads_as_is():
    "CrowdPose's category carries COCO's skeleton (links to keypoints 15-17 of 14): they are dropped with a warning naming the file."
    with pytest.warns(UserWarning, match='test_crowdpose.json: skeleton links'):
        ds = KeypointDataset.from_coco(need(MMPOSE/'crowdpose'/'test_crowdpose.json'))
    assert len(ds.schema) == 14 and ds.n_objects == 5
    assert all(0 <= i < 14 and 0 <= j < 14 for i, j in ds.schema.skeleton)

def test_onehand10k_invalid_exif_orientation_loads():
    img = need(MMPOSE/'onehand10k'/'784.jpg')
    with Image.open(img) as im: assert im.getexif().get(0x0112) == 0  # an invalid Orientation: the image stays as stored
    ds = KeypointDataset.from_coco(MMPOSE/'onehand10k'/'test_onehand10k.json')
    i = [r.name for r in ds.records].index('784')
    image, target = ds[i]
    assert ds.records[i].size == (960, 540) and image.shape == (3, 960, 540)
    np.testing.assert_array_equal(as_uint8(image), pixels(img))
    assert (target['keypoints'][0, :, 2] > 0).sum() == 15 and len(ds.schema) == 21


# ## LabelMe's own examples: embedded images and shapes that are not points
def test_labelme_embedded_image_without_points(tmp_path):
    src = need(LABELME/'tutorial'/'apc2016_obj3.json')
    with pytest.raises(AnnotationError, match='pass a schema'): KeypointDataset.from_labelme(src)
    beside = KeypointDataset.from_labelme(src, schema=FACE)  # imagePath names the JSON itself: the .jpg beside it is found
    assert beside.records[0].image == src.with_suffix('.jpg')
    alone = tmp_path/src.name
    shutil.copy(src, alone)  # without the .jpg beside it, the embedded imageData is the image
    ds = KeypointDataset.from_labelme(alone, schema=FACE)
    assert isinstance(ds.records[0].image, bytes) and ds.records[0].size == (907, 1210)
    image, target = ds[0]
    assert image.shape == (3, 907, 1210) and target['boxes'].shape == (0, 4) and target['keypoints'].shape == (0, 3, 3)
    np.testing.assert_array_equal(as_uint8(image), pixels(src.with_suffix('.jpg')))
    np.testing.assert_array_equal(beside[0][0].numpy(), image.numpy())

def test_labelme_polygons_only_are_background_images():
    folder = need(LABELME/'instance_segmentation'/'data_annotated')
    ds = KeypointDataset.from_labelme(folder, schema=FACE)
    assert [r.name for r in ds.records] == ['2011_000003', '2011_000006', '2011_000025']
    assert [r.size for r in ds.records] == [(338, 500), (375, 500), (375, 500)]
    assert ds.overview()['background_images'] == 3 and ds.n_objects == 0
    image, target = ds[1]
    assert image.shape == (3, 375, 500) and target['labels'].shape == (0,) and target['keypoints'].shape == (0, 3, 3)

def test_labelme_primitives_only_the_point_is_a_keypoint():
    src = need(LABELME/'primitives'/'primitives.json')
    shapes = json.loads(src.read_text())['shapes']
    assert sorted(s['shape_type'] for s in shapes) == ['circle', 'line', 'linestrip', 'mask', 'point', 'polygon', 'rectangle', 'rectangle']
    ds = KeypointDataset.from_labelme(src)
    assert ds.schema.names == ['point'] and ds.n_objects == 1
    rec = ds.records[0]
    assert rec.size == (450, 560)
    np.testing.assert_allclose(rec.keypoints, [[[345, 174, 2]]])
    (x1, y1, x2, y2), = rec.boxes  # not inside any rectangle or polygon: a small box around the point, not a shape's box
    assert x1 < 345 < x2 and y1 < 174 < y2 and x2 - x1 < 20 and y2 - y1 < 20


# ## X-AnyLabeling: predicted COCO-17 points with scores and `visible: false`
def test_x_anylabeling_human_pose():
    src = need(REAL/'x-anylabeling'/'examples'/'estimation'/'pose_estimation'/'sources'/'human-pose.json')
    shapes = json.loads(src.read_text())['shapes']
    ds = KeypointDataset.from_labelme(src.parent, schema=COCO17)
    assert len(ds) == 1 and ds.n_objects == 1
    rec = ds.records[0]
    assert rec.size == (750, 500)
    kps = rec.keypoints[0]
    assert (kps[:, 2] == 2).sum() == 16  # `visible: false` on every shape is not keypoint visibility
    np.testing.assert_array_equal(kps[COCO17.index('right_ear')], [0, 0, 0])
    for s in shapes:
        if s['shape_type'] == 'point': np.testing.assert_allclose(kps[COCO17.index(s['label']), :2], s['points'][0])
    person = np.array(next(s for s in shapes if s['label'] == 'person')['points'])
    assert len(person) == 4  # X-AnyLabeling writes a rectangle's 4 corners
    np.testing.assert_allclose(rec.boxes[0], [*person.min(0), *person.max(0)], atol=1e-3)
    image, target = ds[0]
    assert image.shape == (3, 750, 500) and target['keypoints'].shape == (1, 17, 3)
    assert ds.schema.flip_pairs == [(1, 2), (3, 4), (5, 6), (7, 8), (9, 10), (11, 12), (13, 14), (15, 16)]

def test_x_anylabeling_lone_ear_turns_flipping_off():
    "Its picture labels `left_ear` and no `right_ear`: with the names read from the file, that ear has no partner, so nothing flips."
    src = need(REAL/'x-anylabeling'/'examples'/'estimation'/'pose_estimation'/'sources'/'human-pose.json')
    schema = KeypointDataset.from_labelme(src.parent).schema
    assert len(schema.flip_pairs) == 7 and schema.unpaired_sided == ['left_ear']
    assert KeypointSchema(COCO17).unpaired_sided == []


# ## mmpose's insects and zebras: the side glued to the end of the name
@pytest.mark.parametrize('name, n_pairs', [('fly', 14), ('locust', 15), ('zebra', 2)])
def test_sides_glued_to_names_pair(name, n_pairs):
    "`eyeL`/`eyeR`, `forelegR1`/`forelegL1`, `anttipL`/`anttipR`: every keypoint with a side finds its partner."
    schema = KeypointSchema(json.loads(need(MMPOSE/name/f'test_{name}.json').read_text())['categories'][0]['keypoints'])
    assert len(schema.flip_pairs) == n_pairs and schema.unpaired_sided == []
    for i, j in schema.flip_pairs: assert mirror_name(schema.names[i]) == schema.names[j]
    assert sum(mirror_name(n) is None for n in schema.names) == len(schema) - 2*n_pairs  # head, neck, thorax...

# ## Pillow: EXIF orientations and grayscale
def mean_diff(a, b)->float: return float(np.abs(a.astype(np.float64) - b.astype(np.float64)).mean())

def test_exif_rotated_and_grayscale_pictures_load_upright_rgb(tmp_path):
    upright = pixels(need(HOPPER/'hopper.jpg'))
    names = ['hopper', 'hopper_gray'] + [f'hopper_orientation_{n}' for n in range(2, 9)]
    for n in names: point(need(HOPPER/f'{n}.jpg'), json_path=tmp_path/f'{n}.json')
    ds = KeypointDataset.from_labelme(tmp_path)
    assert sorted(r.name for r in ds.records) == sorted(names)
    for i, rec in enumerate(ds.records):
        image, target = ds[i]
        assert image.shape == (3, 128, 128), rec.name
        np.testing.assert_allclose(target['keypoints'].numpy(), [[[64.5, 30.5, 2]]])  # LabelMe points are on the upright image
        if rec.name.startswith('hopper_orientation'):
            assert mean_diff(pixels(HOPPER/f'{rec.name}.jpg'), upright) > 40, rec.name  # as stored, far from upright
            assert mean_diff(as_uint8(image), upright) < 15, rec.name
    with Image.open(HOPPER/'hopper_gray.jpg') as im: gray = np.asarray(im); assert im.mode == 'L'
    rgb = as_uint8(ds[[r.name for r in ds.records].index('hopper_gray')][0])
    for c in range(3): np.testing.assert_array_equal(rgb[..., c], gray)

# What turns the upright picture into the stored one for each EXIF orientation (the inverse of `ImageOps.exif_transpose`).
STORE = {5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_90, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_270}

@pytest.mark.parametrize('orientation', [5, 6, 7, 8])
def test_exif_size_check_on_a_tall_picture(orientation, tmp_path):
    "Hopper is square, so a 96x128 crop is stored turned, with the real file's EXIF block: the file's size must be the upright one."
    with Image.open(need(HOPPER/f'hopper_orientation_{orientation}.jpg')) as im: exif = im.getexif()
    assert exif[0x0112] == orientation
    with Image.open(HOPPER/'hopper.jpg') as im: tall = im.convert('RGB').crop((0, 0, 96, 128))
    stored = tmp_path/'tall.jpg'
    tall.transpose(STORE[orientation]).save(stored, quality=95, exif=exif)
    with Image.open(stored) as im: assert im.size == (128, 96)  # stored wide, displayed tall
    ok = KeypointDataset.from_labelme(point(stored, size=(128, 96), json_path=tmp_path/'upright.json'))
    assert ok.records[0].size == (128, 96)
    assert mean_diff(as_uint8(ok[0][0]), np.asarray(tall)) < 5
    raw = point(stored, size=(96, 128), json_path=tmp_path/'raw.json')
    with pytest.raises(AnnotationError, match='EXIF') as e: KeypointDataset.from_labelme(raw)
    assert Path(e.value.file) == raw and '96x128' in str(e.value)
