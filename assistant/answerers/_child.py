"""The local model's server process: llama_cpp.server, which exits when the assistant that started it is gone.

Run as a script (`python _child.py PARENT_PID SERVER_ARGS...`), so it imports nothing of the assistant.
A watchdog thread checks the parent; a parent killed outright (no atexit) must not leave a model in memory.
"""

import os
import runpy
import sys
import threading
import time

parent = int(sys.argv[1])
sys.argv = ["llama_cpp.server", *sys.argv[2:]]


def watch() -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


threading.Thread(target=watch, daemon=True).start()
runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)
