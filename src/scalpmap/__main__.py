"""Run the command line with ``python -m scalpmap``."""

from scalpmap.cli.main import main

main()
