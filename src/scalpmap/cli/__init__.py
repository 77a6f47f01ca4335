"""The ``scalpmap`` command line: thin typer commands that call the library."""
