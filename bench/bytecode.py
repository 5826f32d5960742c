"""What `pip install` does for a user: newsvault's modules compiled to bytecode before any
command is timed. With PYTHONDONTWRITEBYTECODE set (as on the machine these figures come
from), an editable install would otherwise compile them on every run: about 0.1 s of each
command and of each worker process it starts."""

import compileall
from pathlib import Path


def compile_newsvault() -> None:
    try:
        import newsvault
    except ImportError:
        return  # the bench says why newsvault cannot start
    compileall.compile_dir(Path(newsvault.__file__).parent, quiet=1)
