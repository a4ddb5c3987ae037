#!/usr/bin/env python3
"""Independent reference data for the tensor-file tests of @adalora/tensor.

Written with the Python standard library and numpy (2.x) only (no safetensors package, no torch), so the
expected values do not come from the TypeScript code under test.

    python3 make_fixtures.py [REFERENCE_MODELS_DIR]

1. `all-dtypes.safetensors`: one tensor of every dtype the reader supports, bytes laid out here by
   hand with `struct` (header: compact JSON, `__metadata__` first, names sorted, padded with spaces
   to a multiple of 8 bytes, like the official writer). The tests hard-code the decoded values.
2. `manifest.json`: for every `*.safetensors` below REFERENCE_MODELS_DIR (default
   /work/shared/reference/models) and below this folder: metadata, and per tensor dtype, shape and
   the SHA-256 of the values as the reader must return them (float32 little-endian for F32/F16/BF16,
   decoded by numpy; the raw little-endian bytes for the other dtypes; I64 narrowed to int32).
   Shapes and dtypes of the reference files are asserted against `checkpoint_tensors` of the
   neighbouring `expected.json` (the golden data).
"""
import hashlib
import json
import os
import struct
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = sys.argv[1] if len(sys.argv) > 1 else '/work/shared/reference/models'


def write_all_dtypes(path):
    tensors = {
        # name: (dtype, shape, raw little-endian bytes)
        'bf16': ('BF16', [4], struct.pack('<4H', 0x3F80, 0xC040, 0x3E4D, 0xFF80)),
        'bool': ('BOOL', [3], bytes([1, 0, 1])),
        'empty': ('F32', [0, 3], b''),
        'f16': ('F16', [5], struct.pack('<5H', 0x3C00, 0xC000, 0x7BFF, 0x0001, 0x7C00)),
        'f32': ('F32', [2, 2], struct.pack('<4f', 0.5, -1.25, 3.0e38, 1.0e-45)),
        'f64': ('F64', [2, 2], struct.pack('<4d', 1.5, -2.25, 1e300, 5e-324)),
        'i16': ('I16', [2], struct.pack('<2h', -32768, 32767)),
        'i32': ('I32', [2, 2], struct.pack('<4i', 0, -1, 2147483647, -2147483648)),
        'i64': ('I64', [3], struct.pack('<3q', -1, 2147483647, -2147483648)),
        'i8': ('I8', [2], struct.pack('<2b', -128, 127)),
        'scalar': ('F32', [], struct.pack('<f', 42.0)),
        'u8': ('U8', [3], bytes([0, 128, 255])),
    }
    header = {'__metadata__': {'format': 'pt', 'source': 'make_fixtures.py'}}
    data = b''
    for name in sorted(tensors):
        dtype, shape, raw = tensors[name]
        header[name] = {'dtype': dtype, 'shape': shape, 'data_offsets': [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text + data)


NUMPY = {'F64': '<f8', 'F32': '<f4', 'F16': '<f2', 'I64': '<i8', 'I32': '<i4', 'I16': '<i2', 'I8': 'i1',
         'U8': 'u1', 'BOOL': 'u1'}


def decoded_values(dtype, raw):
    if dtype == 'BF16':
        bits = np.frombuffer(raw, '<u2').astype('<u4') << 16
        return bits.view('<f4')
    values = np.frombuffer(raw, NUMPY[dtype])
    if dtype in ('F32', 'F16'):
        return values.astype('<f4')
    if dtype == 'I64':
        assert values.size == 0 or (values.min() >= -2**31 and values.max() < 2**31)
        return values.astype('<i4')
    return values


def describe(path):
    with open(path, 'rb') as f:
        blob = f.read()
    (n,) = struct.unpack('<Q', blob[:8])
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    out = {'metadata': header.pop('__metadata__', {}), 'tensors': {}}
    for name, info in header.items():
        begin, end = info['data_offsets']
        values = decoded_values(info['dtype'], data[begin:end])
        assert values.size == int(np.prod(info['shape'], dtype=np.int64))
        out['tensors'][name] = {'dtype': info['dtype'], 'shape': info['shape'],
                                'sha256': hashlib.sha256(values.tobytes()).hexdigest()}
    return out


TORCH_DTYPE = {'float32': 'F32', 'float16': 'F16', 'bfloat16': 'BF16', 'int64': 'I64'}


def check_against_golden(relative, described):
    parts = relative.split('/')
    expected_path = os.path.join(REFERENCE, parts[0], 'expected.json')
    if len(parts) != 3 or not os.path.exists(expected_path):
        return
    with open(expected_path) as f:
        golden = json.load(f)['checkpoint_tensors'].get(parts[1])
    if golden is None:
        return
    assert set(golden) == set(described['tensors']), relative
    for name, info in golden.items():
        mine = described['tensors'][name]
        assert mine['shape'] == info['shape'] and mine['dtype'] == TORCH_DTYPE[info['dtype']], (relative, name)


def walk(root):
    found = []
    for directory, _, files in os.walk(root):
        found += [os.path.relpath(os.path.join(directory, f), root) for f in files if f.endswith('.safetensors')]
    return sorted(found)


def main():
    write_all_dtypes(os.path.join(HERE, 'all-dtypes.safetensors'))
    manifest = {'reference': {}, 'fixtures': {}}
    for relative in walk(REFERENCE):
        described = describe(os.path.join(REFERENCE, relative))
        check_against_golden(relative, described)
        manifest['reference'][relative] = described
    for relative in walk(HERE):
        manifest['fixtures'][relative] = describe(os.path.join(HERE, relative))
    with open(os.path.join(HERE, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, separators=(',', ':'), sort_keys=True)
        f.write('\n')
    print(f"{len(manifest['reference'])} reference files, {len(manifest['fixtures'])} fixture files")


if __name__ == '__main__':
    main()
