"""Sequence classification with nn.TransformerEncoder over padded token batches (src_key_padding_mask)."""
import argparse
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

PAD = 0


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, dropout=0.1, max_len=64):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(1, max_len, d_model)
        pe[0, :, 0::2] = torch.sin(position * div_term)
        pe[0, :, 1::2] = torch.cos(position * div_term)
        self.register_buffer('pe', pe)

    def forward(self, x):
        x = x + self.pe[:, :x.size(1)]
        return self.dropout(x)


class TransformerClassifier(nn.Module):
    def __init__(self, ntoken, d_model, nhead, d_hid, nlayers, nclass, dropout=0.1):
        super().__init__()
        self.model_type = 'Transformer'
        self.embedding = nn.Embedding(ntoken, d_model, padding_idx=PAD)
        self.pos_encoder = PositionalEncoding(d_model, dropout)
        encoder_layers = nn.TransformerEncoderLayer(d_model, nhead, d_hid, dropout, batch_first=True)
        self.transformer_encoder = nn.TransformerEncoder(encoder_layers, nlayers)
        self.d_model = d_model
        self.classifier = nn.Linear(d_model, nclass)

    def forward(self, src, src_key_padding_mask):
        x = self.embedding(src) * math.sqrt(self.d_model)
        x = self.pos_encoder(x)
        x = self.transformer_encoder(x, src_key_padding_mask=src_key_padding_mask)
        keep = (~src_key_padding_mask).unsqueeze(-1).to(x.dtype)
        pooled = (x * keep).sum(dim=1) / keep.sum(dim=1).clamp(min=1.0)   # mean over real tokens
        return self.classifier(pooled)


def make_batch(n, max_len, ntoken, gen):
    lengths = torch.randint(3, max_len + 1, (n,), generator=gen)
    src = torch.full((n, max_len), PAD, dtype=torch.long)
    for i, length in enumerate(lengths.tolist()):
        src[i, :length] = torch.randint(1, ntoken, (length,), generator=gen)
    # label: does the sequence contain more "high" tokens than "low" ones
    high = ((src > ntoken // 2) & (src != PAD)).sum(1)
    low = ((src <= ntoken // 2) & (src != PAD)).sum(1)
    labels = (high > low).long()
    return src, labels


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ntoken", type=int, default=20)
    parser.add_argument("--d-model", type=int, default=16)
    parser.add_argument("--nhead", type=int, default=2)
    parser.add_argument("--d-hid", type=int, default=32)
    parser.add_argument("--nlayers", type=int, default=2)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    gen = torch.Generator().manual_seed(123)
    train_src, train_y = make_batch(32, 10, args.ntoken, gen)
    test_src, test_y = make_batch(16, 10, args.ntoken, gen)

    model = TransformerClassifier(args.ntoken, args.d_model, args.nhead, args.d_hid, args.nlayers, 2,
                                  args.dropout).to(device)
    # SGD, not Adam: the key projection's bias gets a zero gradient (softmax ignores a per-query shift),
    # and Adam would turn its rounding noise into full-size steps
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 2, gamma=0.95)
    print(f"{sum(p.numel() for p in model.parameters())} parameters, "
          f"{len(list(model.transformer_encoder.layers))} encoder layers")

    losses = []
    for step in range(args.steps):
        model.train()
        idx = torch.randperm(train_src.size(0))[:16]
        src, y = train_src[idx].to(device), train_y[idx].to(device)
        mask = src == PAD
        optimizer.zero_grad()
        logits = model(src, mask)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
        print(f"step {step:2d} | loss {loss.item():.4f} | lr {scheduler.get_last_lr()[0]:.6f}")

    model.eval()
    with torch.no_grad():
        src, y = test_src.to(device), test_y.to(device)
        logits = model(src, src == PAD)
        probs = F.softmax(logits, dim=-1)
        acc = (logits.argmax(-1) == y).float().mean().item()
        print(f"test acc {acc:.3f} mean p(class 1) {probs[:, 1].mean().item():.4f}")

    if os.environ.get("PROGRAM_OUT"):
        out = {"losses": np.array(losses), "test_logits": logits.cpu().numpy()}
        out.update({k: v.cpu().numpy() for k, v in model.state_dict().items()})
        np.savez(os.environ["PROGRAM_OUT"], **out)


if __name__ == "__main__":
    main()
