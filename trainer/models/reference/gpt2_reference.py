"""GPT-2 (GPT2LMHeadModel's forward) in PyTorch, written from the architecture's definition:
learned positions, pre-norm blocks (LayerNorm, fused q/k/v attention, GELU MLP), final LayerNorm,
LM head tied to the token embedding. Module attribute names are the HF tensor names
(transformer.h.0.attn.c_attn.weight, ...), so a checkpoint loads by name.

Run as a script it prints log-probs (see reference_logprobs.py for the input and output).
"""
import torch
import torch.nn.functional as F

from torch_layers import causal_attention

# transformers' GPT2Config defaults, for a config.json that omits a field.
DEFAULTS = dict(n_layer=12, n_head=12, n_embd=768, n_positions=1024, vocab_size=50257, layer_norm_epsilon=1e-5, activation_function="gelu_new")
ACTIVATIONS = {"gelu_new": lambda x: F.gelu(x, approximate="tanh"), "gelu": F.gelu}


class Conv1D(torch.nn.Module):
    """GPT-2's linear layer: weight stored [in, out] (transposed from torch.nn.Linear)."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.empty(n_in, n_out))
        self.bias = torch.nn.Parameter(torch.zeros(n_out))

    def forward(self, x):
        return x @ self.weight + self.bias


class Attention(torch.nn.Module):
    def __init__(self, e, heads):
        super().__init__()
        self.heads = heads
        self.c_attn, self.c_proj = Conv1D(e, 3 * e), Conv1D(e, e)

    def forward(self, x):  # x: [batch, seq, e]
        b, t, e = x.shape
        q, k, v = self.c_attn(x).split(e, dim=2)
        q, k, v = (z.view(b, t, self.heads, e // self.heads).transpose(1, 2) for z in (q, k, v))  # [b, h, t, d]
        return self.c_proj(causal_attention(q, k, v).transpose(1, 2).reshape(b, t, e))


class Mlp(torch.nn.Module):
    def __init__(self, e, activation):
        super().__init__()
        self.c_fc, self.c_proj = Conv1D(e, 4 * e), Conv1D(4 * e, e)
        self.activation = activation

    def forward(self, x):
        return self.c_proj(self.activation(self.c_fc(x)))


class Block(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        e = c["n_embd"]
        self.ln_1, self.ln_2 = torch.nn.LayerNorm(e, eps=c["layer_norm_epsilon"]), torch.nn.LayerNorm(e, eps=c["layer_norm_epsilon"])
        self.attn = Attention(e, c["n_head"])
        self.mlp = Mlp(e, ACTIVATIONS[c["activation_function"]])

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Gpt2(torch.nn.Module):
    def __init__(self, config):
        super().__init__()
        c = {**DEFAULTS, **config}
        if c["activation_function"] not in ACTIVATIONS:
            raise ValueError(f"unsupported activation_function {c['activation_function']!r} (supported: {', '.join(ACTIVATIONS)})")
        self.transformer = torch.nn.ModuleDict(dict(
            wte=torch.nn.Embedding(c["vocab_size"], c["n_embd"]),
            wpe=torch.nn.Embedding(c["n_positions"], c["n_embd"]),
            h=torch.nn.ModuleList(Block(c) for _ in range(c["n_layer"])),
            ln_f=torch.nn.LayerNorm(c["n_embd"], eps=c["layer_norm_epsilon"]),
        ))

    def hf_tensors(self, tensors):
        """Checkpoint tensors by this module's names: hub checkpoints often lack the `transformer.`
        prefix (gpt2's own does); causal-mask buffers and the tied LM head (it IS wte) are dropped."""
        named = {(n if n.startswith(("transformer.", "lm_head.")) else f"transformer.{n}"): v for n, v in tensors.items()}
        return {n: v for n, v in named.items() if not n.endswith((".attn.bias", ".attn.masked_bias")) and n != "lm_head.weight"}

    def forward(self, ids):  # ids: [batch, seq] -> logits [batch, seq, vocab]
        t = self.transformer
        x = t.wte(ids) + t.wpe(torch.arange(ids.shape[1]))
        for block in t.h:
            x = block(x)
        return t.ln_f(x) @ t.wte.weight.T


if __name__ == "__main__":
    from reference_logprobs import main

    main()
