"""Knowledge distillation: a frozen teacher (requires_grad_(False), eval, no_grad) teaches a smaller student
with KL(student/T || teacher/T) * T^2 + CE; then fine-tuning only the head via filter(requires_grad)."""
import argparse
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def mlp(widths, dropout):
    layers = []
    for a, b in zip(widths[:-2], widths[1:-1]):
        layers += [nn.Linear(a, b), nn.ReLU(), nn.Dropout(dropout)]
    layers.append(nn.Linear(widths[-2], widths[-1]))
    return nn.Sequential(*layers)


def distillation_loss(student_logits, teacher_logits, labels, T, alpha):
    soft = F.kl_div(F.log_softmax(student_logits / T, dim=1), F.softmax(teacher_logits / T, dim=1),
                    reduction='batchmean') * (T * T)
    hard = F.cross_entropy(student_logits, labels)
    return alpha * soft + (1 - alpha) * hard, soft, hard


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--temperature', type=float, default=4.0)
    parser.add_argument('--alpha', type=float, default=0.7)
    parser.add_argument('--steps', type=int, default=6)
    parser.add_argument('--dropout', type=float, default=0.2)
    args = parser.parse_args()
    torch.manual_seed(12)
    device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')

    x = torch.randn(48, 10, device=device)
    labels = (x[:, 0] + x[:, 1] * x[:, 2] > 0).long() + (x[:, 3] > 1).long()
    teacher = mlp([10, 32, 32, 3], args.dropout).to(device)
    student = mlp([10, 8, 3], args.dropout).to(device)

    # pretrain the teacher briefly
    opt_t = torch.optim.Adam(teacher.parameters(), lr=1e-2)
    for _ in range(args.steps):
        opt_t.zero_grad()
        F.cross_entropy(teacher(x), labels).backward()
        opt_t.step()
    teacher.eval()
    teacher.requires_grad_(False)
    print(f"teacher trainable params: {sum(p.numel() for p in teacher.parameters() if p.requires_grad)}")

    optimizer = torch.optim.SGD(student.parameters(), lr=0.2, momentum=0.9)
    history = []
    for step in range(args.steps):
        student.train()
        with torch.no_grad():
            teacher_logits = teacher(x)
        loss, soft, hard = distillation_loss(student(x), teacher_logits, labels, args.temperature, args.alpha)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        history.append(loss.item())
        print(f"step {step}: loss {loss.item():.5f} (soft {soft.item():.5f}, hard {hard.item():.5f})")

    # fine-tune only the last layer
    for p in student.parameters():
        p.requires_grad = False
    for p in student[-1].parameters():
        p.requires_grad = True
    head_opt = torch.optim.Adam(filter(lambda p: p.requires_grad, student.parameters()), lr=5e-3)
    print(f"fine-tuning {sum(p.numel() for p in student.parameters() if p.requires_grad)} parameters")
    for step in range(3):
        head_opt.zero_grad()
        loss = F.cross_entropy(student(x), labels, label_smoothing=0.05)
        loss.backward()
        head_opt.step()
        history.append(loss.item())
        print(f"head step {step}: loss {loss.item():.5f} first-layer grad is None: {student[0].weight.grad is None}")

    student.eval()
    with torch.no_grad():
        agree = (student(x).argmax(1) == teacher(x).argmax(1)).float().mean().item()
    print(f"student/teacher agreement {agree:.4f}")
    if os.environ.get('PROGRAM_OUT'):
        np.savez(os.environ['PROGRAM_OUT'], history=np.array(history),
                 **{f"student.{k}": v.cpu().numpy() for k, v in student.state_dict().items()},
                 **{f"teacher.{k}": v.cpu().numpy() for k, v in teacher.state_dict().items()})


if __name__ == '__main__':
    main()
