"""Training samples and loss of the dense feature network: the label says where the optical
template's ground lies in the SAR crop, under every augmentation that moves both images; the
loss prefers scores that peak there. Synthetic pairs with known offsets (seeded)."""
import numpy as np
import pytest
import torch

from tests.test_structural import texture
from training.feature_samples import CROP_PX, SEARCH_PX, TEMPLATE_PX, LabelledPair, _turn, sample
from training.loss import template_matching_loss, template_scores


def best_placement(optical_crop, sar_crop):
    """(x, y) in the score map where the central template fits the SAR crop best (least SSD)."""
    margin = (CROP_PX - TEMPLATE_PX) // 2
    template = optical_crop[margin : margin + TEMPLATE_PX, margin : margin + TEMPLATE_PX]
    scores = np.array([[np.square(sar_crop[margin + y : margin + y + TEMPLATE_PX, margin + x : margin + x + TEMPLATE_PX] - template).sum()
                        for x in range(2 * SEARCH_PX + 1)] for y in range(2 * SEARCH_PX + 1)])
    y, x = np.unravel_index(np.argmin(scores), scores.shape)
    return np.array([x, y])


@pytest.mark.parametrize("seed", range(6))
def test_the_label_is_where_the_ground_is_under_augmentation(seed):
    optical = texture((320, 320), seed)
    offset = np.array([3.0, -2.0])  # SAR - optical: optical p is at p + offset in the SAR
    sar = np.roll(optical, (-2, 3), axis=(0, 1))
    pair = LabelledPair("test", optical, sar, np.array([[160.0, 150.0]]), offset[None])
    rng = np.random.default_rng(seed)
    for _ in range(5):
        optical_crop, sar_crop, label = sample(pair, rng, augment=False)
        assert optical_crop.shape == (CROP_PX, CROP_PX) and sar_crop.shape == (CROP_PX + 2 * SEARCH_PX,) * 2
        if label[2] == 1.0:  # centred on the keypoint, whose offset is known
            np.testing.assert_array_equal(best_placement(optical_crop, sar_crop), np.rint(label[:2]))


@pytest.mark.parametrize("turns", range(4))
@pytest.mark.parametrize("flip", [False, True])
def test_displacements_follow_turns_and_flips(turns, flip):
    here, there = np.zeros((50, 50)), np.zeros((50, 50))
    here[20, 10], there[20 - 4, 10 + 7] = 1, 1  # displacement (+7, -4)
    moved = [np.rot90(a, turns)[:, ::-1] if flip else np.rot90(a, turns) for a in (here, there)]
    (y0, x0), (y1, x1) = (np.unravel_index(np.argmax(a), a.shape) for a in moved)
    np.testing.assert_array_equal(_turn(np.array([7, -4]), turns, flip), [x1 - x0, y1 - y0])


def test_augmented_labels_still_find_the_ground():
    optical = texture((320, 320), 11)
    sar = np.roll(optical, (-2, 3), axis=(0, 1))  # offset (+3, -2)
    pair = LabelledPair("test", optical, sar, np.array([[160.0, 150.0]]), np.array([[3.0, -2.0]]))
    rng = np.random.default_rng(3)
    errors = []
    for _ in range(40):
        optical_crop, sar_crop, label = sample(pair, rng, augment=True)
        if label[2] == 1.0:  # speckle and radiometry change the SAR, so compare contrast-normalised crops
            found = best_placement((optical_crop - optical_crop.mean()) / optical_crop.std(), (sar_crop - sar_crop.mean()) / sar_crop.std())
            errors.append(np.hypot(*(found - label[:2])))
    assert len(errors) >= 20 and np.median(errors) <= 1.0


def test_template_scores_are_the_mean_correlation_of_unit_features():
    rng = np.random.default_rng(0)
    optical = torch.nn.functional.normalize(torch.randn(2, 4, 20, 20), dim=1)
    sar = torch.nn.functional.normalize(torch.randn(2, 4, 26, 26), dim=1)
    scores = template_scores(optical, sar, 12)
    assert scores.shape == (2, 7, 7)
    x, y = 5, 2
    direct = (optical[1, :, 4:16, 4:16] * sar[1, :, 4 + y : 16 + y, 4 + x : 16 + x]).sum() / 144
    assert torch.isclose(scores[1, y, x], direct, atol=1e-5)
    same = template_scores(optical, torch.nn.functional.pad(optical, (3, 3, 3, 3)), 12)
    assert torch.isclose(same[0, 3, 3], torch.tensor(1.0), atol=1e-5)  # a template fits itself perfectly


def test_the_loss_prefers_a_peak_at_the_label():
    labels = torch.tensor([[4.0, 2.0, 1.0]])
    right, wrong = torch.zeros(1, 9, 9), torch.zeros(1, 9, 9)
    right[0, 2, 4], wrong[0, 6, 1] = 1.0, 1.0
    temperature = torch.tensor(10.0)
    assert template_matching_loss(right, labels, temperature) < template_matching_loss(wrong, labels, temperature)
