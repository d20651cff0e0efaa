"""A Python interpreter that imports the slow modules once and forks a new process for every job.

Figure scripts (matplotlib, numpy) and the answers' code (numpy, torch, scikit-learn) would otherwise
import the same modules in every fresh interpreter, 0.5–3 s each time. A job is a script run as
`__main__` or code blocks run in one namespace; each runs in a process of its own, forked from the
interpreter that has imported the modules, with its own standard output and error, and gives the
exit code a fresh interpreter would. The interpreter and its jobs die with the process that started
them, even when it is killed.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import sys
from pathlib import Path

_INTERPRETER = r"""
import ctypes, json, os, runpy, signal, sys, traceback

def die_with_parent():
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass

die_with_parent()
replies = os.fdopen(os.dup(1), "w")  # exit codes to the caller; nothing else may write there
os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
import matplotlib
matplotlib.use("Agg")
for name in sys.argv[1:]:
    try:
        __import__(name)
    except Exception:
        pass

def run_blocks(job):
    namespace = {"__name__": "__answer__"}
    for block in job["blocks"]:
        exec(compile("\n" * block["line"] + block["code"], block["path"], "exec"), namespace)

def run_script(job):
    os.chdir(job["cwd"])
    os.environ.update(job["env"])
    sys.argv = job["argv"]
    sys.path[0] = job["cwd"]  # as `python script.py` has the script's folder first
    runpy.run_path(job["argv"][0], run_name="__main__")

for request in sys.stdin:
    job = json.loads(request)
    pid = os.fork()
    if pid == 0:
        die_with_parent()
        for fd, path, mode in ((0, os.devnull, os.O_RDONLY), (1, job["stdout"], os.O_WRONLY),
                               (2, job["stderr"], os.O_WRONLY)):
            os.dup2(os.open(path, mode), fd)
        code = 0
        try:
            (run_script if job["kind"] == "script" else run_blocks)(job)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
            if not isinstance(exc.code, (int, type(None))):
                print(exc.code, file=sys.stderr)
        except BaseException:
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    replies.write(json.dumps(os.waitstatus_to_exitcode(status)) + "\n")
    replies.flush()
"""


class Zygote:
    """One interpreter with `modules` imported (those that import without error), jobs run one at a
    time; `folder` receives each job's output files. Started again after a job timed out."""

    def __init__(self, modules: list[str], folder: Path):
        self.modules = list(modules)
        self.folder = folder
        self.process: subprocess.Popen | None = None
        self.jobs = 0

    def run_script(self, script: Path, arguments: list[str], env: dict[str, str],
                   timeout: float) -> subprocess.CompletedProcess:
        """`python script arguments…` in the script's folder with `env` added to the environment."""
        return self._run({"kind": "script", "argv": [str(script), *arguments], "cwd": str(script.parent),
                          "env": env}, timeout)

    def run_blocks(self, blocks: list[dict], timeout: float) -> subprocess.CompletedProcess:
        """Code blocks (`code`, `path`, `line`: where the block starts) run in order in one namespace."""
        return self._run({"kind": "blocks", "blocks": blocks}, timeout)

    def _run(self, job: dict, timeout: float) -> subprocess.CompletedProcess:
        process = self._started()
        self.jobs += 1
        stdout, stderr = self.folder / f"{self.jobs}.out", self.folder / f"{self.jobs}.err"
        stdout.touch()
        stderr.touch()
        process.stdin.write(json.dumps({**job, "stdout": str(stdout), "stderr": str(stderr)}) + "\n")
        process.stdin.flush()
        ready, _, _ = select.select([process.stdout], [], [], timeout)
        if not ready:
            self.close()
            raise subprocess.TimeoutExpired(job["kind"], timeout)
        answer = process.stdout.readline()
        if not answer:
            raise RuntimeError(f"the forking interpreter stopped (exit code {process.wait()})")
        return subprocess.CompletedProcess(job["kind"], json.loads(answer), stdout.read_text(errors="replace"),
                                           stderr.read_text(errors="replace"))

    def _started(self) -> subprocess.Popen:
        if self.process is None or self.process.poll() is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            # started in the jobs' folder (no modules there): `-c` puts its folder first on sys.path
            self.process = subprocess.Popen([sys.executable, "-c", _INTERPRETER, *self.modules],
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                            start_new_session=True, cwd=self.folder)
        return self.process

    def close(self) -> None:
        """Stop the interpreter and a job it may be running."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        if self.process is not None:
            self.process.stdin.close()
            self.process.stdout.close()

    def __enter__(self):
        self._started()  # by this thread: the interpreter dies with the thread that started it
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_IMPORT = re.compile(r"^[ \t]*(?:import|from)[ \t]+([A-Za-z_][\w.]*)", re.MULTILINE)


def imported_modules(sources: list[str]) -> list[str]:
    """The modules the Python sources import (`import a.b`, `from a.b import c` → `a.b`), sorted."""
    return sorted({name for source in sources for name in _IMPORT.findall(source)})
