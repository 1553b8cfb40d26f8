"""Files that are written whole or not at all.

Every file tensorlite writes (checkpoints, dataset caches and downloads, metrics, plots, traces)
goes through `atomic_write`: the content goes to a temporary file in the target's own directory
(so the final rename never crosses a file system), is fsynced, and is renamed over the target with
`os.replace`. A reader, or a machine that loses power, sees the old file or the new one, never a
torn one. On any error the temporary file is removed and the target is left as it was.
"""
import os
import tempfile

__all__ = ["atomic_write", "move_into_place", "fsync_dir"]


def _temp_prefix(base):
    # the writer's pid in the name lets a later write tell a dead writer's leftovers from a live one's
    return f".{base}.tmp-{os.getpid()}-"


def atomic_write(path, data):
    """Write `path` atomically. `data` is bytes (written as they are) or a callback `data(fh)` that
    writes to the binary file object it is given."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    base = os.path.basename(path)
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(base), dir=directory)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)          # mkstemp makes 0600; the file gets the usual permissions
    try:
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, (bytes, bytearray, memoryview)):
                fh.write(data)
            else:
                data(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _remove_stale_temp_files(directory, base)
    fsync_dir(directory)


def move_into_place(src, dst):
    """Rename the finished file `src` (in the same directory as `dst`) over `dst`, durably: for a
    file another program wrote (a download, `npm pack`) that is then checked before it is used."""
    with open(src, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(src, dst)
    fsync_dir(os.path.dirname(os.path.abspath(dst)))


def fsync_dir(directory):
    """Make a rename in `directory` survive a power cut (best effort: not every file system can)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_stale_temp_files(directory, base):
    """Temporary files of earlier writes of the same target whose writer is gone (killed mid-write)."""
    prefix = f".{base}.tmp-"
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for n in names:
        if not n.startswith(prefix):
            continue
        pid = n[len(prefix):].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or _alive(int(pid)):
            continue                      # a live writer (or this process's own concurrent write)
        try:
            os.unlink(os.path.join(directory, n))
        except OSError:
            pass


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
