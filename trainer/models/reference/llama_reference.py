"""Llama-family causal LMs (LlamaForCausalLM, Qwen2ForCausalLM) in PyTorch, written from the
architecture's definition: RMSNorm (computed in at least fp32), rotary position embeddings
(rotate_half form, inv_freq from rope_theta, optional llama3/linear scaling), grouped-query
attention (k/v heads repeated per group), SwiGLU MLP, tied or untied LM head; Qwen2 has q/k/v
biases, Llama has `attention_bias` (q/k/v/o) and `mlp_bias`. Module attribute names are the HF
tensor names (model.layers.0.self_attn.q_proj.weight, ...), so a checkpoint loads by name.

Run as a script it prints log-probs (see reference_logprobs.py for the input and output).
"""
import math

import torch
import torch.nn.functional as F

from torch_layers import causal_attention


def settings(config):
    """The fields the forward pass needs, with LlamaConfig/Qwen2Config defaults."""
    c = dict(config)
    qwen2 = c.get("model_type") == "qwen2"
    hidden, heads = c["hidden_size"], c["num_attention_heads"]
    if c.get("hidden_act", "silu") != "silu":
        raise ValueError(f"unsupported hidden_act {c['hidden_act']!r} (supported: silu)")
    if c.get("use_sliding_window"):
        raise ValueError("use_sliding_window: sliding-window attention is not implemented (full causal attention only)")
    return dict(
        vocab=c["vocab_size"], hidden=hidden, layers=c["num_hidden_layers"], heads=heads,
        kv_heads=c.get("num_key_value_heads") or heads, head_dim=c.get("head_dim") or hidden // heads,
        intermediate=c["intermediate_size"], eps=c.get("rms_norm_eps", 1e-6), theta=c.get("rope_theta", 10000.0),
        rope_scaling=c.get("rope_scaling"), tied=c.get("tie_word_embeddings", False),
        qkv_bias=True if qwen2 else c.get("attention_bias", False),
        o_bias=False if qwen2 else c.get("attention_bias", False),
        mlp_bias=False if qwen2 else c.get("mlp_bias", False),
    )


class RmsNorm(torch.nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        wide = x.to(torch.promote_types(x.dtype, torch.float32))
        wide = wide * torch.rsqrt(wide.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * wide.to(x.dtype)


def scaled_inv_freq(inv_freq, scaling):
    """rope_scaling: none/default, linear (positions / factor) or llama3 (long wavelengths slowed)."""
    kind = (scaling or {}).get("rope_type", (scaling or {}).get("type", "default"))
    if kind == "default":
        return inv_freq
    if kind == "linear":
        return inv_freq / scaling["factor"]
    if kind != "llama3":
        raise ValueError(f"unsupported rope_scaling type {kind!r} (supported: default, linear, llama3)")
    factor, low, high = scaling["factor"], scaling["low_freq_factor"], scaling["high_freq_factor"]
    old = scaling["original_max_position_embeddings"]
    wavelen = 2 * math.pi / inv_freq
    out = torch.where(wavelen > old / low, inv_freq / factor, inv_freq)
    smooth = (old / wavelen - low) / (high - low)
    medium = (wavelen >= old / high) & (wavelen <= old / low)
    return torch.where(medium, (1 - smooth) * out / factor + smooth * out, out)


def rotary(seq, head_dim, theta, scaling, dtype):
    """cos and sin [seq, head_dim]: each frequency twice (the halves rotate_half pairs)."""
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.int64).to(dtype) / head_dim))
    angles = torch.arange(seq, dtype=dtype)[:, None] * scaled_inv_freq(inv_freq, scaling)[None, :]  # [seq, head_dim/2]
    emb = torch.cat((angles, angles), dim=-1)
    return emb.cos(), emb.sin()


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Attention(torch.nn.Module):
    def __init__(self, s):
        super().__init__()
        self.s = s
        h, d = s["hidden"], s["head_dim"]
        self.q_proj = torch.nn.Linear(h, s["heads"] * d, bias=s["qkv_bias"])
        self.k_proj = torch.nn.Linear(h, s["kv_heads"] * d, bias=s["qkv_bias"])
        self.v_proj = torch.nn.Linear(h, s["kv_heads"] * d, bias=s["qkv_bias"])
        self.o_proj = torch.nn.Linear(s["heads"] * d, h, bias=s["o_bias"])

    def forward(self, x, cos, sin):  # x: [batch, seq, hidden]
        b, t, _ = x.shape
        s, d = self.s, self.s["head_dim"]
        q = self.q_proj(x).view(b, t, s["heads"], d).transpose(1, 2)  # [b, heads, t, d]
        k = self.k_proj(x).view(b, t, s["kv_heads"], d).transpose(1, 2)  # [b, kv_heads, t, d]
        v = self.v_proj(x).view(b, t, s["kv_heads"], d).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        group = s["heads"] // s["kv_heads"]  # repeat_kv: query head i reads kv head i // group
        k, v = k.repeat_interleave(group, dim=1), v.repeat_interleave(group, dim=1)
        return self.o_proj(causal_attention(q, k, v).transpose(1, 2).reshape(b, t, s["heads"] * d))


class Mlp(torch.nn.Module):
    def __init__(self, s):
        super().__init__()
        h, i, bias = s["hidden"], s["intermediate"], s["mlp_bias"]
        self.gate_proj, self.up_proj = torch.nn.Linear(h, i, bias=bias), torch.nn.Linear(h, i, bias=bias)
        self.down_proj = torch.nn.Linear(i, h, bias=bias)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Layer(torch.nn.Module):
    def __init__(self, s):
        super().__init__()
        self.input_layernorm, self.post_attention_layernorm = RmsNorm(s["hidden"], s["eps"]), RmsNorm(s["hidden"], s["eps"])
        self.self_attn, self.mlp = Attention(s), Mlp(s)

    def forward(self, x, cos, sin):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin)
        return x + self.mlp(self.post_attention_layernorm(x))


class Llama(torch.nn.Module):
    def __init__(self, config):
        super().__init__()
        s = self.s = settings(config)
        if s["heads"] % s["kv_heads"] != 0:
            raise ValueError(f"num_attention_heads {s['heads']} is not a multiple of num_key_value_heads {s['kv_heads']}")
        self.model = torch.nn.ModuleDict(dict(
            embed_tokens=torch.nn.Embedding(s["vocab"], s["hidden"]),
            layers=torch.nn.ModuleList(Layer(s) for _ in range(s["layers"])),
            norm=RmsNorm(s["hidden"], s["eps"]),
        ))
        self.lm_head = None if s["tied"] else torch.nn.Linear(s["hidden"], s["vocab"], bias=False)

    def hf_tensors(self, tensors):
        """Checkpoint tensors by this module's names: rotary caches some exports store are dropped,
        and so is a stored LM head when the config ties it (transformers ties it to the embedding);
        a bare LlamaModel's names get the `model.` prefix."""
        named = {(n if n.startswith(("model.", "lm_head.")) else f"model.{n}"): v for n, v in tensors.items()}
        return {n: v for n, v in named.items() if not n.endswith("rotary_emb.inv_freq") and not (self.lm_head is None and n == "lm_head.weight")}

    def forward(self, ids):  # ids: [batch, seq] -> logits [batch, seq, vocab]
        m, s = self.model, self.s
        x = m.embed_tokens(ids)
        cos, sin = rotary(ids.shape[1], s["head_dim"], s["theta"], s["rope_scaling"], x.dtype)
        for layer in m.layers:
            x = layer(x, cos, sin)
        x = m.norm(x)
        return x @ m.embed_tokens.weight.T if self.lm_head is None else self.lm_head(x)


if __name__ == "__main__":
    from reference_logprobs import main

    main()
