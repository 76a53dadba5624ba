#!/usr/bin/env python3
"""The policy bench's training steps in PyTorch, for the ratio column of `npm run bench -- policy`.

Run by bench/policy-bench.ts only where `import torch` works (Debian's python3-torch): a minimal
hand-written GPT-2 (random weights of the same shapes, nothing downloaded), the same DPO (sigmoid)
and SFT losses over the same token ids, AdamW with gradient clipping at 1, one warm-up step and then
the case's timed steps. LoRA is PEFT's form, (x·A)·B beside the frozen x·W. One thread by default,
as tfjs-wasm has (PREFLAB_TORCH_THREADS changes it).

Usage: python3 bench/policy-bench.py '<cases as JSON>'  ->  one JSON line per case.
"""
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

SHAPES = {
    "builtin": dict(n_layer=4, n_head=4, n_embd=128, n_positions=64, vocab_size=2048),
    "gpt2-small": dict(n_layer=12, n_head=12, n_embd=768, n_positions=1024, vocab_size=50257),
}
LORA_RANK, LORA_ALPHA, DPO_BETA = 8, 16, 0.1


class Conv1D(torch.nn.Module):
    """GPT-2's [in, out] linear layer, with optional LoRA adapters on a frozen weight."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(n_in, n_out) * 0.02)
        self.bias = torch.nn.Parameter(torch.zeros(n_out))
        self.lora_A = self.lora_B = None

    def add_lora(self, rank, alpha):
        n_in, n_out = self.weight.shape
        bound = 1 / math.sqrt(n_in)
        self.lora_A = torch.nn.Parameter(torch.empty(n_in, rank).uniform_(-bound, bound))
        self.lora_B = torch.nn.Parameter(torch.zeros(rank, n_out))
        self.scale = alpha / rank

    def forward(self, x):
        y = x @ self.weight + self.bias
        if self.lora_A is not None:
            y = y + (x @ self.lora_A) @ self.lora_B * self.scale
        return y


class Block(torch.nn.Module):
    def __init__(self, e, heads):
        super().__init__()
        self.heads = heads
        self.ln_1, self.ln_2 = torch.nn.LayerNorm(e, eps=1e-5), torch.nn.LayerNorm(e, eps=1e-5)
        self.c_attn, self.attn_proj = Conv1D(e, 3 * e), Conv1D(e, e)
        self.c_fc, self.mlp_proj = Conv1D(e, 4 * e), Conv1D(4 * e, e)

    def forward(self, x):  # x: [batch, seq, e]
        b, t, e = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(e, dim=2)
        q, k, v = (z.view(b, t, self.heads, e // self.heads).transpose(1, 2) for z in (q, k, v))  # [b, h, t, d]
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(e // self.heads)  # [b, h, t, t]
        causal = torch.ones(t, t, dtype=torch.bool).tril()
        att = torch.softmax(scores.masked_fill(~causal, float("-inf")), dim=-1)
        x = x + self.attn_proj((att @ v).transpose(1, 2).reshape(b, t, e))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class Gpt2(torch.nn.Module):
    def __init__(self, n_layer, n_head, n_embd, n_positions, vocab_size):
        super().__init__()
        self.wte = torch.nn.Parameter(torch.randn(vocab_size, n_embd) * 0.02)
        self.wpe = torch.nn.Parameter(torch.randn(n_positions, n_embd) * 0.01)
        self.h = torch.nn.ModuleList(Block(n_embd, n_head) for _ in range(n_layer))
        self.ln_f = torch.nn.LayerNorm(n_embd, eps=1e-5)

    def forward(self, ids):  # ids: [batch, seq] -> logits [batch, seq, vocab] (LM head tied to wte)
        x = self.wte[ids] + self.wpe[: ids.shape[1]]
        for block in self.h:
            x = block(x)
        return self.ln_f(x) @ self.wte.t()


def token_ids(n, prompt, completion, vocab, salt):
    """The same ids as bench/policy-bench.ts's rows()."""
    return [[(r * 7919 + t * 104729 + salt * 31) % vocab for t in range(prompt + completion)] for r in range(n)]


def completion_logps(model, ids, prompt):
    """Summed completion log-probs per row: [rows] (every row has the same length here)."""
    logp = torch.log_softmax(model(ids)[:, :-1], dim=-1)  # [rows, seq-1, vocab]
    per_token = logp.gather(2, ids[:, 1:].unsqueeze(2)).squeeze(2)  # [rows, seq-1]
    return per_token[:, prompt - 1 :].sum(1)


def loss_fn(case, model, vocab):
    n, p, c = case["batch"], case["prompt"], case["completion"]
    if case["objective"] == "sft":
        ids = torch.tensor(token_ids(n, p, c, vocab, 3))
        return lambda: -completion_logps(model, ids, p).sum() / (n * c)
    chosen = token_ids(n, p, c, vocab, 1)
    rejected = [chosen[r][:p] + row[p:] for r, row in enumerate(token_ids(n, p, c, vocab, 2))]
    ids = torch.tensor(chosen + rejected)
    ref = torch.full((n,), -100.0)

    def dpo():
        logps = completion_logps(model, ids, p)
        margin = DPO_BETA * ((logps[:n] - ref) - (logps[n:] - ref))
        return -F.logsigmoid(margin).mean()

    return dpo


def run_case(case):
    torch.manual_seed(1)
    shape = SHAPES[case["model"]]
    model = Gpt2(**shape)
    if case["lora"]:
        model.requires_grad_(False)
        for block in model.h:
            for layer in (block.c_attn, block.attn_proj, block.c_fc, block.mlp_proj):
                layer.add_lora(LORA_RANK, LORA_ALPHA)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=1e-5, betas=(0.9, 0.999), weight_decay=0)
    loss = loss_fn(case, model, shape["vocab_size"])
    times = []
    for step in range(case["steps"] + 1):
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        value = loss()
        value.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimizer.step()
        if step > 0:
            times.append((time.perf_counter() - start) * 1000)
        if not math.isfinite(value.item()):
            raise RuntimeError(f"loss {value.item()} at step {step}")
    return {"ms_per_step": sum(times) / len(times), "trainable": sum(p.numel() for p in trainable)}


def main():
    torch.set_num_threads(int(os.environ.get("PREFLAB_TORCH_THREADS", "1")))
    for case in json.loads(sys.argv[1]):
        out = {"model": case["model"], "name": case["name"], "torch": torch.__version__, "threads": torch.get_num_threads()}
        try:
            out.update(run_case(case))
        except Exception as error:  # one case failing (e.g. out of memory) must not hide the others
            out["error"] = f"{type(error).__name__}: {error}"
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
