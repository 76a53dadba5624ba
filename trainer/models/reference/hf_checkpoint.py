"""Reads a Hugging Face checkpoint directory (config.json + model.safetensors, or a sharded
model.safetensors.index.json) into a config dict and numpy arrays, without the safetensors or
transformers packages: preflab's PyTorch references must run on a bare Debian python3-torch.

safetensors: an 8-byte little-endian header length, a JSON header
{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {...}}, then the raw
little-endian tensor bytes (offsets relative to the end of the header).
"""
import json
import os
import struct

import numpy as np

# Every stored float becomes float32 (F64 stays float64): bf16 is fp32's top 16 bits.
_NUMPY_DTYPES = {"F32": "<f4", "F16": "<f2", "F64": "<f8"}


class CheckpointError(Exception):
    pass


def _decode(dtype, raw, shape, name):
    if dtype == "BF16":
        values = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
    elif dtype in _NUMPY_DTYPES:
        values = np.frombuffer(raw, dtype=_NUMPY_DTYPES[dtype])
        values = values.astype(np.float64 if dtype == "F64" else np.float32)
    else:
        raise CheckpointError(f"tensor {name} has unsupported dtype {dtype} (F32, F16, BF16, F64)")
    return values.reshape(shape)


def read_safetensors(path):
    """{name: numpy array} of one safetensors file."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise CheckpointError(f"{path}: shorter than the 8-byte header length")
    (header_len,) = struct.unpack("<Q", data[:8])
    if 8 + header_len > len(data):
        raise CheckpointError(f"{path}: header length {header_len} runs past the end of the file")
    header = json.loads(data[8 : 8 + header_len].decode("utf-8"))
    base = 8 + header_len
    view = memoryview(data)
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        if base + end > len(data):
            raise CheckpointError(f"{path}: tensor {name} runs past the end of the file")
        tensors[name] = _decode(info["dtype"], view[base + begin : base + end], info["shape"], name)
    return tensors


def read_weights(directory):
    """Every tensor of the directory's model.safetensors, or of the shards its index lists."""
    single = os.path.join(directory, "model.safetensors")
    if os.path.exists(single):
        return read_safetensors(single)
    index = os.path.join(directory, "model.safetensors.index.json")
    if not os.path.exists(index):
        raise CheckpointError(f"{directory}: no model.safetensors (or model.safetensors.index.json)")
    with open(index) as f:
        shards = sorted(set(json.load(f)["weight_map"].values()))
    tensors = {}
    for shard in shards:
        tensors.update(read_safetensors(os.path.join(directory, shard)))
    return tensors


def read_config(directory):
    with open(os.path.join(directory, "config.json")) as f:
        return json.load(f)
