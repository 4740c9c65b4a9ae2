"""Sub-commands of ``bulkwizard-cli``; each module exposes ``register(subparsers)``.

Every command's handler returns the process exit code:
0 ok, 1 problems found or rows failed, 2 usage or input error, 3 network or authentication error.
"""

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_NETWORK = 3
