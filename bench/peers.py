"""The course's training iteration in numpy (float64) or PyTorch (float32), driven by bench/run.ts.

Reads X, Y and the initial parameters from raw little-endian float64 files in the folder given as
argv[2], then answers one command per line on stdin: "run K" does K iterations and prints their
times (ms) as a JSON list; "quit" ends. The first line printed is {"ready": ..., "version": ...}.
"""
import json
import sys
import time

import numpy as np

LIB = sys.argv[1]  # numpy | torch
FOLDER = sys.argv[2]
DIMS = [int(d) for d in sys.argv[3].split(",")]
M = int(sys.argv[4])


def read(name, shape):
    return np.fromfile(f"{FOLDER}/{name}.f64", dtype="<f8").reshape(shape)


X = read("X", (DIMS[0], M))
Y = read("Y", (1, M))
params = {}
for l in range(1, len(DIMS)):
    params[f"W{l}"] = read(f"W{l}", (DIMS[l], DIMS[l - 1]))
    params[f"b{l}"] = read(f"b{l}", (DIMS[l], 1))
L = len(DIMS) - 1
# The preset's hidden activation and learning rate (the cat run's by default).
HIDDEN = sys.argv[6] if len(sys.argv) > 6 else "relu"
LR = float(sys.argv[7]) if len(sys.argv) > 7 else 0.0075


def numpy_step(p):
    # The course's L_model_forward / L_model_backward / update_parameters, written out.
    caches = []
    A = X
    for l in range(1, L + 1):
        Z = p[f"W{l}"] @ A + p[f"b{l}"]
        A_prev = A
        A = 1 / (1 + np.exp(-Z)) if l == L else (np.tanh(Z) if HIDDEN == "tanh" else np.maximum(0, Z))
        caches.append((A_prev, Z, A))
    AL = A
    cost = float(-np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / M)
    dA = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    for l in range(L, 0, -1):
        A_prev, Z, A = caches[l - 1]
        dZ = dA * A * (1 - A) if l == L else (dA * (1 - A**2) if HIDDEN == "tanh" else np.where(Z > 0, dA, 0))
        dW = (1.0 / M) * (dZ @ A_prev.T)
        db = (1.0 / M) * np.sum(dZ, axis=1, keepdims=True)
        if l > 1:
            dA = p[f"W{l}"].T @ dZ
        p[f"W{l}"] -= LR * dW
        p[f"b{l}"] -= LR * db
    return cost


if LIB == "numpy":
    state = {k: v.copy() for k, v in params.items()}
    step = lambda: numpy_step(state)
    version = np.__version__
else:
    import torch

    torch.set_num_threads(int(sys.argv[5]) if len(sys.argv) > 5 else 2)
    Xt = torch.from_numpy(X.astype(np.float32))
    Yt = torch.from_numpy(Y.astype(np.float32))
    tp = {k: torch.from_numpy(v.astype(np.float32)).requires_grad_() for k, v in params.items()}
    opt = torch.optim.SGD(list(tp.values()), lr=LR)

    def step():
        A = Xt
        for l in range(1, L + 1):
            Z = tp[f"W{l}"] @ A + tp[f"b{l}"]
            A = torch.sigmoid(Z) if l == L else torch.relu(Z)
        cost = torch.nn.functional.binary_cross_entropy(A, Yt)
        opt.zero_grad()
        cost.backward()
        opt.step()
        return float(cost)

    version = torch.__version__

print(json.dumps({"ready": True, "version": version, "cost0": step()}), flush=True)
for line in sys.stdin:
    cmd = line.split()
    if not cmd or cmd[0] == "quit":
        break
    times = []
    for _ in range(int(cmd[1])):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps(times), flush=True)
