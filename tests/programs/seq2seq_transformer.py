"""Sequence reversal with nn.Transformer (encoder-decoder): causal tgt_mask, padding masks, greedy decoding,
and an nn.MultiheadAttention probe returning averaged attention weights."""
import argparse
import math
import os

import numpy as np
import torch
import torch.nn as nn

PAD_IDX, BOS_IDX, EOS_IDX = 0, 1, 2


class TokenEmbedding(nn.Module):
    def __init__(self, vocab_size, emb_size):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, emb_size)
        self.emb_size = emb_size

    def forward(self, tokens):
        return self.embedding(tokens.long()) * math.sqrt(self.emb_size)


class Seq2SeqTransformer(nn.Module):
    def __init__(self, num_encoder_layers, num_decoder_layers, emb_size, nhead, vocab_size, dim_feedforward,
                 dropout):
        super().__init__()
        self.transformer = nn.Transformer(d_model=emb_size, nhead=nhead, num_encoder_layers=num_encoder_layers,
                                          num_decoder_layers=num_decoder_layers, dim_feedforward=dim_feedforward,
                                          dropout=dropout, batch_first=True)
        self.generator = nn.Linear(emb_size, vocab_size)
        self.src_tok_emb = TokenEmbedding(vocab_size, emb_size)
        self.tgt_tok_emb = TokenEmbedding(vocab_size, emb_size)
        self.pos = nn.Parameter(torch.zeros(1, 16, emb_size))
        nn.init.normal_(self.pos, std=0.1)

    def forward(self, src, trg, tgt_mask, src_padding_mask, tgt_padding_mask):
        src_emb = self.src_tok_emb(src) + self.pos[:, :src.size(1)]
        tgt_emb = self.tgt_tok_emb(trg) + self.pos[:, :trg.size(1)]
        outs = self.transformer(src_emb, tgt_emb, tgt_mask=tgt_mask, src_key_padding_mask=src_padding_mask,
                                tgt_key_padding_mask=tgt_padding_mask, memory_key_padding_mask=src_padding_mask)
        return self.generator(outs)

    def encode(self, src, src_mask=None):
        return self.transformer.encoder(self.src_tok_emb(src) + self.pos[:, :src.size(1)], src_mask)

    def decode(self, tgt, memory, tgt_mask):
        return self.transformer.decoder(self.tgt_tok_emb(tgt) + self.pos[:, :tgt.size(1)], memory, tgt_mask)


def make_batch(n, vocab, gen):
    srcs, tgts = [], []
    for _ in range(n):
        length = int(torch.randint(2, 6, (1,), generator=gen))
        seq = torch.randint(3, vocab, (length,), generator=gen)
        srcs.append(torch.cat([seq, torch.tensor([EOS_IDX])]))
        tgts.append(torch.cat([torch.tensor([BOS_IDX]), seq.flip(0), torch.tensor([EOS_IDX])]))
    src = nn.utils.rnn.pad_sequence(srcs, batch_first=True, padding_value=PAD_IDX)
    tgt = nn.utils.rnn.pad_sequence(tgts, batch_first=True, padding_value=PAD_IDX)
    return src, tgt


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--lr", type=float, default=0.05)
    args = parser.parse_args()
    torch.manual_seed(21)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    vocab = 10

    model = Seq2SeqTransformer(1, 1, 16, 2, vocab, 32, args.dropout).to(device)
    for p in model.transformer.parameters():
        if p.dim() > 1:
            nn.init.xavier_uniform_(p)
    loss_fn = nn.CrossEntropyLoss(ignore_index=PAD_IDX)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    src, tgt = make_batch(12, vocab, torch.Generator().manual_seed(5))
    src, tgt = src.to(device), tgt.to(device)
    print(f"src {tuple(src.shape)} tgt {tuple(tgt.shape)}")

    losses = []
    for step in range(args.steps):
        model.train()
        tgt_input = tgt[:, :-1]
        tgt_mask = nn.Transformer.generate_square_subsequent_mask(tgt_input.size(1), device=device)
        logits = model(src, tgt_input, tgt_mask, src == PAD_IDX, tgt_input == PAD_IDX)
        optimizer.zero_grad()
        tgt_out = tgt[:, 1:]
        loss = loss_fn(logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append(loss.item())
        print(f"step {step}: loss {loss.item():.4f}")
    print("causal mask:", tgt_mask[:3, :3].tolist())

    model.eval()
    with torch.no_grad():
        memory = model.encode(src[:1])
        ys = torch.full((1, 1), BOS_IDX, dtype=torch.long, device=device)
        for _ in range(6):
            mask = nn.Transformer.generate_square_subsequent_mask(ys.size(1), device=device)
            out = model.decode(ys, memory, mask)
            next_word = model.generator(out[:, -1]).argmax(dim=1).item()
            ys = torch.cat([ys, torch.full((1, 1), next_word, dtype=torch.long, device=device)], dim=1)
            if next_word == EOS_IDX:
                break
        print("greedy decode:", ys[0].tolist(), "source:", src[0].tolist())

        mha = nn.MultiheadAttention(16, 4, batch_first=True).to(device)
        q = torch.randn(2, 3, 16, device=device)
        kv = torch.randn(2, 5, 16, device=device)
        padding = torch.tensor([[False] * 5, [False] * 3 + [True] * 2], device=device)
        attn_out, attn_weights = mha(q, kv, kv, key_padding_mask=padding)
        print(f"mha out {tuple(attn_out.shape)} weights {tuple(attn_weights.shape)} "
              f"row sums {attn_weights.sum(-1).mean().item():.4f} "
              f"masked weight {attn_weights[1, :, 3:].abs().max().item():.4f}")

    if os.environ.get("PROGRAM_OUT"):
        out = {"losses": np.array(losses), "attn_weights": attn_weights.cpu().numpy(),
               "attn_out": attn_out.cpu().numpy()}
        out.update({k: v.cpu().numpy() for k, v in model.state_dict().items()})
        np.savez(os.environ["PROGRAM_OUT"], **out)


if __name__ == "__main__":
    main()
