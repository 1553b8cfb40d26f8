"""python -m tensorlite.as_torch: an unmodified PyTorch script runs on tensorlite."""
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import sys
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    from torch.utils.data import DataLoader, TensorDataset
    import helper                                   # a local module that imports torch too

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8, bias=False), nn.ReLU(), nn.Linear(8, 2)).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    data = DataLoader(TensorDataset(torch.randn(16, 4), torch.randint(0, 2, (16,))), batch_size=8)
    for x, y in data:
        opt.zero_grad()
        loss = F.cross_entropy(model(x.to(device)), y.to(device))
        loss.backward()
        opt.step()
    print(f"backend={torch.__name__} helper={helper.lib()} args={sys.argv[1:]} loss={loss.item():.3f}")
    """)


def test_as_torch_runs_a_pytorch_script_unchanged(tmp_path):
    (tmp_path / "train.py").write_text(SCRIPT)
    (tmp_path / "helper.py").write_text("import torch\n\ndef lib():\n    return torch.__name__\n")
    r = subprocess.run([sys.executable, "-m", "tensorlite.as_torch", str(tmp_path / "train.py"), "--epochs", "3"],
                       capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "backend=tensorlite helper=tensorlite args=['--epochs', '3'] loss=" in r.stdout


def test_as_torch_names_a_missing_module_and_a_missing_script(tmp_path):
    (tmp_path / "s.py").write_text("import torch.jit.frontend\n")
    r = subprocess.run([sys.executable, "-m", "tensorlite.as_torch", str(tmp_path / "s.py")], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode != 0 and "No module named 'torch.jit" in r.stderr and "Porting from PyTorch" in r.stderr
    r = subprocess.run([sys.executable, "-m", "tensorlite.as_torch", str(tmp_path / "nope.py")], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 2 and "no such script" in r.stderr
