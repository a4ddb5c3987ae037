#!/usr/bin/env python3
"""One AdaLoRA training step of a BERT-base- or DeBERTa-v3-base-shaped encoder on PyTorch (CPU), timed.

The same math as ours-step.mjs (shapes and relative-position indices come from shapes.mjs, passed in
with --config). Run by run.mjs with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset and one torch thread
(OpenBLAS runs its own 2 threads). Prints one JSON line.
Usage: torch_step.py --config <json file> --model bert|deberta [--layers 12] [--steps 2]
"""
import argparse
import json
import math
import re
import resource
import sys
import time

import torch

parser = argparse.ArgumentParser()
parser.add_argument("--config", required=True)
parser.add_argument("--model", default="bert")
parser.add_argument("--layers", type=int, default=12)
parser.add_argument("--steps", type=int, default=2)
parser.add_argument("--breakdown", action="store_true", help="print forward / backward / Adam / bookkeeping times on stderr")
args = parser.parse_args()

torch.set_num_threads(1)
torch.manual_seed(0)
with open(args.config) as f:
    shared = json.load(f)
config = shared["models"][args.model]
layers_n = min(args.layers, config["layers"])
batch, seq, adapter, keep_fraction = shared["batch"], shared["seq"], shared["adapter"], shared["keepFraction"]
H, nh, F, eps = config["hidden"], config["heads"], config["ffn"], config["eps"]
d, N, r = H // nh, batch * seq, adapter["rank"]
scaling = adapter["alpha"] / (r + 1e-5)


def blas_in_use():
    """The BLAS library mapped into this process (Debian's torch reaches BLAS through libblas.so.3)."""
    with open("/proc/self/maps") as maps:
        libs = sorted({line.split()[-1] for line in maps if re.search(r"blas", line.split()[-1] if line.split() else "")})
    return libs


def frozen(*shape):
    return torch.randn(*shape) * 0.02


adapters = []


class Linear:
    def __init__(self, fan_in, fan_out):
        self.w = frozen(fan_in, fan_out)
        self.b = torch.zeros(fan_out)
        self.A = (torch.randn(r, fan_in) * 0.02).requires_grad_()
        self.E = torch.zeros(r).requires_grad_()
        self.B = (torch.randn(fan_out, r) * 0.02).requires_grad_()
        self.ema, self.unc = {}, {}
        adapters.append(self)

    def __call__(self, x):
        scaled_a = self.A * (self.E * scaling).reshape(-1, 1)
        return x @ self.w + self.b + (x @ scaled_a.t()) @ self.B.t()


def layer_norm(x, g, b):
    return torch.nn.functional.layer_norm(x, (H,), g, b, eps)


def gelu(x):
    return torch.nn.functional.gelu(x)


layers = [
    dict(q=Linear(H, H), k=Linear(H, H), v=Linear(H, H), o=Linear(H, H), ln1=(torch.ones(H), torch.zeros(H)),
         up=Linear(H, F), down=Linear(F, H), ln2=(torch.ones(H), torch.zeros(H)))
    for _ in range(layers_n)
]
words = frozen(config["vocab"], H)
positions = frozen(config["maxPositions"], H) if config["maxPositions"] > 0 else None
types = frozen(config["typeVocab"], H) if config["typeVocab"] > 0 else None
embed_ln = (torch.ones(H), torch.zeros(H))
rel = None
if config["relative"] is not None:
    rel = dict(table=frozen(2 * config["relative"]["buckets"], H), ln=(torch.ones(H), torch.zeros(H)),
               c2p=torch.tensor(shared["deberta"]["c2p"], dtype=torch.long), p2c=torch.tensor(shared["deberta"]["p2c"], dtype=torch.long))
head_dense, head_dense_b = frozen(H, H), torch.zeros(H)
cls_w, cls_b = frozen(H, 2).requires_grad_(), torch.zeros(2).requires_grad_()
ids = torch.tensor([(i * 7919 + 13) % config["vocab"] for i in range(N)], dtype=torch.long)
labels = torch.tensor([i % 2 for i in range(batch)], dtype=torch.long)


def split_heads(x):
    return x.reshape(N, nh, d).transpose(0, 1)


def encoder_layer(p, x, rel_table):
    q, k, v = split_heads(p["q"](x)), split_heads(p["k"](x)), split_heads(p["v"](x))
    qb, kb = q.reshape(nh * batch, seq, d), k.reshape(nh * batch, seq, d)
    scores = qb @ kb.transpose(1, 2)
    scale = math.sqrt(d)
    if rel_table is not None:
        span = rel_table.shape[0]
        kr = p["k"](rel_table).reshape(span, nh, d).transpose(0, 1)
        qr = p["q"](rel_table).reshape(span, nh, d).transpose(0, 1)
        c2p = (q @ kr.transpose(1, 2)).reshape(nh * batch, seq * span)
        p2c = (k @ qr.transpose(1, 2)).reshape(nh * batch, seq * span)
        scores = scores + c2p.index_select(1, rel["c2p"]).reshape(nh * batch, seq, seq)
        scores = scores + p2c.index_select(1, rel["p2c"]).reshape(nh * batch, seq, seq)
        scale = math.sqrt(d * 3)
    probs = torch.softmax(scores * (1 / scale), dim=-1)
    context = probs @ v.reshape(nh * batch, seq, d)
    merged = context.reshape(nh, N, d).transpose(0, 1).reshape(N, H)
    attention = layer_norm(p["o"](merged) + x, *p["ln1"])
    inter = gelu(p["up"](attention))
    return layer_norm(p["down"](inter) + attention, *p["ln2"])


def loss_fn():
    h = words[ids]
    if positions is not None:
        h = (h.reshape(batch, seq, H) + positions[:seq]).reshape(N, H)
    if types is not None:
        h = h + types[0]
    h = layer_norm(h, *embed_ln)
    rel_table = layer_norm(rel["table"], *rel["ln"]) if rel is not None else None
    for p in layers:
        h = encoder_layer(p, h, rel_table)
    cls = h.reshape(batch, seq, H)[:, 0]
    logits = torch.tanh(cls @ head_dense + head_dense_b) @ cls_w + cls_b
    ce = torch.nn.functional.cross_entropy(logits, labels)
    eye = torch.eye(r)
    norms = []
    for a in adapters:
        norms.append(torch.norm(a.A @ a.A.t() - eye, p="fro"))
        norms.append(torch.norm(a.B.t() @ a.B - eye, p="fro"))
    return ce + torch.stack(norms).sum() * (adapter["orthWeight"] / len(norms))


trainable = [t for a in adapters for t in (a.A, a.E, a.B)] + [cls_w, cls_b]
optimizer = torch.optim.Adam(trainable, lr=1e-3)


@torch.no_grad()
def bookkeeping():
    triplets = []
    for a in adapters:
        def score(name, param):
            ipt = (param * param.grad).abs()
            ema = ipt * 0.15 if name not in a.ema else a.ema[name] * 0.85 + ipt * 0.15
            diff = (ipt - ema).abs()
            unc = diff * 0.15 if name not in a.unc else a.unc[name] * 0.85 + diff * 0.15
            a.ema[name], a.unc[name] = ema, unc
            return ema * unc
        triplets.append(score("E", a.E) + score("A", a.A).mean(1) + score("B", a.B).mean(0))
    allt = torch.cat(triplets)
    threshold = torch.sort(allt).values[int(allt.numel() * (1 - keep_fraction)) - 1]
    for m, a in enumerate(adapters):
        a.E.masked_fill_(triplets[m] <= threshold, 0.0)


def blas_gflops():
    """Measured GFLOP/s of one [1024, 768] x [768, 3072] product: the reference BLAS gives ~45x less than OpenBLAS."""
    a, b = torch.randn(1024, 768), torch.randn(768, 3072)
    a @ b
    start = time.perf_counter()
    for _ in range(3):
        a @ b
    return round(3 * 2 * 1024 * 768 * 3072 / (time.perf_counter() - start) / 1e9, 1)


gflops = blas_gflops()
if args.breakdown:
    def med(fn):
        times = []
        for _ in range(4):
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        return sorted(times[1:])[1]

    def fwd():
        with torch.no_grad():
            loss_fn()

    def fwd_bwd():
        optimizer.zero_grad(set_to_none=True)
        loss_fn().backward()

    fwd_ms, fwd_bwd_ms = med(fwd), med(fwd_bwd)
    print(f"forward {fwd_ms:.0f} ms, forward+backward {fwd_bwd_ms:.0f} ms, Adam {med(optimizer.step):.0f} ms, bookkeeping {med(bookkeeping):.0f} ms", file=sys.stderr)
step_ms, book_ms = [], []
loss_value = float("nan")
for s in range(args.steps + 1):
    start = time.perf_counter()
    optimizer.zero_grad(set_to_none=True)
    loss = loss_fn()
    loss.backward()
    optimizer.step()
    loss_value = loss.item()
    mid = time.perf_counter()
    bookkeeping()
    end = time.perf_counter()
    if s > 0:
        step_ms.append((end - start) * 1000)
        book_ms.append((end - mid) * 1000)

config_text = torch.__config__.show()
print(json.dumps({
    "model": args.model, "layers": layers_n, "engine": "pytorch", "torch": torch.__version__, "threads": torch.get_num_threads(),
    "blas": blas_in_use(), "blas_gflops": gflops, "config_mentions_openblas": "openblas" in config_text.lower(),
    "steps_ms": [round(x, 1) for x in step_ms], "bookkeeping_ms": [round(x, 1) for x in book_ms],
    "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), "loss": loss_value,
}))
