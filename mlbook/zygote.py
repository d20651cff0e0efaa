"""A Python interpreter that imports the slow modules once and forks a new process for every job.

Figure scripts (matplotlib, numpy) and the answers' code (numpy, torch, scikit-learn) would otherwise
import the same modules in every fresh interpreter, 0.5–3 s each time. A job is a script run as
`__main__` or code blocks run in one namespace; each runs in a process of its own, forked from the
interpreter that has imported the modules, with its own standard output and error, and ends as an
interpreter ends (its threads joined, its exit functions run, files it left open closed) with the
exit code a fresh interpreter would give. The interpreter and the job it runs are killed when the
thread that started the interpreter ends, even when the whole process is killed (PR_SET_PDEATHSIG);
processes a job starts itself are not.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

_INTERPRETER = r"""
import atexit, builtins, ctypes, gc, json, os, signal, sys, threading, traceback, types

def die_with_parent():
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass

die_with_parent()
replies = os.fdopen(os.dup(1), "w")  # to the caller; nothing else may write there
os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
import matplotlib
matplotlib.use("Agg")
for name in sys.argv[1:]:
    try:
        __import__(name)
    except BaseException:  # then the job imports it, and fails, as it would
        pass
replies.write(json.dumps(sorted({name.split(".")[0] for name in sys.modules})) + "\n")  # ready
replies.flush()

def run_blocks(job, job_state):
    variables = job_state["variables"] = {"__name__": "__answer__"}
    for block in job["blocks"]:
        exec(compile("\n" * block["line"] + block["code"], block["path"], "exec"), variables)

def run_script(job, job_state):
    os.environ.update(job["env"])
    sys.argv = job["argv"]
    sys.path[0] = job["cwd"]  # as `python script.py` has the script's folder first
    main = sys.modules["__main__"] = types.ModuleType("__main__")  # where `python script.py` runs it
    main.__file__, main.__builtins__ = job["argv"][0], builtins
    job_state["variables"] = main.__dict__
    with open(job["argv"][0], "rb") as source:
        code = compile(source.read(), job["argv"][0], "exec")
    exec(code, main.__dict__)

def run(job):
    # the job's exit code, after what an interpreter does when it exits: the job's threads joined,
    # its exit functions run (not this interpreter's), its variables deleted (which closes the files
    # it left open in order, flushing them; collected together as garbage, a file's buffer can be
    # closed before the text written to it is flushed)
    atexit._clear()
    os.chdir(job["cwd"])
    job_state, code = {}, 0
    try:
        (run_script if job["kind"] == "script" else run_blocks)(job, job_state)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
        if not isinstance(exc.code, (int, type(None))):
            print(exc.code, file=sys.stderr)
    except BaseException:
        traceback.print_exc()
        code = 1
    threading._shutdown()
    atexit._run_exitfuncs()
    atexit._clear()
    job_state.get("variables", {}).clear()
    gc.collect()
    return code

for request in sys.stdin:
    job = json.loads(request)
    pid = os.fork()
    if pid == 0:
        die_with_parent()
        for fd, path, mode in ((0, os.devnull, os.O_RDONLY), (1, job["stdout"], os.O_WRONLY),
                               (2, job["stderr"], os.O_WRONLY)):
            os.dup2(os.open(path, mode), fd)
        code = run(job)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    replies.write(json.dumps(os.waitstatus_to_exitcode(status)) + "\n")
    replies.flush()
"""
START_TIMEOUT = 300
"""Seconds the interpreter may take to import the modules (torch takes a few)."""


class Stopped(RuntimeError):
    """The interpreter died (killed, out of memory) before it answered."""


class Zygote:
    """One interpreter with `modules` imported (those that import without error), jobs run one at a
    time; `folder` receives each job's output files. Started again after a job timed out or it died."""

    def __init__(self, modules: list[str], folder: Path):
        self.modules = list(modules)
        self.folder = folder
        self.process: subprocess.Popen | None = None
        self.jobs = 0
        self._imported: frozenset[str] | None = None

    @property
    def imported(self) -> frozenset[str]:
        """Top-level names of the modules the interpreter has imported (it is started if need be)."""
        self._started()
        return self._imported

    def run_script(self, script: Path, arguments: list[str], env: dict[str, str],
                   timeout: float) -> subprocess.CompletedProcess:
        """`python script arguments…` in the script's folder with `env` added to the environment."""
        return self._run({"kind": "script", "argv": [str(script), *arguments], "cwd": str(script.parent),
                          "env": env}, timeout)

    def run_blocks(self, blocks: list[dict], timeout: float) -> subprocess.CompletedProcess:
        """Code blocks (`code`, `path`, `line`: where the block starts) run in order in one namespace,
        in this process's current folder."""
        return self._run({"kind": "blocks", "blocks": blocks, "cwd": os.getcwd()}, timeout)

    def _run(self, job: dict, timeout: float) -> subprocess.CompletedProcess:
        process = self._started()
        self.jobs += 1
        stdout, stderr = self.folder / f"{self.jobs}.out", self.folder / f"{self.jobs}.err"
        stdout.touch()
        stderr.touch()
        try:
            process.stdin.write(json.dumps({**job, "stdout": str(stdout), "stderr": str(stderr)}) + "\n")
            process.stdin.flush()
        except BrokenPipeError:
            pass  # it died: the answer below is empty
        answer = self._answer(timeout)
        if answer is None:
            self.close()
            raise subprocess.TimeoutExpired(job["kind"], timeout)
        return subprocess.CompletedProcess(job["kind"], json.loads(answer), stdout.read_text(errors="replace"),
                                           stderr.read_text(errors="replace"))

    def _answer(self, timeout: float) -> str | None:
        """The interpreter's next line; None if none came in time; `Stopped` if it died."""
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            return None
        answer = self.process.stdout.readline()
        if not answer:
            code = self.process.wait()
            self.close()
            raise Stopped(f"the interpreter running the job stopped (exit code {code})")
        return answer

    def _started(self) -> subprocess.Popen:
        """The running interpreter, done importing."""
        if self.process is None or self.process.poll() is not None:
            self._spawn()
        if self._imported is None:
            ready = self._answer(START_TIMEOUT)
            if ready is None:
                self.close()
                raise Stopped(f"the interpreter did not start within {START_TIMEOUT} s")
            self._imported = frozenset(json.loads(ready))
        return self.process

    def _spawn(self) -> None:
        """Start the interpreter (it dies with the thread that calls this); it imports meanwhile."""
        self.close()
        self.folder.mkdir(parents=True, exist_ok=True)
        # started in the jobs' folder (no modules there): `-c` puts its folder first on sys.path
        self.process = subprocess.Popen([sys.executable, "-c", _INTERPRETER, *self.modules],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                        start_new_session=True, cwd=self.folder)
        self._imported = None

    def close(self) -> None:
        """Stop the interpreter and a job it may be running."""
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:  # a request it never read
                pass
        self.process = None

    def __enter__(self):
        self._spawn()  # by this thread: the interpreter dies with the thread that started it
        return self

    def __exit__(self, *exc) -> None:
        self.close()
