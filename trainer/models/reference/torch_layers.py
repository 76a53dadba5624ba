"""What preflab's PyTorch GPT-2 and Llama-family references share: causal attention, loading
HF-named weights into a module whose attribute names ARE the HF names, and a training init."""
import math

import torch


def causal_attention(q, k, v):
    """softmax(q·kᵀ/√d + causal mask)·v; q, k, v: [batch, heads, seq, head_dim]."""
    seq, head_dim = q.shape[-2], q.shape[-1]
    scores = (q @ k.transpose(-2, -1)) / math.sqrt(head_dim)  # [batch, heads, seq, seq]
    causal = torch.ones(seq, seq, dtype=torch.bool, device=q.device).tril()
    return torch.softmax(scores.masked_fill(~causal, float("-inf")), dim=-1) @ v


def load_hf_weights(module, tensors, dtype):
    """Copies numpy tensors into `module` by name (module.hf_tensors maps a checkpoint's names);
    a missing, unexpected or misshapen tensor is an error, never a silently random weight."""
    tensors = module.hf_tensors(tensors)
    wanted = module.state_dict()
    extra = sorted(n for n in tensors if n not in wanted)
    missing = sorted(n for n in wanted if n not in tensors)
    if extra or missing:
        raise ValueError(f"checkpoint does not match the architecture: missing {missing[:5]}, unexpected {extra[:5]}")
    for name, target in wanted.items():
        if tuple(tensors[name].shape) != tuple(target.shape):
            raise ValueError(f"{name}: checkpoint shape {list(tensors[name].shape)}, architecture wants {list(target.shape)}")
    module.load_state_dict({n: torch.from_numpy(tensors[n].copy()) for n in wanted})
    return module.to(dtype)


def init_for_training(module, std=0.02):
    """Random weights as GPT-2/Llama initialize them: matrices N(0, std), norms 1, biases 0."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if p.dim() >= 2:
                p.normal_(0.0, std)
            elif name.endswith("bias"):
                p.zero_()
            else:
                p.fill_(1.0)
    return module
