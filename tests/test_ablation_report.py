"""The ablation's results file is written from the checkpoints themselves: each arm's figures per
seed, and the difference between the arms, as the checkpoints recorded them."""
import re

from tests.test_training_schedule import run, tiny_data  # noqa: F401  (a fixture)
from training import ablation


def test_report_shows_each_arms_figures_and_their_difference(tiny_data, tmp_path):  # noqa: F811
    with_ca = run(tmp_path / "with", "--max-epochs", "1")
    without = run(tmp_path / "without", "--max-epochs", "1", "--no-attention")
    out = tmp_path / "ablation.md"
    ablation.main(["--with-ca", str(tmp_path / "with" / "last.pt"), "--without-ca", str(tmp_path / "without" / "last.pt"),
                   "--note", "A test.", "--out", str(out)])
    text = out.read_text()
    assert "--no-attention" in text and "A test." in text

    def cells(name):
        line = next(line for line in text.splitlines() if line.startswith(f"| {name} |"))
        return [float(cell) for cell in re.findall(r"[-+]?\d\.\d{4}", line)]

    assert cells("with CA: last epoch FPR95")[0] == round(with_ca["state"]["history"][-1]["fpr95"], 4)
    assert cells("without CA: last epoch FPR95")[0] == round(without["state"]["history"][-1]["fpr95"], 4)
    difference = with_ca["state"]["history"][-1]["fpr95"] - without["state"]["history"][-1]["fpr95"]
    assert cells("difference, last epoch FPR95: with CA - without (negative: CA ahead)")[0] == round(difference, 4)
