"""langevin: learn the score of a data set with a small neural network and draw new samples
from it with Langevin dynamics, millions of chains at once on a GPU or the CPU.

    import langevin, numpy as np
    data = np.load("data.npy")
    fit = langevin.train(data, iterations=1200)
    x = langevin.sample(fit.model, chains=1000, steps=2000)   # NumPy (1000, d)

docs/PYTHON.md has the whole API; every function and class has its docstring.
"""

from ._langevin import (  # noqa: F401
    Checkpoint,
    Comparison,
    Diagnostics,
    Divergence,
    GaussianMixture,
    Likelihood,
    Mlp,
    SampleSummary,
    Sampler,
    SamplerConfig,
    TrainCheckpoint,
    TrainConfig,
    TrainResult,
    TrainStep,
    __version__,
    compare,
    cpu_blas,
    cpu_simd,
    cuda_available,
    cuda_built,
    diagnose,
    geometric_noise_levels,
    gpus,
    hdf5_available,
    load_gmm,
    load_mlp,
    log_likelihood,
    read_hdf5,
    read_hdf5_attributes,
    sample,
    save_mlp,
    score,
    summarize,
    summary,
    train,
    validation_rows,
    write_hdf5,
)

__all__ = [name for name in dir() if not name.startswith("_")] + ["__version__"]
