#!/usr/bin/env python3
"""Train octet's small CNNs with PyTorch, export them to ONNX, quantize them
with ONNX Runtime (QDQ), and score every file with ONNX Runtime on the 10,000
test images. Writes a provenance JSON next to the models.

Models (issue 15 item 9): resnet-mnist, mobilenet-mnist, squeezenet-mnist
(MNIST) and senet-fashion (Fashion-MNIST). QDQ models (issue 11 item 5) for
those four and for octet's LeNet (models/lenet.onnx, `npx octet export --onnx`).

Data: IDX files, gzipped, read with numpy (no torchvision):
  <data>/mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz
  <data>/fashion/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz
Pixels are scaled to [0, 1] (x / 255), no mean subtraction, as octet does.

Usage (as run for the committed files):
  python3 models/train_cnns.py --data models/.data --out /tmp/cnn --lenet models/lenet.onnx
  python3 models/train_cnns.py --smoke ...   # 1 epoch on 2,048 images: checks every step quickly
"""
import argparse
import contextlib
import gzip
import hashlib
import inspect
import io
import json
import os
import platform
import sys
import tarfile
import time
import traceback

os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OPSET = 17
DYNAMO_OPSET = 18


# ----------------------------------------------------------------------------- data

def read_idx_gz(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic = int.from_bytes(raw[0:4], "big")
    ndim = magic & 0xFF
    if (magic >> 8) != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file (magic {magic:#x})")
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path}: {data.size} values, header says {dims}")
    return data.reshape(dims)


def load_set(folder):
    out = {}
    for split, prefix in (("train", "train"), ("test", "t10k")):
        x = read_idx_gz(os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz"))
        y = read_idx_gz(os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz"))
        assert x.shape[0] == y.shape[0] and x.shape[1:] == (28, 28)
        out[split] = ((x.astype(np.float32) / 255.0).reshape(-1, 1, 28, 28), y.astype(np.int64))
    return out


# ----------------------------------------------------------------------------- models

def conv_bn(cin, cout, k, stride=1, groups=1, act=None):
    layers = [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]
    if act is not None:
        layers.append(act())
    return nn.Sequential(*layers)


class BasicBlock(nn.Module):
    """conv3x3-BN-ReLU-conv3x3-BN, + shortcut (identity, or 1x1 conv + BN when the shape changes), ReLU."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = conv_bn(cin, cout, 3, stride, act=nn.ReLU)
        self.conv2 = conv_bn(cout, cout, 3, 1)
        self.shortcut = conv_bn(cin, cout, 1, stride) if (stride != 1 or cin != cout) else nn.Identity()

    def forward(self, x):
        return F.relu(self.conv2(self.conv1(x)) + self.shortcut(x))


class ResNetMnist(nn.Module):
    ARCH = ("stem conv3x3 1->16 s2 + BN + ReLU (14x14); basic block 16->16 (identity shortcut); "
            "basic block 16->32 s2 (1x1 conv + BN projection shortcut, 7x7); GlobalAveragePool; Flatten; Linear 32->10")

    def __init__(self):
        super().__init__()
        self.stem = conv_bn(1, 16, 3, 2, act=nn.ReLU)
        self.block1 = BasicBlock(16, 16, 1)
        self.block2 = BasicBlock(16, 32, 2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = self.block2(self.block1(self.stem(x)))
        return self.fc(torch.flatten(self.pool(x), 1))


class InvertedResidual(nn.Module):
    """1x1 expand + BN + ReLU6, 3x3 depthwise (groups = channels, out = mult x channels) + BN + ReLU6,
    1x1 project + BN, + input when the shapes match."""

    def __init__(self, cin, cout, expand, stride, dw_mult=1):
        super().__init__()
        hid = cin * expand
        self.expand = conv_bn(cin, hid, 1, act=nn.ReLU6)
        self.dw = conv_bn(hid, hid * dw_mult, 3, stride, groups=hid, act=nn.ReLU6)
        self.project = conv_bn(hid * dw_mult, cout, 1)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.project(self.dw(self.expand(x)))
        return x + y if self.residual else y


class MobileNetMnist(nn.Module):
    ARCH = ("stem conv3x3 1->16 s2 + BN + ReLU6 (14x14); IR 16->16 (t=4, residual); IR 16->24 s2 (t=3, 7x7); "
            "IR 24->24 (t=2, depthwise channel multiplier 2: groups=48, 48->96; residual); "
            "1x1 conv 24->64 + BN + ReLU6; GlobalAveragePool; Flatten; Linear 64->10")

    def __init__(self):
        super().__init__()
        self.stem = conv_bn(1, 16, 3, 2, act=nn.ReLU6)
        self.b1 = InvertedResidual(16, 16, 4, 1)
        self.b2 = InvertedResidual(16, 24, 3, 2)
        self.b3 = InvertedResidual(24, 24, 2, 1, dw_mult=2)
        self.head = conv_bn(24, 64, 1, act=nn.ReLU6)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.head(self.b3(self.b2(self.b1(self.stem(x)))))
        return self.fc(torch.flatten(self.pool(x), 1))


class Fire(nn.Module):
    def __init__(self, cin, squeeze, e1, e3):
        super().__init__()
        self.squeeze = nn.Conv2d(cin, squeeze, 1)
        self.expand1 = nn.Conv2d(squeeze, e1, 1)
        self.expand3 = nn.Conv2d(squeeze, e3, 3, padding=1)

    def forward(self, x):
        s = F.relu(self.squeeze(x))
        return torch.cat([F.relu(self.expand1(s)), F.relu(self.expand3(s))], 1)


class SqueezeNetMnist(nn.Module):
    ARCH = ("conv3x3 1->32 + ReLU (28x28); MaxPool 3/2 ceil (14x14); Fire(32: s8, e16+16); Fire(32: s8, e16+16); "
            "MaxPool 3/2 ceil (7x7); Fire(32: s16, e32+32); Fire(64: s16, e32+32); "
            "conv1x1 64->10 (no ReLU after it); GlobalAveragePool; Flatten. No BatchNorm")

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.pool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.fire2 = Fire(32, 8, 16, 16)
        self.fire3 = Fire(32, 8, 16, 16)
        self.pool2 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.fire4 = Fire(32, 16, 32, 32)
        self.fire5 = Fire(64, 16, 32, 32)
        self.classifier = nn.Conv2d(64, 10, 1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")
                nn.init.zeros_(m.bias)
        nn.init.normal_(self.classifier.weight, std=0.01)

    def forward(self, x):
        x = self.pool1(F.relu(self.conv1(x)))
        x = self.pool2(self.fire3(self.fire2(x)))
        x = self.fire5(self.fire4(x))
        return torch.flatten(self.pool(self.classifier(x)), 1)


class SqueezeExcite(nn.Module):
    """GlobalAveragePool -> 1x1 conv reduce -> ReLU -> 1x1 conv expand -> gate -> Mul with the input ([N,C,1,1] x [N,C,H,W])."""

    def __init__(self, c, reduce, gate):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.reduce = nn.Conv2d(c, c // reduce, 1)
        self.expand = nn.Conv2d(c // reduce, c, 1)
        self.gate = gate()

    def forward(self, x):
        return x * self.gate(self.expand(F.relu(self.reduce(self.pool(x)))))


class SENetFashion(nn.Module):
    ARCH = ("conv3x3 1->16 + BN + HardSwish (28x28), SE(16, r4, Sigmoid); conv3x3 16->24 s2 + BN + HardSwish (14x14), "
            "SE(24, r4, Sigmoid); conv3x3 24->48 s2 + BN + HardSwish (7x7), SE(48, r4, HardSigmoid); "
            "conv1x1 48->96 + BN + HardSwish; GlobalAveragePool; Flatten; Linear 96->10")

    def __init__(self):
        super().__init__()
        self.c1 = conv_bn(1, 16, 3, 1, act=nn.Hardswish)
        self.se1 = SqueezeExcite(16, 4, nn.Sigmoid)
        self.c2 = conv_bn(16, 24, 3, 2, act=nn.Hardswish)
        self.se2 = SqueezeExcite(24, 4, nn.Sigmoid)
        self.c3 = conv_bn(24, 48, 3, 2, act=nn.Hardswish)
        self.se3 = SqueezeExcite(48, 4, nn.Hardsigmoid)
        self.head = conv_bn(48, 96, 1, act=nn.Hardswish)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(96, 10)

    def forward(self, x):
        x = self.se1(self.c1(x))
        x = self.se2(self.c2(x))
        x = self.se3(self.c3(x))
        return self.fc(torch.flatten(self.pool(self.head(x)), 1))


# name -> (class, dataset, epochs, peak lr, weight decay, augmentation)
MODELS = {
    "resnet-mnist": (ResNetMnist, "mnist", 15, 4e-3, 5e-4, "shift"),
    "mobilenet-mnist": (MobileNetMnist, "mnist", 15, 4e-3, 5e-4, "shift"),
    "squeezenet-mnist": (SqueezeNetMnist, "mnist", 20, 2e-3, 5e-4, "shift"),
    "senet-fashion": (SENetFashion, "fashion", 30, 4e-3, 5e-4, "shift+hflip"),
}
BATCH = 128
AUG_DESC = {
    "shift": "random translation of up to 2 pixels in x and y (zero padding), per image",
    "shift+hflip": "random translation of up to 2 pixels in x and y (zero padding) and horizontal flip with p=0.5, per image",
}


def count_params(model):
    return sum(p.numel() for p in model.parameters())


def count_macs(model, device):
    """Multiply-accumulates per image of the Conv2d and Linear layers (BatchNorm folded; element-wise ops,
    pooling and the SE Mul not counted)."""
    total = [0]

    def hook(m, inp, out):
        if isinstance(m, nn.Conv2d):
            total[0] += out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
        elif isinstance(m, nn.Linear):
            total[0] += out.numel() * m.in_features

    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    was = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 1, 28, 28, device=device))
    model.train(was)
    for h in hs:
        h.remove()
    return total[0]


# ----------------------------------------------------------------------------- training

def augment(x, gen, kind):
    n = x.shape[0]
    xp = F.pad(x, (2, 2, 2, 2))
    oy = torch.randint(0, 5, (n,), device=x.device, generator=gen)
    ox = torch.randint(0, 5, (n,), device=x.device, generator=gen)
    ar = torch.arange(28, device=x.device)
    rows = (oy[:, None] + ar[None, :])[:, :, None]
    cols = (ox[:, None] + ar[None, :])[:, None, :]
    if "hflip" in kind:
        flip = torch.rand(n, device=x.device, generator=gen) < 0.5
        cols = torch.where(flip[:, None, None], cols.flip(2), cols)
    b = torch.arange(n, device=x.device)[:, None, None]
    return xp[b, 0, rows, cols].unsqueeze(1)


def evaluate(model, x, y, batch=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, x.shape[0], batch):
            correct += (model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
    return correct / x.shape[0]


def train(name, model, data, epochs, lr, wd, aug, seed, device, log):
    xtr, ytr = data["train"]
    xte, yte = data["test"]
    gen = torch.Generator(device=device)
    gen.manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=wd)
    steps_per_epoch = (xtr.shape[0] + BATCH - 1) // BATCH
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, epochs=epochs, steps_per_epoch=steps_per_epoch,
                                                pct_start=0.25)
    history = []
    t0 = time.time()
    for ep in range(1, epochs + 1):
        model.train()
        te = time.time()
        perm = torch.randperm(xtr.shape[0], device=device, generator=gen)
        loss_sum = torch.zeros((), device=device)
        for i in range(steps_per_epoch):
            idx = perm[i * BATCH:(i + 1) * BATCH]
            xb = augment(xtr[idx], gen, aug)
            loss = F.cross_entropy(model(xb), ytr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.detach()
        mean_loss = loss_sum.item() / steps_per_epoch
        acc = evaluate(model, xte, yte)
        history.append({"epoch": ep, "mean_loss": round(mean_loss, 5), "test_top1": acc,
                        "seconds": round(time.time() - te, 2)})
        log(f"[{name}] epoch {ep}/{epochs}: loss {mean_loss:.4f}, test top-1 {acc:.4f}, {time.time() - te:.1f} s")
    return history, time.time() - t0


# ----------------------------------------------------------------------------- ONNX

def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def op_histogram(path):
    import onnx
    m = onnx.load(path, load_external_data=False)
    hist = {}
    for n in m.graph.node:
        hist[n.op_type] = hist.get(n.op_type, 0) + 1
    return {"opset": {(o.domain or "ai.onnx"): o.version for o in m.opset_import},
            "inputs": [(i.name, [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim]) for i in m.graph.input
                       if i.name not in {t.name for t in m.graph.initializer}],
            "outputs": [o.name for o in m.graph.output],
            "ops": dict(sorted(hist.items()))}


def has_dynamo_flag():
    try:
        return "dynamo" in inspect.signature(torch.onnx.export).parameters
    except (TypeError, ValueError):
        return False


def export_torchscript(model, path, training=None):
    model.eval()
    x = torch.zeros(2, 1, 28, 28)
    kw = dict(export_params=True, opset_version=OPSET, do_constant_folding=True, input_names=["input"],
              output_names=["output"], dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})
    if training is not None:
        kw["training"] = training
    if has_dynamo_flag():
        kw["dynamo"] = False
    with warnings_captured() as w:
        torch.onnx.export(model, (x,), path, **kw)
    return {"exporter": "torchscript", "opset": OPSET, "dynamo_flag_passed": has_dynamo_flag(),
            "training": str(training) if training is not None else "default (EVAL)", "warnings": w}


def export_dynamo(model, path):
    model.eval()
    x = torch.zeros(2, 1, 28, 28)
    attempts = []
    for how in ("dynamic_shapes", "dynamic_axes"):
        kw = dict(dynamo=True, opset_version=DYNAMO_OPSET, input_names=["input"], output_names=["output"],
                  external_data=True)
        if how == "dynamic_shapes":
            kw["dynamic_shapes"] = ({0: torch.export.Dim("N")},)
        else:
            kw["dynamic_axes"] = {"input": {0: "N"}, "output": {0: "N"}}
        try:
            with warnings_captured() as w:
                torch.onnx.export(model, (x,), path, **kw)
            return {"exporter": "dynamo", "opset": DYNAMO_OPSET, "batch_axis_via": how, "external_data": True,
                    "earlier_attempts": attempts, "warnings": w}
        except Exception as e:  # noqa: BLE001
            attempts.append(f"{how}: {type(e).__name__}: {str(e)[:2000]}")
            for leftover in (path, path + ".data"):
                if os.path.exists(leftover):
                    os.remove(leftover)
    raise RuntimeError("dynamo export failed: " + " | ".join(attempts))


@contextlib.contextmanager
def warnings_captured():
    import warnings
    out = []
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        yield out
    seen = set()
    for r in rec:
        s = f"{r.category.__name__}: {str(r.message)[:300]}"
        if s not in seen:
            seen.add(s)
            out.append(s)


def ort_session(path, threads):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def ort_score(path, x, y, threads, batch=500, ref_logits=None):
    sess = ort_session(path, threads)
    inp = sess.get_inputs()[0]
    fixed = inp.shape[0] if isinstance(inp.shape[0], int) else None
    bs = fixed or batch
    outs = []
    for i in range(0, x.shape[0], bs):
        outs.append(sess.run(None, {inp.name: x[i:i + bs]})[0])
    logits = np.concatenate(outs)
    res = {"top1": float((logits.argmax(1) == y).mean()), "input": inp.name, "batch": bs}
    if ref_logits is not None:
        res["max_abs_diff_vs_pytorch"] = float(np.abs(logits - ref_logits).max())
        res["argmax_agreement_vs_pytorch"] = float((logits.argmax(1) == ref_logits.argmax(1)).mean())
    return res


class CalibReader:
    """ONNX Runtime CalibrationDataReader over the first calibration images, in batches."""

    def __init__(self, input_name, x, batch):
        self.input_name, self.x, self.batch, self.i = input_name, x, batch, 0

    def get_next(self):
        if self.i >= self.x.shape[0]:
            return None
        b = self.x[self.i:self.i + self.batch]
        self.i += self.batch
        return {self.input_name: b}

    def rewind(self):
        self.i = 0


def quantize_all(name, fp32_path, outdir, calib_x, test_x, test_y, threads, log):
    """Two QDQ forms with ONNX Runtime's quantize_static; returns the provenance entry."""
    from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType, quantize_static

    class Reader(CalibReader, CalibrationDataReader):
        pass

    rec = {}
    pre_path = os.path.join(outdir, f".{name}-pre.onnx")
    try:
        try:
            from onnxruntime.quantization.shape_inference import quant_pre_process
        except ImportError:
            from onnxruntime.quantization import quant_pre_process
        quant_pre_process(fp32_path, pre_path)
        src = pre_path
        rec["quant_pre_process"] = "ran (onnxruntime.quantization.shape_inference.quant_pre_process, defaults)"
    except Exception as e:  # noqa: BLE001
        src = fp32_path
        rec["quant_pre_process"] = f"failed, quantized the FP32 file directly: {type(e).__name__}: {str(e)[:500]}"
        log(f"[{name}] quant_pre_process failed: {e}")
    input_name = ort_session(src, threads).get_inputs()[0].name
    forms = {
        "qdq-u8": dict(activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, per_channel=False,
                       extra_options={}),
        "qdq-s8": dict(activation_type=QuantType.QInt8, weight_type=QuantType.QInt8, per_channel=True,
                       extra_options={"ActivationSymmetric": True, "WeightSymmetric": True}),
    }
    for form, kw in forms.items():
        out = os.path.join(outdir, f"{name}-{form}.onnx")
        t = time.time()
        try:
            with warnings_captured() as w:
                quantize_static(src, out, Reader(input_name, calib_x, 50), quant_format=QuantFormat.QDQ,
                                calibrate_method=CalibrationMethod.MinMax, **kw)
            score = ort_score(out, test_x, test_y, threads)
            rec[form] = {"file": os.path.basename(out), "quant_format": "QDQ",
                         "activation_type": kw["activation_type"].name, "weight_type": kw["weight_type"].name,
                         "per_channel": kw["per_channel"], "extra_options": kw["extra_options"],
                         "calibrate_method": "MinMax", "calibration_images": int(calib_x.shape[0]),
                         "calibration_batch": 50, "ort_top1": score["top1"], "seconds": round(time.time() - t, 2),
                         "onnx": op_histogram(out), "bytes": os.path.getsize(out), "sha256": sha256(out),
                         "warnings": w[:10]}
            log(f"[{name}] {form}: ORT top-1 {score['top1']:.4f}")
        except Exception as e:  # noqa: BLE001
            rec[form] = {"error": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()[-3000:]}
            log(f"[{name}] {form} FAILED: {e}")
    if os.path.exists(pre_path):
        os.remove(pre_path)
    return rec


# ----------------------------------------------------------------------------- main

def versions():
    v = {"python": platform.python_version(), "numpy": np.__version__, "torch": torch.__version__,
         "cuda": torch.version.cuda, "cudnn": torch.backends.cudnn.version() if torch.cuda.is_available() else None,
         "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None, "platform": platform.platform()}
    for mod in ("onnx", "onnxruntime", "onnxscript"):
        try:
            v[mod] = __import__(mod).__version__
        except Exception as e:  # noqa: BLE001
            v[mod] = f"unavailable: {type(e).__name__}"
    return v


def pack(outdir, tar_path):
    if not tar_path:
        return
    tmp = tar_path + ".tmp"
    with tarfile.open(tmp, "w:gz") as t:
        for f in sorted(os.listdir(outdir)):
            if not f.startswith("."):
                t.add(os.path.join(outdir, f), arcname=f)
    os.replace(tmp, tar_path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="models/.data")
    ap.add_argument("--out", default="/tmp/cnn")
    ap.add_argument("--tar", default="", help="rewrite this .tar.gz of --out after each model")
    ap.add_argument("--lenet", default="models/lenet.onnx", help="octet's LeNet ONNX to quantize ('' to skip)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--models", default=",".join(MODELS), help="models to train ('' for none)")
    ap.add_argument("--merge", default="", help="folder of per-model output folders (one process each) to merge into --out")
    ap.add_argument("--smoke", action="store_true", help="1 epoch on 2,048 training images, 1,000 test images")
    ap.add_argument("--no-ort", action="store_true", help="skip ONNX Runtime (local checks without it)")
    ap.add_argument("--dynamo-model", default="resnet-mnist")
    ap.add_argument("--threads", type=int, default=4, help="CPU threads for PyTorch CPU work and ONNX Runtime")
    args = ap.parse_args()

    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(args.threads)
    log_lines = []

    def log(s):
        print(s, flush=True)
        log_lines.append(s)

    t_start = time.time()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    torch.use_deterministic_algorithms(True, warn_only=True)
    ver = versions()
    log(f"versions: {json.dumps(ver)}")

    sets = {"mnist": load_set(os.path.join(args.data, "mnist")), "fashion": load_set(os.path.join(args.data, "fashion"))}
    prov = {"script": "models/train_cnns.py", "command": " ".join(["python3"] + sys.argv), "smoke": args.smoke,
            "versions": ver, "device": device, "seed": args.seed, "batch": BATCH,
            "pixels": "x / 255 in [0, 1], no mean subtraction, NCHW [N,1,28,28] float32",
            "deterministic": "torch.manual_seed(seed) before each model, a seeded generator for order and augmentation, "
                             "cudnn.deterministic=True, benchmark=False, use_deterministic_algorithms(warn_only=True)",
            "model_output": "logits named 'output' (no softmax in these four models); octet's LeNet ends with softmax 'prob'",
            "macs_counted": "Conv and Gemm multiply-accumulates per image (BatchNorm folded); pooling, Add, Mul, activations not counted",
            "calibration": "first 500 training images of the model's data set (unaugmented), MinMax, batches of 50",
            "models": {}}

    def write_prov():
        prov["total_seconds"] = round(time.time() - t_start, 1)
        with open(os.path.join(args.out, "provenance.json"), "w") as f:
            json.dump(prov, f, indent=1)
        with open(os.path.join(args.out, "train_log.txt"), "w") as f:
            f.write("\n".join(log_lines) + "\n")
        pack(args.out, args.tar)

    if args.merge:
        import shutil
        prov["parts"] = {}
        for part in sorted(os.listdir(args.merge)):
            d = os.path.join(args.merge, part)
            if not os.path.exists(os.path.join(d, "provenance.json")):
                log(f"merge: {part} has no provenance.json (its process failed?); skipped")
                prov["parts"][part] = "missing"
                continue
            with open(os.path.join(d, "provenance.json")) as f:
                pp = json.load(f)
            prov["parts"][part] = {"command": pp["command"], "total_seconds": pp["total_seconds"]}
            prov["models"].update(pp["models"])
            for fn in os.listdir(d):
                if fn == "provenance.json" or fn.startswith("."):
                    continue
                dst = f"train_log-{part}.txt" if fn == "train_log.txt" else fn
                shutil.copy(os.path.join(d, fn), os.path.join(args.out, dst))
            log(f"merged {part}: {sorted(pp['models'])}")

    for name in [m for m in args.models.split(",") if m]:
        cls, dset, epochs, lr, wd, aug = MODELS[name]
        (xtr, ytr), (xte, yte) = sets[dset]["train"], sets[dset]["test"]
        if args.smoke:
            epochs, xtr, ytr, xte, yte = 1, xtr[:2048], ytr[:2048], xte[:1000], yte[:1000]
        torch.manual_seed(args.seed)
        np.random.seed(args.seed)
        model = cls().to(device)
        rec = {"architecture": cls.ARCH, "dataset": "MNIST" if dset == "mnist" else "Fashion-MNIST",
               "params": count_params(model), "macs_per_image": count_macs(model, device), "epochs": epochs,
               "seed": args.seed, "batch": BATCH,
               "optimizer": f"AdamW(lr peak {lr}, weight_decay {wd}, betas (0.9, 0.999))",
               "lr_schedule": "OneCycleLR(pct_start 0.25, cosine anneal), stepped every iteration",
               "loss": "cross entropy", "augmentation": AUG_DESC[aug],
               "train_images": int(xtr.shape[0]), "test_images": int(xte.shape[0]), "device": device}
        log(f"[{name}] {rec['params']:,} params, {rec['macs_per_image']:,} MACs/image")
        data = {"train": (torch.from_numpy(xtr).to(device), torch.from_numpy(ytr).to(device)),
                "test": (torch.from_numpy(xte).to(device), torch.from_numpy(yte).to(device))}
        hist, secs = train(name, model, data, epochs, lr, wd, aug, args.seed, device, log)
        rec["history"] = hist
        rec["train_seconds"] = round(secs, 1)
        rec["pytorch_top1"] = evaluate(model, *data["test"])
        model = model.cpu().eval()
        with torch.no_grad():
            ref = torch.cat([model(torch.from_numpy(xte[i:i + 1000])) for i in range(0, xte.shape[0], 1000)]).numpy()
        rec["pytorch_cpu_top1"] = float((ref.argmax(1) == yte).mean())
        torch.save(model.state_dict(), os.path.join(args.out, f"{name}.pt"))
        files = {}

        def record(key, path, meta):
            meta = dict(meta)
            meta.update(file=os.path.basename(path), bytes=os.path.getsize(path), sha256=sha256(path),
                        onnx=op_histogram(path))
            if os.path.exists(path + ".data"):
                meta["external_data_file"] = os.path.basename(path) + ".data"
                meta["external_data_bytes"] = os.path.getsize(path + ".data")
                meta["external_data_sha256"] = sha256(path + ".data")
            if not args.no_ort:
                meta["ort"] = ort_score(path, xte, yte, args.threads, ref_logits=ref)
                log(f"[{name}] {os.path.basename(path)}: ORT top-1 {meta['ort']['top1']:.4f}, "
                    f"max |ORT - PyTorch| {meta['ort']['max_abs_diff_vs_pytorch']:.2e}")
            files[key] = meta

        t_exp = time.time()
        p = os.path.join(args.out, f"{name}.onnx")
        record("fp32", p, export_torchscript(model, p))
        if files["fp32"]["onnx"]["ops"].get("BatchNormalization"):
            log(f"[{name}] WARNING: BatchNormalization left in the EVAL export")
        if name == "resnet-mnist":
            p = os.path.join(args.out, f"{name}-bn.onnx")
            try:
                meta = export_torchscript(model, p, training=torch.onnx.TrainingMode.PRESERVE)
                meta["note"] = ("model in eval mode, training=TrainingMode.PRESERVE: BatchNormalization kept "
                                "(inference form, running mean/var), not folded into Conv")
                record("bn_preserved", p, meta)
                log(f"[{name}] -bn ops: {files['bn_preserved']['onnx']['ops']}")
            except Exception as e:  # noqa: BLE001
                files["bn_preserved"] = {"error": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()[-3000:]}
                log(f"[{name}] PRESERVE export FAILED: {e}")
        if name == args.dynamo_model:
            p = os.path.join(args.out, f"{name}-dynamo.onnx")
            try:
                record("dynamo", p, export_dynamo(model, p))
                log(f"[{name}] dynamo ops: {files['dynamo']['onnx']['ops']}")
            except Exception as e:  # noqa: BLE001
                files["dynamo"] = {"error": f"{type(e).__name__}: {str(e)[:4000]}"}
                log(f"[{name}] dynamo export FAILED: {str(e)[:1000]}")
        rec["files"] = files
        if not args.no_ort:
            rec["qdq"] = quantize_all(name, os.path.join(args.out, f"{name}.onnx"), args.out,
                                      sets[dset]["train"][0][:500], xte, yte, args.threads, log)
        rec["export_and_quantize_seconds"] = round(time.time() - t_exp, 1)
        prov["models"][name] = rec
        write_prov()

    if args.lenet and not args.no_ort:
        xte, yte = sets["mnist"]["test"]
        if args.smoke:
            xte, yte = xte[:1000], yte[:1000]
        rec = {"source": "octet's LeNet (models/lenet.weights) exported by `npx octet export --onnx models/lenet.onnx`",
               "file": os.path.basename(args.lenet), "fp32_sha256": sha256(args.lenet), "onnx": op_histogram(args.lenet),
               "ort_fp32": ort_score(args.lenet, xte, yte, args.threads)}
        log(f"[lenet] FP32 ORT top-1 {rec['ort_fp32']['top1']:.4f}")
        rec["qdq"] = quantize_all("lenet", args.lenet, args.out, sets["mnist"]["train"][0][:500], xte, yte,
                                  args.threads, log)
        prov["models"]["lenet"] = rec
    log(f"done in {time.time() - t_start:.1f} s")
    write_prov()


if __name__ == "__main__":
    main()
