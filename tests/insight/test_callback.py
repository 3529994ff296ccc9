"""HealthCallback inside Trainer.fit: recordings, TensorBoard tags, health.json, figure and section."""
import json

import pytest

import deepglass
from deepglass import nn
from deepglass.insight.callback import HealthCallback
from deepglass.train import Trainer


def _loader():
    from deepglass.data import DataLoader, Digits, Subset

    return DataLoader(Subset(Digits(train=True), range(192)), batch_size=32, shuffle=True)


def test_callback_in_trainer(tmp_path):
    from deepglass.models import digits_cnn

    deepglass.manual_seed(0)
    model = digits_cnn()
    cb = HealthCallback("full", every=4)
    opt = deepglass.optim.Adam(model.parameters(), lr=3e-3)
    trainer = Trainer(model, nn.CrossEntropyLoss(), opt, callbacks=[cb], out_dir=tmp_path, progress=False,
                      verbose=False)
    trainer.fit(_loader(), epochs=2)
    mon = cb.monitor
    assert mon.steps == [0, 4, 8]                    # 12 steps, recorded every 4
    assert mon._handles == []                       # hooks removed at the end
    data = json.loads((tmp_path / "health.json").read_text())
    assert data["every"] == 4 and data["findings"] == [] and data["layers"] == mon.layers
    assert (tmp_path / "figures" / "health.png").stat().st_size > 1000
    assert cb.markdown.startswith("## Training health") and "figures/health.png" in cb.markdown
    scalars, histograms = _event_tags(tmp_path / "tensorboard")
    first = mon.layers[0]
    assert f"health/{first}/grad_norm" in scalars and f"health/{first}/update_ratio" in scalars
    assert f"health/{first}/grad" in histograms


def _event_tags(logdir):
    """Scalar and histogram tags of the TFRecord event files (read with tensorboardX's protobuf)."""
    import struct

    from tensorboardX.proto import event_pb2

    scalars, histograms = set(), set()
    for path in logdir.iterdir():
        data = path.read_bytes()
        i = 0
        while i < len(data):
            (n,) = struct.unpack("<Q", data[i:i + 8])
            event = event_pb2.Event.FromString(data[i + 12:i + 12 + n])
            i += 12 + n + 4
            for v in event.summary.value:
                (histograms if v.HasField("histo") else scalars).add(v.tag)
    return scalars, histograms


def test_callback_levels():
    assert HealthCallback().every == 50 and not HealthCallback().histograms
    assert HealthCallback("full").every == 10 and HealthCallback("full").histograms
    with pytest.raises(ValueError, match="insight level"):
        HealthCallback("verbose")


def test_finish_run_report(tmp_path):
    from deepglass.insight.callback import finish_run_report

    run = tmp_path / "run"
    run.mkdir()
    original = "# Run report: run\n\n## Diagnosis\n\nfine.\n\n## Configuration\n\n| key | value |\n|---|---|\n| a | b |\n"
    (run / "report.md").write_text(original)
    cb = HealthCallback()
    cb.markdown = "## Training health\n\n- No alarm.\n"
    page = finish_run_report(run, cb)
    text = (run / "report.md").read_text()
    assert text.index("## Diagnosis") < text.index("## Training health") < text.index("## Configuration")
    assert text.replace("## Training health\n\n- No alarm.\n\n", "") == original
    cb.markdown = "## Training health\n\n- Again.\n"
    finish_run_report(run, cb)                       # a second time (a resumed run): replaced, not repeated
    text = (run / "report.md").read_text()
    assert text.count("## Training health") == 1 and "- Again." in text and "- No alarm." not in text
    assert "<h2>Training health</h2>" in open(page).read()
    finish_run_report(run, None)                     # --insight off: the HTML report only
    assert (run / "report.md").read_text() == text
    (run / "report.md").write_text("# R\n")         # no Configuration heading: appended at the end
    finish_run_report(run, cb)
    assert (run / "report.md").read_text() == "# R\n\n## Training health\n\n- Again.\n\n"
