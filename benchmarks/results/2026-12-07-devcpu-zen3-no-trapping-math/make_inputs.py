# The inputs of training_bits.sh, train_speed.sh and sample_speed.sh that `langevin data` does not draw:
# a 10-D data set (two shifted standard normals) and the 8-D and 100-D three-component mixtures.
import json, random
import numpy as np
r = np.random.default_rng(1)
x = r.standard_normal((3000, 10)).astype(np.float32)
x[:1500] += 2
np.save("data10.npy", x)
random.seed(3)
for d, name in ((100, "g100.json"), (8, "g8.json")):
    json.dump({"weights": [0.5, 0.3, 0.2],
               "means": [[random.uniform(-3, 3) for _ in range(d)] for _ in range(3)],
               "stds": [[1.0] * d, [0.7] * d, [1.3] * d]}, open(name, "w"))
