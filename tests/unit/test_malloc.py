"""util/malloc: on glibc, one malloc arena for all threads once `lean_malloc` ran (issue 19)."""

from __future__ import annotations

import ctypes
import subprocess
import sys
from pathlib import Path

import pytest

# A fresh process (the arena limit is fixed once set): four threads allocate and hold memory
# malloc serves (pymalloc passes blocks over 512 bytes on), then glibc's malloc_info counts heaps.
CHILD = """
import ctypes, sys, threading
from sutazai_tui.util.malloc import lean_malloc, release_free_memory
if sys.argv[1] == "lean":
    assert lean_malloc()
held, barrier = [], threading.Barrier(5)
def work():
    held.append([bytes(2000 + i) for i in range(2000)])
    barrier.wait()
threads = [threading.Thread(target=work) for _ in range(4)]
for t in threads:
    t.start()
barrier.wait()
libc = ctypes.CDLL(None)
libc.fopen.restype = ctypes.c_void_p
libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
libc.fclose.argtypes = [ctypes.c_void_p]
out = libc.fopen(sys.argv[2].encode(), b"w")
libc.malloc_info(0, out)
libc.fclose(out)
release_free_memory()
for t in threads:
    t.join()
"""


def glibc() -> bool:
    return sys.platform.startswith("linux") and hasattr(ctypes.CDLL(None), "gnu_get_libc_version")


def heaps(mode: str, tmp_path: Path) -> int:
    report = tmp_path / f"{mode}.xml"
    subprocess.run([sys.executable, "-c", CHILD, mode, str(report)], check=True, timeout=60)
    return report.read_text().count("<heap nr=")


@pytest.mark.skipif(not glibc(), reason="malloc arenas are glibc's")
def test_one_arena_for_every_thread_after_lean_malloc(tmp_path: Path) -> None:
    assert heaps("default", tmp_path) > 1  # the reference: threads got arenas of their own
    assert heaps("lean", tmp_path) == 1
