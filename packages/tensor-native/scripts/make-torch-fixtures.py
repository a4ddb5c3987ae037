#!/usr/bin/env python3
"""Writes src/__fixtures__/torch-reference.json: PyTorch's (1.13, float64) LayerNorm, GELU, softmax, exp and erf,
forward and backward, on fixed inputs. The fused kernels' tests compare against it. Run with Debian's python3-torch:
/usr/bin/python3 scripts/make-torch-fixtures.py
"""
import json
import os

import torch

torch.manual_seed(7)
f64 = torch.float64


def values(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def as_float32(t):
    # Inputs are rounded to float32 first, so the tests feed exactly these numbers to float32 kernels.
    return t.to(torch.float32).to(f64)


cases = {}

for name, shape, eps in [("layer_norm_bert", (3, 5, 16), 1e-12), ("layer_norm_deberta", (7, 33), 1e-7), ("layer_norm_roberta", (2, 768), 1e-5)]:
    cols = shape[-1]
    x = as_float32(torch.randn(*shape, dtype=f64) * 3 + 1).requires_grad_()
    gamma = as_float32(torch.rand(cols, dtype=f64) + 0.5).requires_grad_()
    beta = as_float32(torch.randn(cols, dtype=f64) * 0.1).requires_grad_()
    dy = as_float32(torch.randn(*shape, dtype=f64))
    y = torch.nn.functional.layer_norm(x, (cols,), gamma, beta, eps)
    dx, dgamma, dbeta = torch.autograd.grad(y, (x, gamma, beta), dy)
    cases[name] = {"shape": list(shape), "eps": eps, "x": values(x), "gamma": values(gamma), "beta": values(beta), "dy": values(dy),
                   "y": values(y), "dx": values(dx), "dgamma": values(dgamma), "dbeta": values(dbeta)}

x = as_float32(torch.cat([torch.linspace(-8, 8, 161, dtype=f64), torch.randn(95, dtype=f64) * 2])).requires_grad_()
dy = as_float32(torch.randn(x.shape[0], dtype=f64))
y = torch.nn.functional.gelu(x)
(dx,) = torch.autograd.grad(y, (x,), dy)
cases["gelu"] = {"shape": [x.shape[0]], "x": values(x), "dy": values(dy), "y": values(y), "dx": values(dx)}

x = as_float32(torch.randn(6, 4, 37, dtype=f64) * 4).requires_grad_()
dy = as_float32(torch.randn(6, 4, 37, dtype=f64))
y = torch.softmax(x, dim=-1)
(dx,) = torch.autograd.grad(y, (x,), dy)
cases["softmax"] = {"shape": [6, 4, 37], "x": values(x), "dy": values(dy), "y": values(y), "dx": values(dx)}

x = as_float32(torch.cat([torch.linspace(-87, 88, 351, dtype=f64), torch.randn(200, dtype=f64) * 5]))
cases["exp"] = {"shape": [x.shape[0]], "x": values(x), "y": values(torch.exp(x))}
x = as_float32(torch.cat([torch.linspace(-6, 6, 241, dtype=f64), torch.randn(200, dtype=f64)]))
cases["erf"] = {"shape": [x.shape[0]], "x": values(x), "y": values(torch.erf(x))}

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "__fixtures__", "torch-reference.json")
with open(out, "w") as f:
    json.dump({"generator": "scripts/make-torch-fixtures.py", "torch": torch.__version__, "cases": cases}, f)
print(out)
