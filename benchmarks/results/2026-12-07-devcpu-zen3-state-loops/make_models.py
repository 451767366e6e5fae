import json, struct, numpy as np
def save(path, widths, seed=0):
    rng = np.random.default_rng(seed)
    tensors = {}
    for l in range(len(widths) - 1):
        fan_in = widths[l]
        tensors[f"layers.{l}.weight"] = (rng.standard_normal((widths[l + 1], widths[l])) / np.sqrt(fan_in)).astype(np.float32)
        tensors[f"layers.{l}.bias"] = (0.1 * rng.standard_normal(widths[l + 1])).astype(np.float32)
    header = {"__metadata__": {"activation": "relu"}}
    blobs = []; offset = 0
    for k, v in tensors.items():
        b = v.tobytes(); header[k] = {"dtype": "F32", "shape": list(v.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b); blobs.append(b)
    h = json.dumps(header).encode(); h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h))); f.write(h); f.write(b"".join(blobs))
for w in ([16, 64, 16], [16, 64, 64, 16], [32, 64, 32], [32, 64, 64, 32], [8, 64, 8], [4, 64, 4]):
    save("models/" + "-".join(map(str, w)) + ".safetensors", w)
