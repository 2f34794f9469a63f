import pytest
import torch

from plugin.core.network import DFFCANet


@pytest.mark.parametrize("patch_size", [32, 64])
def test_unit_descriptors_of_256_dimensions(patch_size):
    network = DFFCANet(patch_size=patch_size).eval()
    with torch.no_grad():
        out = network(torch.rand(5, 1, patch_size, patch_size))
    assert out.shape == (5, 256)
    assert torch.allclose(out.norm(dim=1), torch.ones(5), atol=1e-5)


def test_table_1_backbone_and_attention_switch():
    with_attention = DFFCANet(patch_size=64)
    without = DFFCANet(patch_size=64, coordinate_attention=False)
    blocks = [m for m in with_attention.backbone if m.__class__.__name__ == "InvertedResidual"]
    assert len(blocks) == 1 + 2 + 3 + 4 + 3 + 3 + 1
    assert with_attention.backbone[0][0].out_channels == 32 and with_attention.backbone[0][0].stride == (2, 2)
    assert blocks[-1].block[-2].out_channels == 320
    extra = sum(p.numel() for p in with_attention.parameters()) - sum(p.numel() for p in without.parameters())
    assert extra > 0


def test_invariant_to_linear_intensity_scale():
    network = DFFCANet(patch_size=64).eval()
    patches = torch.rand(3, 1, 64, 64)
    with torch.no_grad():
        assert torch.allclose(network(patches), network(patches * 40 + 3), atol=1e-4)


def test_patch_size_must_fit_the_stride():
    with pytest.raises(ValueError, match="multiple of 32"):
        DFFCANet(patch_size=48)
