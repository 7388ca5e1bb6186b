"""Shared test kits, imported as ``helpers.<module>`` (``tests/`` is on ``sys.path``: pytest puts the folder of
the rootdir conftest there, since ``tests/`` is not a package).

- ``bundle_kit``: take a bundle apart, change it as an attacker would, zip it again; the standard return.
- ``bundle_fixtures``: real signed bundles and keys as fixtures (a pytest plugin, loaded by tests/conftest.py).
- ``pdf``: poppler's command-line tools, for tests that read rendered PDFs.
- ``collation``: signed bundles read back into the collation's input records.
- ``frozen``: the packaging tests' shared frozen build (where, what it made) and a bare environment to run it.
- ``workspace_state``: every row and stored file of a workspace, to show that nothing was written.
"""
