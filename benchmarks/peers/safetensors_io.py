"""Read and write the `langevin` library's files with NumPy alone.

Models are safetensors files (docs/FORMATS.md): float32 tensors `layers.{i}.weight` of shape
(out, in) and `layers.{i}.bias` of shape (out,), metadata "format": "langevin-mlp",
"version": "1", "activation": relu|softplus|tanh|silu. Arrays are .npy, float32, (N, d).

The safetensors layout is simple enough that the peers need no `safetensors` package (the GPU
machine may not have one): an 8-byte little-endian header size N, N bytes of JSON
{"__metadata__": {...}, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...}, then
the data buffer (offsets relative to its start, little-endian values).

Writes go to a temporary name in the same folder and are renamed when complete, so that a
crash never leaves half a file at the output path (the library's rule too).
"""

import json
import os
import re
import struct
import tempfile

import numpy as np

from peer_common import FormatError

ACTIVATIONS = ("relu", "softplus", "tanh", "silu")

# safetensors dtype names and the NumPy types they map to (all little-endian).
_DTYPES = {
    "F32": "<f4", "F64": "<f8", "F16": "<f2",
    "I8": "i1", "I16": "<i2", "I32": "<i4", "I64": "<i8",
    "U8": "u1", "U16": "<u2", "U32": "<u4", "U64": "<u8", "BOOL": "?",
}
_LAYER_KEY = re.compile(r"^layers\.(\d+)\.(weight|bias)$")
# The reference implementation rejects larger headers as corrupt.
_MAX_HEADER_BYTES = 100 << 20


def _atomic_write(path, write):
    """Call write(file) on a temporary file beside `path`, then rename it to `path`."""
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=folder)
    try:
        with os.fdopen(handle, "wb") as file:
            write(file)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


# ---------------------------------------------------------------------------------------------
# safetensors


def _decode(dtype, raw, shape):
    if dtype == "BF16":
        # bfloat16 is the upper half of a float32.
        bits = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
        return bits.view(np.float32).reshape(shape)
    if dtype not in _DTYPES:
        raise FormatError(f"unsupported dtype {dtype!r}")
    return np.frombuffer(raw, dtype=_DTYPES[dtype]).reshape(shape).astype(np.float32)


def read_safetensors(path):
    """Return ({name: float32 array}, {metadata key: value}) from a safetensors file."""
    with open(path, "rb") as file:
        blob = file.read()
    if len(blob) < 8:
        raise FormatError(f"{path}: not a safetensors file ({len(blob)} bytes)")
    (header_bytes,) = struct.unpack("<Q", blob[:8])
    if header_bytes > len(blob) - 8 or header_bytes >= _MAX_HEADER_BYTES:
        raise FormatError(f"{path}: header size {header_bytes} does not fit the file")
    try:
        header = json.loads(blob[8:8 + header_bytes].decode("utf-8"))
    except ValueError as error:  # also UnicodeDecodeError
        raise FormatError(f"{path}: the safetensors header is not JSON ({error})") from None
    if not isinstance(header, dict):
        raise FormatError(f"{path}: the safetensors header is not a JSON object")
    data = memoryview(blob)[8 + header_bytes:]
    metadata = header.pop("__metadata__", None) or {}
    tensors = {}
    for name, entry in header.items():
        try:
            begin, end = entry["data_offsets"]
            if not 0 <= begin <= end <= len(data):
                raise FormatError(f"{path}: tensor {name!r} lies outside the data buffer")
            tensors[name] = _decode(entry["dtype"], data[begin:end], tuple(entry["shape"]))
        except FormatError:
            raise
        except (KeyError, TypeError, ValueError) as error:
            raise FormatError(f"{path}: tensor {name!r}: {error}") from None
    return tensors, metadata


def write_safetensors(path, tensors, metadata):
    """Write {name: array} as float32 safetensors with string metadata, atomically."""
    header = {"__metadata__": {str(k): str(v) for k, v in metadata.items()}}
    chunks, offset = [], 0
    for name, array in tensors.items():
        raw = np.ascontiguousarray(array, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(np.shape(array)),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    # The format pads the header with spaces so that the data buffer starts 8-byte aligned.
    text += b" " * (-len(text) % 8)

    def write(file):
        file.write(struct.pack("<Q", len(text)))
        file.write(text)
        for raw in chunks:
            file.write(raw)

    _atomic_write(path, write)


# ---------------------------------------------------------------------------------------------
# Models: a list of (weight (out, in), bias (out,)) pairs and an activation name.


def read_model(path):
    """Return (layers, activation): layers = [(W (out, in), b (out,)), ...] as float32."""
    tensors, metadata = read_safetensors(path)
    indices = {}
    for name in tensors:
        match = _LAYER_KEY.match(name)
        if match:
            indices.setdefault(int(match.group(1)), set()).add(match.group(2))
    if not indices:
        raise FormatError(f"{path}: no layers.{{i}}.weight tensors")
    layers = []
    # Indices may have gaps (an nn.Sequential with activation modules between the Linears).
    for i in sorted(indices):
        if indices[i] != {"weight", "bias"}:
            raise FormatError(f"{path}: layer {i} needs both weight and bias")
        weight, bias = tensors[f"layers.{i}.weight"], tensors[f"layers.{i}.bias"]
        if weight.ndim != 2 or bias.shape != (weight.shape[0],):
            raise FormatError(f"{path}: layer {i} has weight {weight.shape}, bias {bias.shape}")
        if layers and layers[-1][0].shape[0] != weight.shape[1]:
            raise FormatError(f"{path}: layer {i} takes {weight.shape[1]} inputs, "
                             f"the layer before gives {layers[-1][0].shape[0]}")
        layers.append((weight, bias))
    activation = metadata.get("activation")
    if activation not in ACTIVATIONS:
        raise FormatError(f"{path}: metadata activation {activation!r} is not one of "
                          f"{ACTIVATIONS}")
    return layers, activation


def write_model(path, layers, activation="relu"):
    """Write [(W (out, in), b (out,)), ...] in the library's layout and metadata."""
    tensors = {}
    for i, (weight, bias) in enumerate(layers):
        tensors[f"layers.{i}.weight"] = np.asarray(weight, dtype=np.float32)
        tensors[f"layers.{i}.bias"] = np.asarray(bias, dtype=np.float32).reshape(-1)
    metadata = {"format": "langevin-mlp", "version": "1", "activation": activation}
    write_safetensors(path, tensors, metadata)


def widths(layers):
    """Layer widths (d, H1, ..., d) of a model."""
    return [layers[0][0].shape[1]] + [weight.shape[0] for weight, _ in layers]


def describe(layers, activation):
    """The library's name for a model, e.g. 'mlp 1-1024-1 relu'."""
    return "mlp " + "-".join(str(w) for w in widths(layers)) + " " + activation


def flop_per_chain_step(layers):
    """DESIGN.md's count: 2 FLOP per multiply-add of the network (4096 for 1-1024-1)."""
    return 2 * sum(weight.size for weight, _ in layers)


# ---------------------------------------------------------------------------------------------
# Arrays


def read_array(path):
    """Read a .npy file as float32 points of shape (N, d); shape (N,) is read as (N, 1)."""
    try:
        array = np.load(path, allow_pickle=False)
    except (ValueError, EOFError) as error:
        raise FormatError(f"{path}: not a .npy array ({error})") from None
    if array.ndim == 1:
        array = array.reshape(-1, 1)
    if array.ndim != 2:
        raise FormatError(f"{path}: expected shape (N,) or (N, d), found {array.shape}")
    return np.ascontiguousarray(array, dtype=np.float32)


def write_array(path, array):
    """Write an array as little-endian float32 .npy, atomically."""
    array = np.ascontiguousarray(array, dtype="<f4")
    _atomic_write(path, lambda file: np.save(file, array, allow_pickle=False))
