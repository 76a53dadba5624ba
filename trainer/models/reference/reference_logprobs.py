#!/usr/bin/env python3
"""PyTorch reference log-probs of an HF checkpoint directory (GPT-2, Llama, Qwen2): what preflab's
`model logprobs` must agree with. Reads config.json + model.safetensors itself (numpy only), builds
the architecture named by config.json's model_type, and scores token ids, one sequence per forward
pass (no padding, so nothing but the architecture can differ).

  python3 reference_logprobs.py DIR --ids 5,17,3 [--double]
      -> {"token_ids": [...], "logprobs": [null, lp1, ...]}     (as `model logprobs --text` prints)
  python3 reference_logprobs.py DIR [--double] < [{"prompt_ids": [...], "completion_ids": [...]}, ...]
      -> one {"logprob", "tokens", "logprobs"} line per item    (as `model logprobs --input` prints,
         plus the per-token log-probs)

float32 by default; --double runs in float64, the exact answer an fp32 implementation is held to.
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from gpt2_reference import Gpt2  # noqa: E402
from hf_checkpoint import read_config, read_weights  # noqa: E402
from llama_reference import Llama  # noqa: E402
from torch_layers import load_hf_weights  # noqa: E402

ARCHITECTURES = {"gpt2": Gpt2, "llama": Llama, "qwen2": Llama}


def load_model(directory, dtype):
    config = read_config(directory)
    kind = config.get("model_type")
    if kind not in ARCHITECTURES:
        raise ValueError(f"{directory}/config.json: unsupported model_type {kind!r} (supported: {', '.join(ARCHITECTURES)})")
    return load_hf_weights(ARCHITECTURES[kind](config), read_weights(directory), dtype).eval()


@torch.no_grad()
def sequence_logprobs(model, ids):
    """log p(ids[t] | ids[:t]) for t ≥ 1; the first token has none (None)."""
    logits = model(torch.tensor([ids], dtype=torch.long))[0]  # [seq, vocab]
    logprobs = torch.log_softmax(logits[:-1], dim=-1).gather(1, torch.tensor(ids[1:])[:, None])[:, 0]
    return [None] + [float(x) for x in logprobs]


def completion_result(model, item):
    prompt, completion = item["prompt_ids"], item["completion_ids"]
    if len(prompt) == 0:
        raise ValueError("an item has no prompt tokens: the first completion token needs one to condition on (eos as BOS)")
    logprobs = sequence_logprobs(model, prompt + completion)[len(prompt):]
    return {"logprob": sum(logprobs), "tokens": len(completion), "logprobs": logprobs}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help="HF checkpoint directory")
    parser.add_argument("--ids", help="comma-separated token ids of one text (else items on stdin)")
    parser.add_argument("--double", action="store_true", help="compute in float64")
    args = parser.parse_args()
    torch.set_num_threads(1)  # tiny models: threads only add noise and contention
    model = load_model(args.model, torch.float64 if args.double else torch.float32)
    if args.ids is not None:
        ids = [int(x) for x in args.ids.split(",") if x.strip()]
        print(json.dumps({"token_ids": ids, "logprobs": sequence_logprobs(model, ids) if ids else []}))
        return
    for item in json.load(sys.stdin):
        print(json.dumps(completion_result(model, item)))


if __name__ == "__main__":
    main()
