"""Our production server on the frontend built before: `python -m bench.built PORT`.

What `make serve` runs once its build is done (the built client and the backend on one port, one Granian worker),
without building again: the browser bench (bench/browser.py) builds once, then starts a fresh process of ours for
each block in seconds. The build bakes its port into the client, so PORT must be the port it was built for.
"""

import os
import sys

from reflex_base import constants
from reflex_base.environment import environment


def main() -> None:
    port = int(sys.argv[1])
    os.environ["REFLEX_FRONTEND_PORT"] = os.environ["REFLEX_BACKEND_PORT"] = str(port)
    environment.REFLEX_ENV_MODE.set(constants.Env.PROD)
    environment.REFLEX_SKIP_COMPILE.set(True)
    from reflex.utils import exec as reflex_exec

    reflex_exec.run_backend_prod("127.0.0.1", port, constants.LogLevel.WARNING, mount_frontend_compiled_app=True)


if __name__ == "__main__":
    main()
