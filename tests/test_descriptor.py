import json
import shutil

import numpy as np
import pytest
import torch

from plugin.core.descriptor import MODELS_DIR, DescriptorExtractor, extract_patches, resolve_device
from plugin.core.errors import RegistrationError


def test_patches_are_centred_on_keypoints():
    image = np.arange(100 * 120, dtype=np.float32).reshape(100, 120)
    patches = extract_patches(image, np.array([[50.0, 40.0], [2.0, 3.0]]), 8)
    assert patches.shape == (2, 8, 8)
    assert patches[0, 4, 4] == image[40, 50]
    assert patches[1, 4, 4] == image[3, 2] and patches[1, 0, 0] == 0.0  # outside the image reads 0


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="no GPU"))])
def test_describe_is_deterministic_and_batched(device):
    extractor = DescriptorExtractor(device=device, batch_size=16)
    rng = np.random.default_rng(0)
    image = rng.random((200, 200)).astype(np.float32)
    xy = rng.uniform(20, 180, (37, 2))
    first = extractor.describe(image, xy)
    assert first.shape == (37, 256)
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-4)
    np.testing.assert_allclose(extractor.describe(image, xy[:5]), first[:5], atol=1e-5)  # padding does not leak
    assert extractor.describe(image, np.zeros((0, 2))).shape == (0, 256)


def test_the_cpu_describes_in_the_traced_graphs_batches_and_a_gpu_out_of_memory_carries_on_in_them(monkeypatch):
    from plugin.core.descriptor import CPU_BATCH

    assert DescriptorExtractor(device="cpu").batch_size == CPU_BATCH
    rng = np.random.default_rng(1)
    image = rng.random((200, 200)).astype(np.float32)
    xy = rng.uniform(20, 180, (37, 2))
    expected = DescriptorExtractor(device="cpu").describe(image, xy)
    extractor = DescriptorExtractor(device="cpu", batch_size=256)  # as on a GPU
    seen = []
    describe = DescriptorExtractor._describe

    def out_of_memory_once(self, *args):
        seen.append(self.batch_size)
        if len(seen) == 1:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory")
        return describe(self, *args)

    monkeypatch.setattr(DescriptorExtractor, "_describe", out_of_memory_once)
    np.testing.assert_allclose(extractor.describe(image, xy), expected, atol=1e-5)
    assert seen == [256, CPU_BATCH]


def test_cuda_without_gpu_is_a_user_error():
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(RegistrationError, match="No CUDA GPU"):
        resolve_device("cuda")


def test_damaged_weights_are_refused(tmp_path):
    models = tmp_path / "models"
    shutil.copytree(MODELS_DIR, models)
    manifest = json.loads((models / "manifest.json").read_text())
    entry = manifest["models"][manifest["default"]]
    with open(models / entry["file"], "ab") as handle:
        handle.write(b"x")
    with pytest.raises(RegistrationError, match="missing or damaged"):
        DescriptorExtractor(models_dir=str(models))
    with pytest.raises(RegistrationError, match="no descriptor model named"):
        DescriptorExtractor(model="nope", models_dir=str(models))


def test_a_checkpoint_file_describes_as_the_installed_model_does():
    manifest = json.loads(open(f"{MODELS_DIR}/manifest.json").read())
    path = f"{MODELS_DIR}/{manifest['models'][manifest['default']]['file']}"
    rng = np.random.default_rng(1)
    image = rng.random((120, 120)).astype(np.float32)
    xy = rng.uniform(10, 110, (9, 2))
    from_file = DescriptorExtractor(path, "cpu", checkpoint=torch.load(path, map_location="cpu", weights_only=True))
    assert from_file.model_name == path
    np.testing.assert_allclose(from_file.describe(image, xy), DescriptorExtractor(device="cpu").describe(image, xy), atol=1e-6)
