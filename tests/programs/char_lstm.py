"""Character-level language model: Embedding -> 2-layer LSTM (or GRU / RNN) -> Linear, truncated BPTT."""
import argparse
import math
import os

import numpy as np
import torch
import torch.nn as nn

TEXT = ("the quick brown fox jumps over the lazy dog. " * 6 +
        "pack my box with five dozen liquor jugs. " * 4)


class RNNModel(nn.Module):
    """Container module with an encoder, a recurrent module, and a decoder."""

    def __init__(self, rnn_type, ntoken, ninp, nhid, nlayers, dropout=0.5, tie_weights=False):
        super(RNNModel, self).__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        if rnn_type in ['LSTM', 'GRU']:
            self.rnn = getattr(nn, rnn_type)(ninp, nhid, nlayers, dropout=dropout, batch_first=True)
        else:
            nonlinearity = {'RNN_TANH': 'tanh', 'RNN_RELU': 'relu'}[rnn_type]
            self.rnn = nn.RNN(ninp, nhid, nlayers, nonlinearity=nonlinearity, dropout=dropout, batch_first=True)
        self.decoder = nn.Linear(nhid, ntoken)
        if tie_weights:
            if nhid != ninp:
                raise ValueError('When using the tied flag, nhid must be equal to emsize')
            self.decoder.weight = self.encoder.weight
        self.init_weights()
        self.rnn_type = rnn_type
        self.nhid = nhid
        self.nlayers = nlayers

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output)
        return decoded, hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        if self.rnn_type == 'LSTM':
            return (weight.new_zeros(self.nlayers, bsz, self.nhid),
                    weight.new_zeros(self.nlayers, bsz, self.nhid))
        else:
            return weight.new_zeros(self.nlayers, bsz, self.nhid)


def repackage_hidden(h):
    """Wraps hidden states in new Tensors, to detach them from their history."""
    if isinstance(h, torch.Tensor):
        return h.detach()
    else:
        return tuple(repackage_hidden(v) for v in h)


def batchify(data, bsz, device):
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    return data.view(bsz, -1).contiguous().to(device)


def get_batch(source, i, bptt):
    seq_len = min(bptt, source.size(1) - 1 - i)
    data = source[:, i:i + seq_len]
    target = source[:, i + 1:i + 1 + seq_len]
    return data, target


def main():
    parser = argparse.ArgumentParser(description='character-level RNN language model')
    parser.add_argument('--model', type=str, default='LSTM', help='type of network (RNN_TANH, RNN_RELU, LSTM, GRU)')
    parser.add_argument('--emsize', type=int, default=16)
    parser.add_argument('--nhid', type=int, default=24)
    parser.add_argument('--nlayers', type=int, default=2)
    parser.add_argument('--lr', type=float, default=2.0, help='initial learning rate')
    parser.add_argument('--clip', type=float, default=0.25, help='gradient clipping')
    parser.add_argument('--epochs', type=int, default=2)
    parser.add_argument('--batch_size', type=int, default=4)
    parser.add_argument('--bptt', type=int, default=12, help='sequence length')
    parser.add_argument('--dropout', type=float, default=0.2)
    parser.add_argument('--seed', type=int, default=1111)
    parser.add_argument('--temperature', type=float, default=0.8)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    chars = sorted(set(TEXT))
    stoi = {ch: i for i, ch in enumerate(chars)}
    itos = {i: ch for ch, i in stoi.items()}
    data = torch.tensor([stoi[c] for c in TEXT], dtype=torch.long)
    train_data = batchify(data, args.batch_size, device)
    ntokens = len(chars)
    print(f"vocab size {ntokens}, train data {tuple(train_data.shape)}")

    model = RNNModel(args.model, ntokens, args.emsize, args.nhid, args.nlayers, args.dropout).to(device)
    criterion = nn.CrossEntropyLoss()
    lr = args.lr
    losses = []
    for epoch in range(1, args.epochs + 1):
        model.train()
        total_loss = 0.
        hidden = model.init_hidden(args.batch_size)
        for batch, i in enumerate(range(0, train_data.size(1) - 1, args.bptt)):
            data, targets = get_batch(train_data, i, args.bptt)
            # Starting each batch, we detach the hidden state from how it was previously produced.
            hidden = repackage_hidden(hidden)
            model.zero_grad()
            output, hidden = model(data, hidden)
            loss = criterion(output.view(-1, ntokens), targets.reshape(-1))
            loss.backward()

            # `clip_grad_norm` helps prevent the exploding gradient problem in RNNs / LSTMs.
            grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            for p in model.parameters():
                p.data.add_(p.grad, alpha=-lr)

            total_loss += loss.item()
            losses.append(loss.item())
            print('| epoch {:3d} | batch {:3d} | lr {:02.2f} | loss {:5.2f} | ppl {:8.2f} | grad norm {:.4f}'.format(
                epoch, batch, lr, loss.item(), math.exp(loss.item()), grad_norm.item()))
        lr /= 2.0

    model.eval()
    hidden = model.init_hidden(1)
    input = torch.tensor([[stoi['t']]], dtype=torch.long, device=device)
    generated = ['t']
    with torch.no_grad():
        for _ in range(30):
            output, hidden = model(input, hidden)
            char_weights = output.squeeze().div(args.temperature).exp().cpu()
            char_idx = torch.multinomial(char_weights, 1)[0]
            input.fill_(char_idx)
            generated.append(itos[char_idx.item()])
    print("sample:", repr("".join(generated)))

    if os.environ.get("PROGRAM_OUT"):
        arrays = {"losses": np.array(losses)}
        arrays.update({k: v.cpu().numpy() for k, v in model.state_dict().items()})
        np.savez(os.environ["PROGRAM_OUT"], **arrays)


if __name__ == '__main__':
    main()
