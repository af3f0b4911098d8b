"""sutazai-tui: a terminal monitor for the SutazAI backend and its containers.

Also, before any of our modules imports a library, two fixes to what those libraries import
(docs/architecture.md, "What a process loads"; measured with bench/tui_weight.py):
- httpx imports its command-line client (click, pygments, rich.progress, rich.syntax) whenever
  click is installed (rich and pygments always are, with Textual): ~3.4 MiB RSS and ~40 modules
  that no process of ours uses. A None entry makes that import fail; httpx then keeps a stub `main`.
- httpcore runs `import sniffio` on every request; without sniffio installed (anyio 4 no longer
  needs it) each failed import searches sys.path again, ~1.7 ms a request on a busy host. A None
  entry makes it fail at once, the same answer.
"""

import importlib.util
import sys

__version__ = "0.1.0"

if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
    sys.modules["sniffio"] = None  # type: ignore[assignment]
