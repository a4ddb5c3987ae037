"""Generates the DeBERTa-v2 variant fixtures of @adalora/models (run with Debian's python3 + python3-torch 1.13).

The expected outputs come from transformers' own DeBERTa-v2 modeling code: set HF_DEBERTA_V2 to a Python
file holding the classes of transformers/models/deberta_v2/modeling_deberta_v2.py (DebertaV2Model and what it
uses, plus ContextPooler), copied unchanged apart from the package-relative imports. That file is not part of
this repository. Usage:  HF_DEBERTA_V2=/path/hf_deberta_v2.py /usr/bin/python3 generate.py
"""
import importlib.util
import json
import os
import struct
import types

import numpy as np
import torch

spec = importlib.util.spec_from_file_location("hf_deberta_v2", os.environ["HF_DEBERTA_V2"])
hf = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hf)

HERE = os.path.dirname(os.path.abspath(__file__))

# Each variant sets the config keys DebertaV2Config / the modeling code read; `saved` is the config.json
# written next to the weights (what save_pretrained would write: the non-default keys).
VARIANTS = {
    # v2 paths without buckets: absolute positions, token types, embed_proj, separate position projections,
    # no relative-embedding LayerNorm, ConvLayer (gelu). L = 40 > max_relative_positions = 16: clamp active.
    "v2-embed-proj-conv": dict(
        vocab_size=128, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
        hidden_act="gelu", hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, max_position_embeddings=64,
        type_vocab_size=2, initializer_range=0.02, layer_norm_eps=1e-7, relative_attention=True,
        max_relative_positions=16, position_buckets=-1, pad_token_id=0, position_biased_input=True,
        pos_att_type=["p2c", "c2p"], share_att_key=False, norm_rel_ebd="none", embedding_size=24,
        conv_kernel_size=3, conv_act="gelu", conv_groups=1, pooler_hidden_size=32, pooler_dropout=0,
        pooler_hidden_act="gelu",
    ),
    # xlarge-like: shared keys with buckets, c2p only, explicit attention_head_size, grouped tanh ConvLayer.
    "v2-c2p-groups-headsize": dict(
        vocab_size=128, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
        hidden_act="gelu", hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, max_position_embeddings=64,
        type_vocab_size=0, initializer_range=0.02, layer_norm_eps=1e-7, relative_attention=True,
        max_relative_positions=32, position_buckets=8, pad_token_id=0, position_biased_input=False,
        pos_att_type=["c2p"], share_att_key=True, norm_rel_ebd="layer_norm", attention_head_size=8,
        conv_kernel_size=3, conv_act="tanh", conv_groups=2, pooler_hidden_size=32, pooler_dropout=0,
        pooler_hidden_act="gelu",
    ),
}
SAVED_POS_ATT = {"v2-embed-proj-conv": "p2c|c2p", "v2-c2p-groups-headsize": ["c2p"]}


def fill(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            n = torch.randn(p.shape, generator=g, dtype=torch.float64)
            if "LayerNorm.weight" in name:
                v = 1 + 0.2 * n
            elif name.endswith("bias"):
                v = 0.1 * n
            elif "embeddings" in name and "proj" not in name:
                v = n
            else:
                fan_in = int(np.prod(p.shape[1:]))
                v = n / np.sqrt(fan_in)
            p.copy_(v.to(p.dtype))


def write_safetensors(path, tensors):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        data = tensors[name].detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def rec(t, dtype="float32"):
    a = t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    return {"shape": list(a.shape), "dtype": dtype, "data": [float(x) if dtype == "float32" else int(x) for x in a.reshape(-1)]}


rng = np.random.RandomState(7)
B, L = 2, 40
lengths = [40, 23]
ids = rng.randint(4, 128, size=(B, L))
mask = np.zeros((B, L), dtype=np.int64)
types_ = np.zeros((B, L), dtype=np.int64)
for b, n in enumerate(lengths):
    ids[b, 0], ids[b, n - 1] = 1, 2
    ids[b, n:] = 0
    mask[b, :n] = 1
    types_[b, 15:n] = 1

for name, cfg in VARIANTS.items():
    config = types.SimpleNamespace(**cfg)
    torch.manual_seed(0)
    backbone = hf.DebertaV2Model(config).eval()
    pooler = hf.ContextPooler(config).eval()
    classifier = torch.nn.Linear(config.pooler_hidden_size, 3).eval()
    fill(backbone, 1234)
    fill(pooler, 11)
    fill(classifier, 12)
    with torch.no_grad():
        emb, last, hidden, att = backbone(torch.tensor(ids), torch.tensor(mask), torch.tensor(types_))
        pooled = pooler(last)
        logits = classifier(pooled)
    out = os.path.join(HERE, name)
    os.makedirs(out, exist_ok=True)
    tensors = {f"deberta.{k}": v for k, v in backbone.state_dict().items() if k != "embeddings.position_ids"}
    tensors.update({f"pooler.{k}": v for k, v in pooler.state_dict().items()})
    tensors.update({f"classifier.{k}": v for k, v in classifier.state_dict().items()})
    write_safetensors(os.path.join(out, "model.safetensors"), tensors)
    saved = {k: v for k, v in cfg.items()}
    saved.update(model_type="deberta-v2", architectures=["DebertaV2ForSequenceClassification"], pos_att_type=SAVED_POS_ATT[name],
                 id2label={"0": "LABEL_0", "1": "LABEL_1", "2": "LABEL_2"})
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(saved, f, indent=2, sort_keys=True)
    inputs = {"input_ids": rec(ids, "int64"), "attention_mask": rec(mask, "int64"), "token_type_ids": rec(types_, "int64")}
    expected = {
        "meta": {"source": "transformers DebertaV2Model / ContextPooler (modeling_deberta_v2.py, commit 0038a3caa5c7d0c5014704005dd67ab347451ddc)", "torch": torch.__version__,
                 "compare_positions": "rows where attention_mask == 1"},
        "float32": {
            "embedding_output": rec(emb),
            "hidden_states": rec(torch.stack(hidden)),
            "last_hidden_state": rec(last),
            "attentions_layer0": rec(att[0]),
            "seqcls_pooled": rec(pooled),
            "seqcls_logits": rec(logits),
        },
    }
    with open(os.path.join(out, "inputs.json"), "w") as f:
        json.dump(inputs, f)
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f)
    print(name, "logits", logits.numpy().round(4).tolist())
