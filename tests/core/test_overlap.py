"""The process's threads share two malloc arenas (glibc), unless the operator says otherwise."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import ROOT

# Eight threads allocate at once; then glibc reports its arenas (`malloc_info`, one <heap> per arena).
PROBE = textwrap.dedent(
    """
    import ctypes, re, sys, threading
    from sync import overlap
    if sys.argv[1] == "few":
        overlap.few_arenas()
    libc = ctypes.CDLL("libc.so.6")
    together = threading.Barrier(8)

    def work():
        together.wait()
        for _ in range(200):
            blocks = [bytearray(200_000) for _ in range(5)]
            del blocks

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    text, size = ctypes.c_char_p(), ctypes.c_size_t()
    libc.open_memstream.restype = ctypes.c_void_p
    stream = ctypes.c_void_p(libc.open_memstream(ctypes.byref(text), ctypes.byref(size)))
    libc.malloc_info(0, stream)
    libc.fclose(stream)
    print(len(re.findall(r"<heap nr=", text.value.decode())))
    """
)


def arenas(mode: str, **env: str) -> int:
    environment = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"} | env
    done = subprocess.run(
        [sys.executable, "-c", PROBE, mode], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    return int(done.stdout)


glibc = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc only")


@glibc
def test_threads_allocating_at_once_share_two_arenas() -> None:
    assert arenas("default") > 2  # what glibc does by itself: an arena per thread that allocates at once
    assert arenas("few") == 2


@glibc
def test_an_operators_malloc_arena_max_wins() -> None:
    assert arenas("few", MALLOC_ARENA_MAX="4") > 2
