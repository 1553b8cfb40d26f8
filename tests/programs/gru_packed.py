"""Variable-length sequence classification: pad_sequence + pack_padded_sequence into a bidirectional GRU."""
import argparse
import os

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence


class SeqClassifier(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_dim, num_classes, rnn="GRU", dropout=0.0):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        cell = nn.GRU if rnn == "GRU" else nn.RNN
        self.rnn = cell(embed_dim, hidden_dim, num_layers=1, batch_first=True, bidirectional=True)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(2 * hidden_dim, num_classes)

    def forward(self, text, lengths):
        embedded = self.dropout(self.embedding(text))
        packed = pack_padded_sequence(embedded, lengths.cpu(), batch_first=True, enforce_sorted=False)
        packed_output, hidden = self.rnn(packed)
        output, output_lengths = pad_packed_sequence(packed_output, batch_first=True)
        # hidden: (num_layers * 2, batch, hidden); concat the last forward and backward states
        hidden = torch.cat((hidden[-2, :, :], hidden[-1, :, :]), dim=1)
        return self.fc(self.dropout(hidden)), output, output_lengths


def collate(batch):
    seqs, labels = zip(*batch)
    lengths = torch.tensor([len(s) for s in seqs])
    padded = pad_sequence(seqs, batch_first=True, padding_value=0)
    return padded, lengths, torch.stack(labels)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rnn", default="GRU", choices=["GRU", "RNN"])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--dropout", type=float, default=0.3)
    parser.add_argument("--lr", type=float, default=0.01)
    args = parser.parse_args()
    torch.manual_seed(3)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    vocab = 12
    samples = []
    for i in range(24):
        n = int(torch.randint(2, 9, (1,)).item())
        seq = torch.randint(1, vocab, (n,))
        samples.append((seq, (seq[-1] > vocab // 2).long()))   # label depends on the last real token

    model = SeqClassifier(vocab, 8, 12, 2, args.rnn, args.dropout).to(device)
    optimizer = optim.RMSprop(model.parameters(), lr=args.lr)
    criterion = nn.CrossEntropyLoss()
    losses = []
    for epoch in range(args.epochs):
        model.train()
        for b in range(0, len(samples), 8):
            text, lengths, labels = collate(samples[b:b + 8])
            text, labels = text.to(device), labels.to(device)
            optimizer.zero_grad()
            logits, output, out_lengths = model(text, lengths)
            loss = criterion(logits, labels)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        print(f"epoch {epoch} loss {np.mean(losses[-3:]):.4f} padded output {tuple(output.shape)} "
              f"lengths {out_lengths.tolist()}")

    model.eval()
    with torch.no_grad():
        text, lengths, labels = collate(samples)
        logits, output, _ = model(text.to(device), lengths)
        correct = (logits.argmax(1) == labels.to(device)).sum().item()
        print(f"train accuracy {correct}/{len(samples)}, padded positions are zero: "
              f"{bool((output[lengths.argmin(), lengths.min():] == 0).all())}")

    if os.environ.get("PROGRAM_OUT"):
        grads = {f"grad_{n}": p.grad.cpu().numpy() for n, p in model.named_parameters()}
        np.savez(os.environ["PROGRAM_OUT"], losses=np.array(losses), logits=logits.cpu().numpy(),
                 output=output.cpu().numpy(), **grads,
                 **{k: v.cpu().numpy() for k, v in model.state_dict().items()})


if __name__ == "__main__":
    main()
