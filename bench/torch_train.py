#!/usr/bin/env python3
"""PyTorch training throughput at a model shape: the PyTorch rows of preflab's engine benchmark
(bench/torch-train.ts runs this where `import torch` works, i.e. Debian's python3-torch).

The model is preflab's own PyTorch reference of the architecture (trainer/models/reference: GPT-2,
Llama, Qwen2), built from an HF config.json shape with random weights (nothing downloaded). A step
is what preflab's engines time: forward, mean next-token cross-entropy, backward, global-norm
clipping, AdamW (decay on matrices and embeddings only, as trainer/train/optimizer.ts); one
untimed warm-up step, then `steps` timed ones. Threads: torch.set_num_threads(threads).

Usage: python3 bench/torch_train.py '{"config": {...}, "batch": 4, "seq": 128, "steps": 3,
        "threads": 2, "lr": 1e-4, "beta1": 0.9, "beta2": 0.95, "weight_decay": 0.1, "grad_clip": 1.0}'
  -> one JSON line: tokens_per_second (best step), seconds_per_step (best and mean), cpu seconds
     per step, peak_rss_mib, parameters, threads, torch version, the BLAS library mapped, last loss.
"""
import json
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "trainer", "models", "reference"))

from gpt2_reference import Gpt2  # noqa: E402
from llama_reference import Llama  # noqa: E402
from torch_layers import init_for_training  # noqa: E402

ARCHITECTURES = {"gpt2": Gpt2, "llama": Llama, "qwen2": Llama}


def peak_rss_mib():
    """VmHWM: getrusage's ru_maxrss survives exec on Linux, so it may be the parent's (node's) peak."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def blas_library():
    """Which libblas.so.3 the process mapped, by its Debian alternatives folder: "openblas-openmp",
    or "blas" for the netlib reference BLAS, ~20x slower at GEMM, which decides every number here."""
    with open("/proc/self/maps") as f:
        paths = {line.split()[-1] for line in f if "/libblas.so" in line}
    return ", ".join(sorted(p.split("/")[-2] for p in paths)) or "none mapped"


def adamw(model, o):
    """nanoGPT's grouping, as trainer/train/optimizer.ts: matrices and embeddings decay, the rest not."""
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [
        {"params": [p for p in params if p.dim() >= 2], "weight_decay": o["weight_decay"]},
        {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=o["lr"], betas=(o["beta1"], o["beta2"]), eps=o.get("epsilon", 1e-8))


def batch_ids(batch, seq, vocab):
    """Deterministic token ids (speed does not depend on them): inputs and next-token targets."""
    rows = torch.tensor([[(b * 7919 + t * 104729) % vocab for t in range(seq + 1)] for b in range(batch)])
    return rows[:, :-1], rows[:, 1:]


def main():
    o = json.loads(sys.argv[1])
    torch.manual_seed(0)
    torch.set_num_threads(o["threads"])
    config = o["config"]
    model = init_for_training(ARCHITECTURES[config["model_type"]](config)).train()
    vocab = model(torch.zeros(1, 1, dtype=torch.long)).shape[-1]
    inputs, targets = batch_ids(o["batch"], o["seq"], vocab)
    optimizer = adamw(model, o)

    def step():
        logits = model(inputs)  # [batch, seq, vocab]
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), o["grad_clip"])
        optimizer.step()
        return float(loss)

    step()  # warm-up: memory allocated, optimizer state created
    walls, cpu_started = [], time.process_time()
    for _ in range(o["steps"]):
        started = time.perf_counter()
        loss = step()
        walls.append(time.perf_counter() - started)
    tokens = o["batch"] * o["seq"]
    print(json.dumps({
        "tokens_per_second": tokens / min(walls), "best_seconds_per_step": min(walls), "mean_seconds_per_step": sum(walls) / len(walls),
        "cpu_seconds_per_step": (time.process_time() - cpu_started) / len(walls), "peak_rss_mib": round(peak_rss_mib()),
        "parameters": sum(p.numel() for p in model.parameters()), "threads": torch.get_num_threads(), "torch": torch.__version__, "blas": blas_library(), "loss": loss,
    }))


if __name__ == "__main__":
    main()
