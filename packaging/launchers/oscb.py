"""Frozen-app launcher for the ``oscb`` command (console)."""

import sys


def main() -> int:
    # Imported here, not at the top, so the launcher stays a thin shim: the
    # entry point is the same function the wheel's console script calls.
    from oscb_desktop.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    # The import verifies many bundles in a pool of processes; a frozen app starts them through this launcher.
    import multiprocessing

    multiprocessing.freeze_support()
    sys.exit(main())
