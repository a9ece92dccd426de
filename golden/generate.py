#!/usr/bin/env python3
"""Generate convproof's golden fixtures with PyTorch.

Every expected value in the JSON files next to this script is computed here by
PyTorch (F.conv2d, F.conv_transpose2d, F.pad and autograd).  Nothing is taken
from convproof itself.

Usage (from the repository root):

    /usr/bin/python3 golden/generate.py

The output is deterministic: a fixed seed drives every random choice, torch runs
on one thread with deterministic algorithms, and the `generated` date written
into the provenance block is the constant GENERATED below (override it with the
environment variable CONVPROOF_GOLDEN_DATE when you regenerate on purpose).
Running the script twice gives byte-identical files on the same machine and
PyTorch build.
"""

import json
import os
import platform
import re
import warnings

import numpy as np
import torch
import torch.nn.functional as F

SEED = 20261126
GENERATED = os.environ.get("CONVPROOF_GOLDEN_DATE", "2026-11-26")
FORMAT = "convproof-golden/1"
GENERATOR = "golden/generate.py"
HERE = os.path.dirname(os.path.abspath(__file__))

torch.manual_seed(SEED)
torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

# PyTorch notes that 'same' with an even kernel pads a copy of the input; expected.
warnings.filterwarnings("ignore", message="Using padding='same'")

TORCH_DTYPE = {"float32": torch.float32, "float64": torch.float64}


# --------------------------------------------------------------------------
# provenance
# --------------------------------------------------------------------------

def cpu_capability():
    m = re.search(r"CPU capability usage: (\S+)", torch.__config__.show())
    return m.group(1) if m else "unknown"


def provenance(kind, description):
    return {
        "format": FORMAT,
        "kind": kind,
        "description": description,
        "generator": GENERATOR,
        "command": "python3 " + GENERATOR,
        "generated": GENERATED,
        "seed": SEED,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "torchThreads": torch.get_num_threads(),
        "torchDeterministic": torch.are_deterministic_algorithms_enabled(),
        "torchCpuCapability": cpu_capability(),
        "torchMkldnn": bool(torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled),
    }


# --------------------------------------------------------------------------
# values
# --------------------------------------------------------------------------

def draw(rng, n, values, dtype):
    """Draw n values that are exactly representable in `dtype`.

    'grid': multiples of 1/8 in [-2, 2]; with the sizes used here every product
            and sum is exact in float32 and float64, so results are exact.
    'fine': float32 -> multiples of 2^-12 in (-1, 1) (exact in float32, but sums
            of products round); float64 -> uniform doubles in [-1, 1) (products
            and sums round).
    """
    if values == "grid":
        return rng.integers(-16, 17, size=n).astype(np.float64) / 8.0
    if dtype == "float32":
        return rng.integers(-4095, 4096, size=n).astype(np.float64) / 4096.0
    return rng.uniform(-1.0, 1.0, size=n)


def make(rng, shape, values, dtype):
    n = int(np.prod(shape)) if len(shape) else 1
    arr = draw(rng, n, values, dtype).reshape(shape)
    return torch.tensor(arr, dtype=TORCH_DTYPE[dtype])


def enc(t):
    """A tensor as {shape, data}: data flat row-major, exact Python floats."""
    t = t.detach()
    data = t.to(torch.float64).reshape(-1).tolist()
    for v in data:
        if v != v or v in (float("inf"), float("-inf")):
            raise ValueError("non-finite value in a fixture")
    return {"shape": list(t.shape), "data": data}


# --------------------------------------------------------------------------
# option helpers
# --------------------------------------------------------------------------

def pair(v):
    return (v, v) if isinstance(v, int) else (v[0], v[1])


def conv_pads(padding, H, W, KH, KW, s, d):
    """Explicit (top, bottom, left, right) for a convproof Conv2d padding."""
    if padding == "valid":
        return (0, 0, 0, 0)
    if padding in ("same", "same-lower"):
        out = []
        for n, k, st, dl in ((H, KH, s[0], d[0]), (W, KW, s[1], d[1])):
            o = -(-n // st)
            total = max(0, (o - 1) * st + dl * (k - 1) + 1 - n)
            # SAME_UPPER: the odd pixel after; SAME_LOWER (ONNX): before.
            small = total // 2
            out += [small, total - small] if padding == "same" else [total - small, small]
        return tuple(out)
    if isinstance(padding, int):
        return (padding,) * 4
    if isinstance(padding[0], (list, tuple)):
        return (padding[0][0], padding[0][1], padding[1][0], padding[1][1])
    return (padding[0], padding[0], padding[1], padding[1])


def padding_kind(padding):
    if isinstance(padding, str):
        return padding
    if isinstance(padding, int):
        return "int"
    if isinstance(padding[0], (list, tuple)):
        return "explicit"
    return "pair"


def fmt(v):
    return json.dumps(v, separators=(",", ":"))


def out_size(n, k, s, d, p0, p1):
    return (n + p0 + p1 - d * (k - 1) - 1) // s + 1


# --------------------------------------------------------------------------
# conv2d
# --------------------------------------------------------------------------

def conv_cfg(N, C, H, W, O, KH, KW, s=1, p=0, d=1, g=1, mode="zeros", bias=True,
             values=None, omit_defaults=False):
    return dict(N=N, C=C, H=H, W=W, O=O, KH=KH, KW=KW, s=pair(s), p=p, d=pair(d), g=g,
                mode=mode, bias=bias, values=values,
                omit_defaults=omit_defaults, stride_raw=s, dil_raw=d)


def conv_valid(c):
    t, b, l, r = conv_pads(c["p"], c["H"], c["W"], c["KH"], c["KW"], c["s"], c["d"])
    if c["C"] % c["g"] or c["O"] % c["g"]:
        return False
    if min(t, b, l, r) < 0 or c["H"] < 1 or c["W"] < 1:
        return False
    if c["mode"] == "reflect" and (max(t, b) >= c["H"] or max(l, r) >= c["W"]):
        return False
    if c["mode"] == "circular" and (max(t, b) > c["H"] or max(l, r) > c["W"]):
        return False
    if out_size(c["H"], c["KH"], c["s"][0], c["d"][0], t, b) < 1:
        return False
    if out_size(c["W"], c["KW"], c["s"][1], c["d"][1], l, r) < 1:
        return False
    return True


def torch_conv2d(x, w, b, c, generic=False):
    """PyTorch's conv2d for a convproof configuration.

    Native F.conv2d padding is used where PyTorch has it (symmetric int/pair,
    'valid', 'same' with stride 1); otherwise the input is padded with F.pad
    (zeros for explicit/asymmetric or strided 'same', the mode otherwise, exactly
    what nn.Conv2d does for padding_mode) and a valid conv follows.  With
    generic=True every case takes the F.pad path (used as a cross-check).
    """
    t, bt, l, r = conv_pads(c["p"], c["H"], c["W"], c["KH"], c["KW"], c["s"], c["d"])
    kind = padding_kind(c["p"])
    s, d, g = c["s"], c["d"], c["g"]
    if not generic and c["mode"] == "zeros":
        if kind == "same" and s == (1, 1):
            return F.conv2d(x, w, b, 1, "same", d, g)
        if kind == "valid":
            return F.conv2d(x, w, b, s, "valid", d, g)
        if kind in ("int", "pair"):
            return F.conv2d(x, w, b, s, (t, l), d, g)
    mode = "constant" if c["mode"] == "zeros" else c["mode"]
    unbatched = x.dim() == 3
    xb = x.unsqueeze(0) if unbatched else x
    xp = F.pad(xb, (l, r, t, bt), mode=mode)
    if unbatched:
        xp = xp.squeeze(0)
    return F.conv2d(xp, w, b, s, 0, d, g)


def stride_json(c, key):
    raw = c["stride_raw"] if key == "s" else c["dil_raw"]
    v = c[key]
    if isinstance(raw, int):
        return raw
    return [v[0], v[1]]


def padding_json(p):
    if isinstance(p, (str, int)):
        return p
    if isinstance(p[0], (list, tuple)):
        return [[p[0][0], p[0][1]], [p[1][0], p[1][1]]]
    return [p[0], p[1]]


def conv_options(c):
    opts = {
        "stride": stride_json(c, "s"),
        "padding": padding_json(c["p"]),
        "dilation": stride_json(c, "d"),
        "groups": c["g"],
        "paddingMode": c["mode"],
    }
    if c["omit_defaults"]:
        defaults = {"stride": 1, "padding": 0, "dilation": 1, "groups": 1, "paddingMode": "zeros"}
        opts = {k: v for k, v in opts.items() if v != defaults[k] and v != [defaults[k]] * 2}
    return opts


def conv_id(c, xshape, wshape, dtype):
    s, d = c["s"], c["d"]
    parts = [
        "x=" + fmt(xshape),
        "w=" + fmt(wshape),
        "s=" + fmt(list(s)),
        "p=" + (c["p"] if isinstance(c["p"], str) else fmt(padding_json(c["p"]))),
        "d=" + fmt(list(d)),
        "g=" + str(c["g"]),
        "mode=" + c["mode"],
        "bias" if c["bias"] else "nobias",
        "f32" if dtype == "float32" else "f64",
        c["values"],
    ]
    if c["omit_defaults"]:
        parts.append("defaults-omitted")
    return " ".join(parts)


def tol_close(a, b, scale, dtype):
    eps = 1e-5 if dtype == "float32" else 1e-12
    return bool(torch.all((a.double() - b.double()).abs() <= eps * (scale + 1e-300)))


def exact_check(fn, x, w, b, y, gy, grads):
    """Grid data: every product and sum is exact, so the result in the case's
    dtype must equal the float64 result of the other (F.pad) route bit for bit."""
    xs = [t.detach().double().requires_grad_(True) for t in (x, w) + ((b,) if b is not None else ())]
    y64 = fn(xs[0], xs[1], xs[2] if b is not None else None)
    g64 = torch.autograd.grad(y64, xs, gy.double())
    assert torch.equal(y.detach().double(), y64.detach())
    for a, e in zip(grads, g64):
        assert torch.equal(a.double(), e)


def conv_case(rng, c, dtype):
    N, C, H, W, O, KH, KW, g = c["N"], c["C"], c["H"], c["W"], c["O"], c["KH"], c["KW"], c["g"]
    xshape = [C, H, W] if N is None else [N, C, H, W]
    wshape = [O, C // g, KH, KW]
    values = c["values"]
    x = make(rng, xshape, values, dtype).requires_grad_(True)
    w = make(rng, wshape, values, dtype).requires_grad_(True)
    b = make(rng, [O], values, dtype).requires_grad_(True) if c["bias"] else None
    y = torch_conv2d(x, w, b, c)

    # shape: DESIGN.md's formula with the explicit pads
    t, bt, l, r = conv_pads(c["p"], H, W, KH, KW, c["s"], c["d"])
    OH = out_size(H, KH, c["s"][0], c["d"][0], t, bt)
    OW = out_size(W, KW, c["s"][1], c["d"][1], l, r)
    expect = [O, OH, OW] if N is None else [N, O, OH, OW]
    assert list(y.shape) == expect, (list(y.shape), expect)

    # cross-check the option translation: the F.pad route in float64 agrees
    with torch.no_grad():
        y64 = torch_conv2d(x.double(), w.double(), None if b is None else b.double(), c, generic=True)
        m64 = torch_conv2d(x.double().abs(), w.double().abs(), None if b is None else b.double().abs(), c, generic=True)
        assert tol_close(y, y64, m64, dtype), conv_id(c, xshape, wshape, dtype)

    gy = make(rng, list(y.shape), values, dtype)
    inputs = [x, w] + ([b] if b is not None else [])
    grads = torch.autograd.grad(y, inputs, gy)
    sum_dims = (1, 2) if N is None else (0, 2, 3)
    gb = grads[2] if b is not None else gy.sum(dim=sum_dims)
    if values == "grid":
        exact_check(lambda *a: torch_conv2d(*a, c, generic=True), x, w, b, y, gy, grads)
    if N == 0:
        assert float(grads[1].abs().sum()) == 0.0

    return {
        "id": conv_id(c, xshape, wshape, dtype),
        "dtype": dtype,
        "values": values,
        "input": enc(x),
        "weight": enc(w),
        "bias": enc(b) if b is not None else None,
        "options": conv_options(c),
        "output": enc(y),
        "gradOutput": enc(gy),
        "gradInput": enc(grads[0]),
        "gradWeight": enc(grads[1]),
        "gradBias": enc(gb),
    }


def conv_hand_picked():
    cc = conv_cfg
    return [
        # plain, and the defaults omitted from the options object
        cc(1, 1, 5, 5, 1, 3, 3),
        cc(1, 1, 5, 5, 1, 3, 3, omit_defaults=True, bias=False),
        cc(2, 2, 6, 4, 3, 2, 3, s=[1, 2], d=1, omit_defaults=True),
        # non-square everything
        cc(2, 3, 7, 5, 4, 3, 2, s=[2, 1], p=[1, 0], d=[1, 2]),
        cc(1, 2, 4, 9, 3, 1, 4, s=[1, 3], p=[0, 2], d=[2, 1], bias=False),
        # stride does not divide the input
        cc(1, 2, 8, 7, 2, 3, 3, s=3),
        cc(2, 1, 9, 6, 2, 2, 3, s=[4, 2], p=1),
        # stride > kernel
        cc(1, 2, 9, 10, 2, 2, 1, s=[3, 4]),
        cc(1, 1, 7, 8, 2, 1, 2, s=3, p=1, bias=False),
        cc(2, 2, 5, 5, 1, 1, 1, s=[2, 3], p=[1, 2]),
        # symmetric padding: int and pair
        cc(1, 2, 5, 4, 2, 3, 3, p=2),
        cc(1, 1, 6, 6, 2, 5, 3, p=[2, 1]),
        cc(2, 3, 4, 5, 2, 2, 2, p=[3, 0], s=2),
        # explicit (possibly asymmetric) padding
        cc(1, 2, 5, 6, 2, 3, 2, p=[[0, 2], [1, 0]]),
        cc(2, 1, 6, 5, 3, 3, 3, s=2, p=[[3, 0], [0, 1]], bias=False),
        cc(1, 3, 4, 4, 2, 2, 3, p=[[1, 1], [2, 2]], d=[2, 1]),
        # valid
        cc(2, 3, 6, 7, 2, 3, 2, p="valid"),
        cc(1, 2, 7, 7, 3, 2, 2, s=[2, 3], p="valid", d=2, bias=False),
        # same, stride 1 (PyTorch's own 'same')
        cc(1, 2, 5, 6, 3, 3, 3, p="same"),
        cc(2, 1, 5, 7, 2, 2, 4, p="same", bias=False),
        cc(1, 2, 8, 7, 2, 2, 3, p="same", d=[2, 3]),
        # same, stride > 1 (SAME_UPPER pads computed per DESIGN.md)
        cc(1, 2, 7, 8, 2, 3, 3, s=2, p="same"),
        cc(2, 1, 10, 5, 2, 2, 1, s=[3, 2], p="same", bias=False),
        cc(1, 2, 8, 9, 2, 3, 3, s=2, p="same", d=2),
        cc(1, 2, 7, 8, 3, 1, 1, s=3, p="same"),
        cc(1, 1, 6, 11, 2, 5, 2, s=4, p="same"),
        cc(1, 2, 8, 8, 2, 2, 2, s=2, p="same", bias=False),
        cc(2, 2, 9, 4, 2, 4, 3, s=[2, 3], p="same", d=[1, 2]),
        # dilation, also with stride
        cc(1, 2, 7, 7, 2, 3, 3, d=2),
        cc(2, 1, 9, 6, 2, 3, 2, s=2, p=1, d=[3, 1]),
        cc(1, 2, 5, 9, 2, 2, 3, s=[1, 3], p=[[1, 0], [0, 2]], d=[1, 2], bias=False),
        # groups and depthwise
        cc(1, 4, 5, 5, 6, 3, 3, g=2),
        cc(2, 6, 6, 5, 3, 2, 3, s=2, g=3, bias=False),
        cc(1, 4, 6, 6, 4, 3, 3, p=1, g=4),
        cc(2, 3, 5, 4, 6, 2, 2, g=3),
        cc(1, 4, 8, 8, 4, 3, 3, s=2, p="same", d=2, g=4),
        cc(1, 4, 6, 7, 2, 3, 2, p=[[2, 0], [1, 3]], d=[1, 2], g=2),
        # padding modes, each at its largest allowed pad
        cc(1, 2, 4, 3, 2, 3, 3, p=[3, 2], mode="reflect"),
        cc(2, 1, 4, 3, 2, 2, 2, p=[[3, 0], [1, 2]], mode="reflect", bias=False),
        cc(1, 2, 5, 5, 2, 4, 4, p="same", mode="reflect"),
        cc(1, 1, 7, 6, 2, 3, 2, s=2, p="same", mode="reflect"),
        cc(1, 2, 2, 3, 2, 2, 3, p=[4, 5], mode="replicate"),
        cc(2, 1, 4, 5, 2, 3, 3, s=[2, 1], p=[[0, 3], [2, 0]], mode="replicate", bias=False),
        cc(1, 2, 1, 1, 2, 3, 3, p=2, mode="replicate"),
        cc(1, 2, 3, 4, 2, 3, 3, p=[3, 4], mode="circular"),
        cc(1, 1, 2, 3, 2, 2, 2, p=[[2, 0], [0, 3]], mode="circular"),
        cc(2, 2, 4, 5, 2, 3, 2, p="same", mode="circular", bias=False),
        cc(1, 4, 6, 6, 2, 3, 3, s=2, p=2, d=2, g=2, mode="reflect"),
        cc(1, 2, 5, 4, 4, 2, 2, s=[1, 2], p=[1, 1], d=[2, 1], g=2, mode="circular"),
        # N = 0
        cc(0, 2, 5, 4, 3, 3, 3, p=1),
        cc(0, 2, 4, 4, 2, 2, 2, p=[[1, 0], [0, 1]], mode="reflect", bias=False),
        # unbatched [C, H, W]
        cc(None, 2, 6, 5, 3, 3, 2, s=[1, 2], p=1),
        cc(None, 1, 7, 7, 2, 3, 3, s=2, p="same", bias=False),
        cc(None, 2, 3, 4, 2, 2, 2, p=[2, 3], mode="circular"),
        # 1x1 kernels and 1x1 inputs
        cc(2, 3, 4, 6, 5, 1, 1),
        cc(1, 2, 5, 7, 3, 1, 1, s=2, bias=False),
        cc(2, 3, 1, 1, 2, 1, 1),
        cc(1, 2, 1, 1, 2, 3, 3, p=1),
        cc(1, 1, 1, 1, 3, 3, 5, p=2, bias=False),
        cc(1, 2, 1, 1, 2, 3, 3, s=2, p="same"),
        # rows, and kernel = input
        cc(2, 1, 1, 7, 2, 1, 3),
        cc(1, 2, 4, 3, 3, 4, 3),
        # the largest case
        cc(2, 6, 8, 8, 6, 3, 3, p=1, g=2),
    ]


def conv_random(rng):
    while True:
        g = int(rng.choice([1, 1, 1, 2, 3, 0]))
        ci = int(rng.integers(1, 4))
        if g == 0:  # depthwise
            g = int(rng.integers(2, 5))
            ci = 1
        co = int(rng.integers(1, 4))
        C, O = g * ci, g * co
        if C > 6 or O > 6:
            continue
        KH, KW = int(rng.integers(1, 5)), int(rng.integers(1, 5))
        d = (int(rng.choice([1, 1, 1, 2, 3])), int(rng.choice([1, 1, 1, 2, 3])))
        s = (int(rng.choice([1, 1, 2, 3, 4])), int(rng.choice([1, 1, 2, 3, 4])))
        kind = str(rng.choice(["int", "pair", "explicit", "explicit", "valid", "same", "same"]))
        mode = str(rng.choice(["zeros"] * 7 + ["reflect", "replicate", "circular"]))
        if kind == "valid" and mode != "zeros":
            continue
        if kind == "int":
            p = int(rng.integers(0, 4))
        elif kind == "pair":
            p = [int(rng.integers(0, 4)), int(rng.integers(0, 4))]
        elif kind == "explicit":
            p = [[int(rng.integers(0, 4)), int(rng.integers(0, 4))],
                 [int(rng.integers(0, 4)), int(rng.integers(0, 4))]]
        else:
            p = kind
        H, W = int(rng.integers(1, 10)), int(rng.integers(1, 10))
        N = [0, 1, 1, 2, 2, 3, None][int(rng.integers(0, 7))]
        bias = bool(rng.random() < 0.6)
        s_raw = s[0] if s[0] == s[1] and rng.random() < 0.5 else [s[0], s[1]]
        d_raw = d[0] if d[0] == d[1] and rng.random() < 0.5 else [d[0], d[1]]
        c = conv_cfg(N, C, H, W, O, KH, KW, s=s_raw, p=p, d=d_raw, g=g, mode=mode, bias=bias)
        c["omit_defaults"] = bool(rng.random() < 0.15)
        if not conv_valid(c):
            continue
        if (N or 1) * C * H * W > 240:
            continue
        return c


# --------------------------------------------------------------------------
# conv_transpose2d
# --------------------------------------------------------------------------

def tconv_cfg(N, C, H, W, O, KH, KW, s=1, p=0, op=0, d=1, g=1, bias=True, values=None):
    return dict(N=N, C=C, H=H, W=W, O=O, KH=KH, KW=KW, s=pair(s), p=p, op=pair(op), d=pair(d),
                g=g, bias=bias, values=values, stride_raw=s, dil_raw=d, op_raw=op)


def tconv_pads(p):
    if isinstance(p, int):
        return (p,) * 4
    if isinstance(p[0], (list, tuple)):
        return (p[0][0], p[0][1], p[1][0], p[1][1])
    return (p[0], p[0], p[1], p[1])


def tconv_out(n, k, s, d, op, p0, p1):
    return (n - 1) * s - p0 - p1 + d * (k - 1) + op + 1


def tconv_valid(c):
    t, b, l, r = tconv_pads(c["p"])
    if c["C"] % c["g"] or c["O"] % c["g"]:
        return False
    for a in (0, 1):
        if c["op"][a] >= max(c["s"][a], c["d"][a]):
            return False
    OH = tconv_out(c["H"], c["KH"], c["s"][0], c["d"][0], c["op"][0], t, b)
    OW = tconv_out(c["W"], c["KW"], c["s"][1], c["d"][1], c["op"][1], l, r)
    return OH >= 1 and OW >= 1


def torch_tconv(x, w, b, c, generic=False):
    """Symmetric padding: native F.conv_transpose2d.  Asymmetric: the full
    output (padding 0, same output_padding) cropped by [top:-bottom,
    left:-right] (ONNX's rule).  generic=True always crops (cross-check)."""
    t, bt, l, r = tconv_pads(c["p"])
    if not generic and t == bt and l == r:
        return F.conv_transpose2d(x, w, b, c["s"], (t, l), c["op"], c["g"], c["d"])
    full = F.conv_transpose2d(x, w, b, c["s"], 0, c["op"], c["g"], c["d"])
    FH, FW = full.shape[2], full.shape[3]
    return full[:, :, t:FH - bt, l:FW - r]


def tconv_options(c):
    def pj(raw, v):
        return raw if isinstance(raw, int) else [v[0], v[1]]
    if c.get("same"):
        # A SAME name: ONNX's auto_pad (and tfjs's 'same'); the pads and output padding were resolved from it.
        size = {"outputSize": list(c["same_os"])} if c.get("same_os") else {}
    elif c.get("os"):
        size = {"outputSize": list(c["os"])}
    else:
        size = {"outputPadding": pj(c["op_raw"], c["op"])}
    return {
        "stride": pj(c["stride_raw"], c["s"]),
        "padding": c["same"] if c.get("same") else padding_json(c["p"]),
        **size,
        "dilation": pj(c["dil_raw"], c["d"]),
        "groups": c["g"],
    }


def torch_output_padding(c, x):
    """PyTorch's own choice of output_padding for output_size c["os"]
    (nn.ConvTranspose2d._output_padding, what its forward(x, output_size) uses)."""
    t, bt, l, r = tconv_pads(c["p"])
    m = torch.nn.ConvTranspose2d(c["C"], c["O"], (c["KH"], c["KW"]), stride=c["s"], padding=(t, l),
                                 dilation=c["d"], groups=c["g"], bias=False)
    return tuple(m._output_padding(x, list(c["os"]), list(c["s"]), [t, l], [c["KH"], c["KW"]], 2, list(c["d"])))


def with_output_size(c, x, w):
    """A case by output size: output_padding as PyTorch chooses it, checked
    against nn.ConvTranspose2d(...)(x, output_size=...) itself."""
    c = dict(c)
    c["op"] = torch_output_padding(c, x)
    t, bt, l, r = tconv_pads(c["p"])
    m = torch.nn.ConvTranspose2d(c["C"], c["O"], (c["KH"], c["KW"]), stride=c["s"], padding=(t, l),
                                 dilation=c["d"], groups=c["g"], bias=False).to(x.dtype)
    with torch.no_grad():
        m.weight.copy_(w)
        via_module = m(x, output_size=list(c["os"]))
        assert torch.equal(via_module, F.conv_transpose2d(x, w, None, c["s"], (t, l), c["op"], c["g"], c["d"]))
    return c


def tconv_id(c, xshape, wshape, dtype):
    size = ["os=" + fmt(list(c["os"]))] if c.get("os") else []
    if c.get("same"):
        size = [c["same"]] + (["os=" + fmt(list(c["same_os"]))] if c.get("same_os") else [])
    return " ".join(size + [
        "x=" + fmt(xshape),
        "w=" + fmt(wshape),
        "s=" + fmt(list(c["s"])),
        "p=" + fmt(padding_json(c["p"])),
        "op=" + fmt(list(c["op"])),
        "d=" + fmt(list(c["d"])),
        "g=" + str(c["g"]),
        "bias" if c["bias"] else "nobias",
        "f32" if dtype == "float32" else "f64",
        c["values"],
    ])


def tconv_case(rng, c, dtype):
    N, C, H, W, O, KH, KW, g = c["N"], c["C"], c["H"], c["W"], c["O"], c["KH"], c["KW"], c["g"]
    xshape = [N, C, H, W]
    wshape = [C, O // g, KH, KW]
    values = c["values"]
    x = make(rng, xshape, values, dtype).requires_grad_(True)
    w = make(rng, wshape, values, dtype).requires_grad_(True)
    b = make(rng, [O], values, dtype).requires_grad_(True) if c["bias"] else None
    if c.get("os"):
        c = with_output_size(c, x.detach(), w.detach())
    y = torch_tconv(x, w, b, c)

    t, bt, l, r = tconv_pads(c["p"])
    OH = tconv_out(H, KH, c["s"][0], c["d"][0], c["op"][0], t, bt)
    OW = tconv_out(W, KW, c["s"][1], c["d"][1], c["op"][1], l, r)
    assert list(y.shape) == [N, O, OH, OW], (list(y.shape), [N, O, OH, OW])

    with torch.no_grad():
        y64 = torch_tconv(x.double(), w.double(), None if b is None else b.double(), c, generic=True)
        m64 = torch_tconv(x.double().abs(), w.double().abs(), None if b is None else b.double().abs(), c, generic=True)
        assert tol_close(y, y64, m64, dtype), tconv_id(c, xshape, wshape, dtype)

    gy = make(rng, list(y.shape), values, dtype)
    inputs = [x, w] + ([b] if b is not None else [])
    grads = torch.autograd.grad(y, inputs, gy)
    gb = grads[2] if b is not None else gy.sum(dim=(0, 2, 3))
    if values == "grid":
        exact_check(lambda *a: torch_tconv(*a, c, generic=True), x, w, b, y, gy, grads)

    return {
        "id": tconv_id(c, xshape, wshape, dtype),
        "dtype": dtype,
        "values": values,
        "input": enc(x),
        "weight": enc(w),
        "bias": enc(b) if b is not None else None,
        "options": tconv_options(c),
        "output": enc(y),
        "gradOutput": enc(gy),
        "gradInput": enc(grads[0]),
        "gradWeight": enc(grads[1]),
        "gradBias": enc(gb),
    }


def tconv_hand_picked():
    tc = tconv_cfg
    return [
        tc(1, 1, 2, 2, 1, 2, 2),
        tc(2, 3, 3, 4, 2, 3, 3, s=2, p=1, op=1),
        tc(1, 2, 3, 2, 2, 3, 2, s=[2, 3], p=[1, 0], op=[1, 2]),
        tc(1, 2, 4, 3, 2, 3, 3, d=2, op=1, bias=False),
        tc(2, 1, 3, 4, 2, 2, 3, s=[1, 2], d=[2, 3], op=[1, 2]),
        tc(1, 4, 3, 3, 6, 3, 2, s=2, g=2),
        tc(2, 3, 4, 3, 3, 3, 3, s=2, p=1, g=3, bias=False),
        tc(1, 2, 3, 3, 2, 3, 3, s=2, p=[[0, 1], [2, 0]]),
        tc(1, 1, 3, 2, 2, 3, 2, s=[2, 3], p=[[1, 0], [0, 2]], op=[1, 0]),
        tc(1, 2, 3, 4, 1, 3, 3, s=2, p=2, op=1, bias=False),
        tc(2, 2, 2, 3, 2, 1, 1, s=3, op=2),
        tc(1, 1, 3, 3, 2, 2, 2, s=3, op=[2, 1]),
        tc(1, 2, 1, 1, 3, 3, 3, s=2),
        tc(1, 3, 3, 2, 2, 1, 1, s=2, op=1, bias=False),
        tc(0, 2, 3, 3, 2, 3, 3, s=2, p=1, op=1),
        tc(1, 2, 4, 4, 2, 2, 3, p=[0, 1]),
        tc(1, 2, 3, 3, 2, 3, 3, p=1, d=2, bias=False),
        tc(1, 6, 3, 3, 3, 2, 2, s=2, d=2, op=1, g=3),
        tc(2, 1, 1, 5, 2, 1, 3, s=[1, 2], p=[[0, 0], [1, 1]]),
        tc(1, 4, 2, 3, 4, 3, 3, s=[2, 1], p=[[2, 1], [0, 1]], op=[1, 0], d=[1, 2], g=4),
    ]


def tconv_output_size():
    """Cases by output size (nn.ConvTranspose2d's output_size): symmetric
    padding, each size in PyTorch's range [min, min + stride − 1]."""
    tc = tconv_cfg
    cases = [
        (tc(1, 1, 3, 3, 1, 3, 3, s=2), [7, 8]),
        (tc(2, 2, 3, 4, 3, 3, 3, s=2, p=1), [6, 7]),
        (tc(1, 2, 4, 3, 2, 2, 3, s=[3, 2], p=[1, 0]), [11, 7]),
        (tc(1, 4, 3, 3, 2, 3, 2, s=3, d=[2, 1], g=2), [11, 10]),
        (tc(0, 2, 3, 3, 2, 3, 3, s=2, p=1), [6, 6]),
        (tc(1, 3, 2, 5, 3, 1, 3, s=[4, 2], p=[0, 1], g=3, bias=False), [7, 10]),
        (tc(2, 1, 5, 2, 2, 4, 2, s=2, p=2, d=2), [12, 2]),
        (tc(1, 2, 3, 3, 1, 3, 3, s=1, p=1), [3, 3]),
    ]
    out = []
    for c, os in cases:
        c = dict(c)
        c["os"] = tuple(os)
        out.append(c)
    return out


def tconv_same(c, name, asked=None):
    """A transposed case with padding `name` ('same', 'same-upper', 'same-lower'; ONNX
    ConvTranspose's auto_pad, as ONNX's operator text states it) and, optionally, the output size
    asked: out = asked, or in·stride; total = s·(in−1) + op + d·(k−1) + 1 − out rows are cropped,
    total//2 first for SAME_UPPER, the larger half first for SAME_LOWER; a negative total crops
    nothing and adds −total rows of output padding. The case then runs as explicit crops."""
    c = dict(c)
    pads, op = [], []
    for a, (n, k) in enumerate(((c["H"], c["KH"]), (c["W"], c["KW"]))):
        s, d = c["s"][a], c["d"][a]
        out = asked[a] if asked else n * s
        total = s * (n - 1) + d * (k - 1) + 1 - out
        if total >= 0:
            small = total // 2
            pads.append([total - small, small] if name == "same-lower" else [small, total - small])
            op.append(0)
        else:
            pads.append([0, 0])
            op.append(-total)
    c["p"] = pads
    c["op"] = tuple(op)
    c["same"] = name
    c["same_os"] = tuple(asked) if asked else None
    assert tconv_valid(c), c
    return c


def tconv_same_cases():
    """Transposed cases by padding name, with and without outputSize: odd totals (where upper and lower
    differ), a kernel shorter than the stride (a negative total: zero rows after), groups, dilation."""
    tc = tconv_cfg
    return [
        tconv_same(tc(1, 1, 3, 3, 1, 4, 4, s=1), "same"),
        tconv_same(tc(1, 1, 3, 3, 1, 4, 4, s=1), "same-lower"),
        tconv_same(tc(2, 2, 3, 4, 3, 3, 3, s=2), "same-upper", [7, 8]),
        tconv_same(tc(2, 2, 3, 4, 3, 3, 3, s=2), "same-lower", [7, 8]),
        tconv_same(tc(1, 2, 3, 2, 2, 2, 3, s=[3, 2]), "same"),
        tconv_same(tc(1, 4, 2, 3, 2, 3, 2, s=2, d=[2, 1], g=2), "same-lower"),
        tconv_same(tc(1, 3, 3, 3, 3, 1, 1, s=3, g=3, bias=False), "same", [8, 9]),
        tconv_same(tc(0, 2, 3, 3, 2, 3, 3, s=2), "same-lower", [5, 6]),
    ]


def conv_same_lower():
    """conv2d cases with padding 'same-lower' (ONNX SAME_LOWER): odd totals, strides, dilation, groups, modes."""
    cc = conv_cfg
    return [
        cc(1, 1, 5, 6, 1, 2, 2, p="same-lower"),
        cc(2, 2, 7, 5, 3, 4, 3, s=2, p="same-lower"),
        cc(1, 3, 6, 6, 3, 3, 2, s=[1, 2], d=[2, 1], g=3, p="same-lower"),
        cc(1, 2, 5, 5, 4, 2, 4, s=3, p="same-lower", bias=False),
        cc(2, 1, 6, 7, 2, 3, 3, p="same-lower", mode="reflect"),
        cc(None, 2, 4, 5, 2, 2, 3, s=2, p="same-lower", mode="circular"),
    ]


def tconv_random(rng):
    while True:
        g = int(rng.choice([1, 1, 1, 2, 3]))
        ci, co = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        C, O = g * ci, g * co
        if C > 6 or O > 6:
            continue
        KH, KW = int(rng.integers(1, 5)), int(rng.integers(1, 5))
        s = [int(rng.choice([1, 1, 2, 3])), int(rng.choice([1, 1, 2, 3]))]
        d = [int(rng.choice([1, 1, 2, 3])), int(rng.choice([1, 1, 2, 3]))]
        op = [int(rng.integers(0, max(s[0], d[0]))), int(rng.integers(0, max(s[1], d[1])))]
        kind = str(rng.choice(["int", "pair", "explicit"]))
        if kind == "int":
            p = int(rng.integers(0, 3))
        elif kind == "pair":
            p = [int(rng.integers(0, 3)), int(rng.integers(0, 3))]
        else:
            p = [[int(rng.integers(0, 3)), int(rng.integers(0, 3))],
                 [int(rng.integers(0, 3)), int(rng.integers(0, 3))]]
        H, W = int(rng.integers(1, 6)), int(rng.integers(1, 6))
        N = int(rng.choice([0, 1, 1, 2, 2]))
        bias = bool(rng.random() < 0.6)
        c = tconv_cfg(N, C, H, W, O, KH, KW, s=s, p=p, op=op, d=d, g=g, bias=bias)
        if not tconv_valid(c):
            continue
        if max(N, 1) * C * H * W > 150:
            continue
        return c


# --------------------------------------------------------------------------
# the chapter's worked examples
# --------------------------------------------------------------------------

def corr2d_torch(X, K):
    return F.conv2d(X.reshape((1, 1) + tuple(X.shape)), K.reshape((1, 1) + tuple(K.shape)))[0, 0]


def chapter(rng):
    cases = []
    d = torch.float64

    X = torch.arange(9, dtype=d).reshape(3, 3)
    K = torch.arange(4, dtype=d).reshape(2, 2)
    Y = corr2d_torch(X, K)
    book = [[19.0, 25.0], [37.0, 43.0]]
    assert Y.tolist() == book
    cases.append({"id": "corr2d of arange(9) 3x3 with arange(4) 2x2", "X": enc(X), "K": enc(K),
                  "Y": enc(Y), "bookPrinted": book})

    E = torch.ones(6, 8, dtype=d)
    E[:, 2:6] = 0
    Kedge = torch.tensor([[1.0, -1.0]], dtype=d)
    Yedge = corr2d_torch(E, Kedge)
    row = [0.0, 1.0, 0.0, 0.0, 0.0, -1.0, 0.0]
    assert Yedge.tolist() == [row] * 6
    cases.append({"id": "edge detection: 6x8 image with columns 2..5 zero, K=[[1,-1]]",
                  "X": enc(E), "K": enc(Kedge), "Y": enc(Yedge), "bookPrinted": [row] * 6})

    Yt = corr2d_torch(E.t().contiguous(), Kedge)
    assert Yt.tolist() == [[0.0] * 5] * 8
    cases.append({"id": "edge detection on the transposed image finds nothing",
                  "X": enc(E.t().contiguous()), "K": enc(Kedge), "Y": enc(Yt),
                  "bookPrinted": [[0.0] * 5] * 8})

    shapes = []
    X8 = torch.tensor(draw(rng, 64, "grid", "float64").reshape(8, 8), dtype=d)
    for k, p, s, printed in (
        (3, 1, 1, [8, 8]),
        ([5, 3], [2, 1], 1, [8, 8]),
        (3, 1, 2, [4, 4]),
        ([3, 5], [0, 1], [3, 4], [2, 2]),
    ):
        kh, kw = pair(k)
        w = torch.tensor(draw(rng, kh * kw, "grid", "float64").reshape(1, 1, kh, kw), dtype=d)
        y = F.conv2d(X8.reshape(1, 1, 8, 8), w, None, s, p)
        assert list(y.shape[2:]) == printed
        shapes.append({
            "id": "8x8 input, kernel %s, padding %s, stride %s" % (fmt(k), fmt(p), fmt(s)),
            "inputShape": [1, 1, 8, 8],
            "weightShape": [1, 1, kh, kw],
            "options": {"stride": s, "padding": p},
            "outputShape": list(y.shape),
            "bookPrinted": printed,
        })

    # learning the edge kernel: the book's loop in float64 from a fixed start
    lr = 0.03
    epochs = 10
    Xl = E.reshape(1, 1, 6, 8)
    Yl = Yedge.reshape(1, 1, 6, 7)
    init = torch.tensor(draw(rng, 2, "grid", "float64").reshape(1, 1, 1, 2) / 2, dtype=d)
    wk = init.clone().requires_grad_(True)
    losses = []
    for _ in range(epochs):
        yh = F.conv2d(Xl, wk)
        loss = ((yh - Yl) ** 2).sum()
        (g,) = torch.autograd.grad(loss, [wk])
        losses.append(float(loss))
        with torch.no_grad():
            wk -= lr * g
    learn = {
        "id": "learn the edge kernel from X and Y by gradient descent",
        "X": enc(Xl), "Y": enc(Yl), "target": enc(Kedge.reshape(1, 1, 1, 2)),
        "init": enc(init), "lr": lr, "epochs": epochs,
        "losses": losses, "final": enc(wk),
    }
    return {"corr2d": cases, "shapes": shapes, "learnKernel": learn}


# --------------------------------------------------------------------------
# fields and output
# --------------------------------------------------------------------------

TENSOR = "{shape, data}: data is the flat row-major list of values, exact in the case's dtype"

CONV_FIELDS = {
    "id": "readable configuration: x and w shapes, stride s, padding p, dilation d, groups g, paddingMode, bias or nobias, dtype, value kind (see values)",
    "dtype": "'float32' or 'float64'; every tensor of the case and PyTorch's computation use it",
    "values": "'grid': data are multiples of 1/8 in [-2, 2], so every product and sum is exact and all results are exact in either dtype (checked by the generator); 'fine': float32 data are multiples of 2^-12 in (-1, 1), float64 data uniform doubles in [-1, 1), so results carry rounding error",
    "input": "input tensor, [N,C,H,W] or unbatched [C,H,W]; " + TENSOR,
    "weight": "weight tensor [O, C/groups, KH, KW]; " + TENSOR,
    "bias": "bias tensor [O], or null for no bias; " + TENSOR,
    "options": "convproof Conv2dOptions without bias: stride, padding (number | [ph,pw] | [[top,bottom],[left,right]] | 'valid' | 'same'), dilation, groups, paddingMode; omitted keys take their defaults",
    "output": "PyTorch's forward result",
    "gradOutput": "the upstream gradient fed to autograd, same shape as output",
    "gradInput": "PyTorch autograd gradient with respect to input",
    "gradWeight": "PyTorch autograd gradient with respect to weight",
    "gradBias": "[O]: PyTorch autograd gradient of the bias, or gradOutput summed over batch and spatial axes when there is no bias (convproof always returns it)",
}

TCONV_FIELDS = dict(CONV_FIELDS)
TCONV_FIELDS.update({
    "id": "readable configuration: x and w shapes, stride s, padding p, outputPadding op, dilation d, groups g, bias or nobias, dtype, value kind (see values)",
    "input": "input tensor [N,C,H,W]; " + TENSOR,
    "weight": "weight tensor [C, O/groups, KH, KW]; " + TENSOR,
    "options": "convproof ConvTranspose2dOptions without bias: stride, padding (number | [ph,pw] | [[top,bottom],[left,right]], asymmetric = full output cropped, ONNX's rule), outputPadding, dilation, groups",
    "output": "PyTorch's conv_transpose2d result",
})

CHAPTER_FIELDS = {
    "corr2d": "list of {id, X [H,W], K [KH,KW], Y = corr2d(X, K) from PyTorch, bookPrinted: the values the book prints}",
    "shapes": "list of {id, inputShape, weightShape, options (convproof form), outputShape from PyTorch, bookPrinted: the spatial shape the book prints}",
    "learnKernel": "the book's loop (loss = sum((conv(X,w) - Y)^2), w -= lr * grad) in float64 from `init`: X, Y, target kernel, init, lr, epochs, losses (loss before each update), final kernel",
    "tensors": TENSOR,
}


def write(name, head, cases_key, cases):
    path = os.path.join(HERE, name)
    lines = ["{"]
    for k, v in head.items():
        lines.append(json.dumps(k) + ": " + json.dumps(v, indent=2, allow_nan=False) + ",")
    lines.append(json.dumps(cases_key) + ": [")
    for i, c in enumerate(cases):
        lines.append(json.dumps(c, separators=(",", ":"), allow_nan=False) + ("," if i + 1 < len(cases) else ""))
    lines.append("]")
    lines.append("}")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    return path


def dedupe(cases):
    seen = {}
    for c in cases:
        base = c["id"]
        if base in seen:
            seen[base] += 1
            c["id"] = "%s #%d" % (base, seen[base])
        else:
            seen[base] = 1


DTYPES = ("float64", "float32")


def in_both_dtypes(configs, period, make, rng):
    """Each configuration in float64 then float32; grid values every `period`-th case (counting both)."""
    out = []
    for i, c in enumerate(configs):
        for j, dt in enumerate(DTYPES):
            c = dict(c)
            c["values"] = "grid" if (i + j) % period == 0 else "fine"
            out.append(make(rng, c, dt))
    return out


def main():
    rng = np.random.default_rng(SEED)
    dtypes = DTYPES

    conv = []
    conv += in_both_dtypes(conv_hand_picked(), 3, conv_case, rng)
    for i in range(90):
        c = conv_random(rng)
        c["values"] = "grid" if i % 3 == 0 else "fine"
        conv.append(conv_case(rng, c, dtypes[i % 2]))
    # Drawn from their own generator, so that the cases above stay as they were.
    rng_lower = np.random.default_rng(SEED + 2)
    conv += in_both_dtypes(conv_same_lower(), 2, conv_case, rng_lower)
    dedupe(conv)

    tconv = []
    tconv += in_both_dtypes(tconv_hand_picked(), 3, tconv_case, rng)
    for i in range(24):
        c = tconv_random(rng)
        c["values"] = "grid" if i % 3 == 0 else "fine"
        tconv.append(tconv_case(rng, c, dtypes[i % 2]))
    # Drawn from their own generator, so that the cases above stay as they were.
    rng_size = np.random.default_rng(SEED + 1)
    tconv += in_both_dtypes(tconv_output_size(), 2, tconv_case, rng_size)
    rng_same = np.random.default_rng(SEED + 3)
    tconv += in_both_dtypes(tconv_same_cases(), 2, tconv_case, rng_same)
    dedupe(tconv)

    ch = chapter(rng)

    write("pytorch-conv2d.json", {
        "provenance": provenance("conv2d", "F.conv2d forward and autograd backward (F.pad first for explicit, strided 'same' and non-zero padding modes)"),
        "fields": CONV_FIELDS,
    }, "cases", conv)
    write("pytorch-conv-transpose2d.json", {
        "provenance": provenance("convTranspose2d", "F.conv_transpose2d forward and autograd backward (asymmetric padding: full output cropped)"),
        "fields": TCONV_FIELDS,
    }, "cases", tconv)
    path = os.path.join(HERE, "chapter.json")
    doc = {
        "provenance": provenance("chapter", "Worked examples of the convolutional-layers and padding-and-stride chapter of Dive into Deep Learning, recomputed with PyTorch"),
        "fields": CHAPTER_FIELDS,
    }
    doc.update(ch)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(doc, indent=1, allow_nan=False) + "\n")

    summary(conv, tconv)


def summary(conv, tconv):
    def count(cases, label):
        stats = {}

        def inc(k):
            stats[k] = stats.get(k, 0) + 1
        for c in cases:
            o = c["options"]
            inc("dtype " + c["dtype"])
            inc("values " + ("grid" if " grid" in c["id"] else "fine"))
            xs = c["input"]["shape"]
            ws = c["weight"]["shape"]
            inc("unbatched" if len(xs) == 3 else ("N=0" if xs[0] == 0 else "batched N>0"))
            inc("bias" if c["bias"] is not None else "no bias")
            p = o.get("padding", 0)
            kind = p if isinstance(p, str) else ("int" if isinstance(p, int) else ("explicit" if isinstance(p[0], list) else "pair"))
            inc("padding " + kind)
            s = o.get("stride", 1)
            s = [s, s] if isinstance(s, int) else s
            d = o.get("dilation", 1)
            d = [d, d] if isinstance(d, int) else d
            H, W = xs[-2], xs[-1]
            KH, KW = ws[2], ws[3]
            if s != [1, 1]:
                inc("stride > 1")
            if s[0] > KH or s[1] > KW:
                inc("stride > kernel")
            if s != [1, 1] and d != [1, 1]:
                inc("dilation with stride")
            if d != [1, 1]:
                inc("dilation > 1")
            if kind == "same":
                inc("same with stride > 1" if s != [1, 1] else "same with stride 1")
            if kind == "explicit" and (p[0][0] != p[0][1] or p[1][0] != p[1][1]):
                inc("padding asymmetric")
            if label == "conv2d":
                t, b, l, r = conv_pads(p, H, W, KH, KW, s, d)
                if ((H + t + b - d[0] * (KH - 1) - 1) % s[0]) or ((W + l + r - d[1] * (KW - 1) - 1) % s[1]):
                    inc("stride not dividing")
                mode = o.get("paddingMode", "zeros")
                if mode == "reflect" and (max(t, b) == H - 1 or max(l, r) == W - 1):
                    inc("reflect at pad = size-1")
                if mode == "circular" and (max(t, b) == H or max(l, r) == W):
                    inc("circular at pad = size")
            g = o.get("groups", 1)
            if g > 1:
                inc("groups > 1")
            C = xs[-3]
            if g > 1 and g == C:
                inc("depthwise")
            if "paddingMode" in o or label == "conv2d":
                inc("paddingMode " + o.get("paddingMode", "zeros"))
            if "outputPadding" in o:
                op = o["outputPadding"]
                op = [op, op] if isinstance(op, int) else op
                if op != [0, 0]:
                    inc("outputPadding > 0")
            if KH == 1 and KW == 1:
                inc("1x1 kernel")
            if H == 1 and W == 1:
                inc("1x1 input")
            if H != W or KH != KW or s[0] != s[1]:
                inc("non-square")
            if "defaults-omitted" in c["id"]:
                inc("defaults omitted")
        print("%s: %d cases" % (label, len(cases)))
        for k in sorted(stats):
            print("  %-26s %d" % (k, stats[k]))
    count(conv, "conv2d")
    count(tconv, "convTranspose2d")


if __name__ == "__main__":
    main()
