"""The MPI world: lazy mpi4py import, init, rank / size, and waits that cannot hang forever."""
import datetime
import os
import sys
import time

INSTALL_HINT = ("install an MPI runtime and mpi4py: `apt-get install openmpi-bin libopenmpi-dev` "
                "then `pip install tensorlite[mpi]` (or `pip install mpi4py`)")
DEFAULT_TIMEOUT = 1800.0            # seconds, PyTorch's default for CPU process groups
_ENV_SIZES = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS")


class _World:
    MPI = None          # the mpi4py.MPI module once init() ran
    comm = None         # a duplicate of COMM_WORLD: our traffic never mixes with the user's
    rank = 0
    size = 1
    timeout = DEFAULT_TIMEOUT
    prev_excepthook = None


_world = _World()


def is_available():
    """True when mpi4py can be imported (the MPI library itself is loaded by init())."""
    import importlib.util
    return importlib.util.find_spec("mpi4py") is not None


def env_world_size():
    """The number of processes the launcher (mpirun / mpiexec) started, from its environment
    variables; 1 outside a launcher.  Needs no MPI import."""
    for name in _ENV_SIZES:
        value = os.environ.get(name)
        if value and value.isdigit():
            return int(value)
    return 1


def _import_mpi(fname):
    try:
        import mpi4py
    except ImportError:
        raise ImportError(f"tensorlite.distributed.{fname}(): mpi4py is not installed; {INSTALL_HINT}") from None
    try:
        from mpi4py import MPI
    except (ImportError, OSError, RuntimeError) as e:
        raise RuntimeError(f"tensorlite.distributed.{fname}(): mpi4py {mpi4py.__version__} is installed but "
                           f"could not load an MPI library ({e}); {INSTALL_HINT}") from None
    return MPI


def _seconds(timeout, fname):
    if timeout is None:
        value = os.environ.get("TENSORLITE_DIST_TIMEOUT")
        if value is None:
            return DEFAULT_TIMEOUT
        try:
            timeout = float(value)
        except ValueError:
            raise ValueError(f"tensorlite.distributed.{fname}(): TENSORLITE_DIST_TIMEOUT={value!r} is not a "
                             f"number of seconds") from None
    if isinstance(timeout, datetime.timedelta):
        timeout = timeout.total_seconds()
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(f"tensorlite.distributed.{fname}(): timeout must be a positive number of seconds or a "
                         f"datetime.timedelta, got {timeout!r}")
    return float(timeout)


def init(timeout=None):
    """Join the MPI world that `mpirun -np N` / `mpiexec` started (a world of one process when the
    script was started without a launcher).  Calling it again does nothing.

    timeout: seconds (or a datetime.timedelta) that any collective may wait for the other ranks
    before raising RuntimeError; default TENSORLITE_DIST_TIMEOUT or 1800.  In a world of more
    than one process an uncaught exception on any rank prints its traceback and calls MPI_Abort,
    which ends every rank of the job instead of leaving them waiting."""
    if _world.comm is not None:
        return
    seconds = _seconds(timeout, "init")
    MPI = _import_mpi("init")
    comm = MPI.COMM_WORLD.Dup()
    _world.MPI, _world.comm = MPI, comm
    _world.rank, _world.size, _world.timeout = comm.Get_rank(), comm.Get_size(), seconds
    if _world.size > 1:
        _world.prev_excepthook = sys.excepthook
        sys.excepthook = _abort_on_uncaught


def init_process_group(backend="mpi", timeout=None, world_size=-1, rank=-1):
    """PyTorch's spelling of init(): backend must be "mpi"; world_size / rank, when given, must
    agree with what the launcher set up."""
    if backend not in ("mpi", None):
        raise ValueError(f"tensorlite.distributed.init_process_group(): backend={backend!r} is not supported; "
                         f"tensorlite runs over MPI (backend='mpi')")
    if _world.comm is not None:
        raise RuntimeError("tensorlite.distributed.init_process_group(): trying to initialize the default "
                           "process group twice")
    init(timeout)
    for name, want, have in (("world_size", world_size, _world.size), ("rank", rank, _world.rank)):
        if want not in (-1, None) and want != have:
            raise ValueError(f"tensorlite.distributed.init_process_group(): {name}={want} but mpirun started this "
                             f"process with {name} {have}")


def destroy_process_group():
    """Leave the world (the MPI library itself stays loaded; init() may be called again)."""
    if _world.comm is None:
        return
    if sys.excepthook is _abort_on_uncaught:
        sys.excepthook = _world.prev_excepthook
    _world.comm.Free()
    _world.comm, _world.rank, _world.size = None, 0, 1


def is_initialized():
    return _world.comm is not None


def _require(fname):
    if _world.comm is None:
        raise RuntimeError(f"tensorlite.distributed.{fname}(): the process group is not initialized; call "
                           f"tensorlite.distributed.init() first (and launch with `mpirun -np N python ...`)")
    return _world


def rank():
    """This process's rank, 0 .. world_size() - 1."""
    return _require("rank").rank


def world_size():
    """The number of processes in the world."""
    return _require("world_size").size


get_rank, get_world_size = rank, world_size


def _abort_on_uncaught(exc_type, exc, tb):
    (_world.prev_excepthook or sys.__excepthook__)(exc_type, exc, tb)
    comm = _world.comm
    if comm is not None:
        print(f"tensorlite.distributed: rank {_world.rank} of {_world.size} raised an uncaught "
              f"{exc_type.__name__}; calling MPI_Abort to end every rank of the job", file=sys.stderr, flush=True)
        comm.Abort(1)


def _mpi_error(e, what):
    return RuntimeError(f"tensorlite.distributed.{what}: MPI reported an error on rank {_world.rank}: "
                        f"{e.Get_error_string()}")


def test(request, what):
    """Whether an MPI request has completed (and a kick to MPI's progress engine)."""
    try:
        return request.Test()
    except _world.MPI.Exception as e:
        raise _mpi_error(e, what) from None


def wait(request, what):
    """Complete an MPI request.  Polls (which also drives MPI's progress engine) and raises
    RuntimeError once the world's timeout has passed: a rank that died or stopped calling the
    same collectives then becomes an error here rather than a hang."""
    MPI = _world.MPI
    try:
        if request.Test():
            return
        start = time.monotonic()
        spin_until, deadline = start + 5e-4, start + _world.timeout
        nap = 0.0
        while not request.Test():
            now = time.monotonic()
            if now > spin_until:            # spin 0.5 ms, then naps growing to 0.5 ms
                nap = min(5e-4, max(nap * 2, 5e-5))
                time.sleep(nap)
            if now > deadline:
                raise RuntimeError(
                    f"tensorlite.distributed.{what}: rank {_world.rank} of {_world.size} waited "
                    f"{time.monotonic() - start:.1f} s (the timeout) for the other ranks; a rank has probably "
                    f"failed or stopped calling the same collectives (set the limit with "
                    f"tensorlite.distributed.init(timeout=...) or TENSORLITE_DIST_TIMEOUT)")
    except MPI.Exception as e:
        raise _mpi_error(e, what) from None
