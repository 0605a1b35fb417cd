"""Development tools beside the product: the local stack, the raw-data generator and the CLI.

Nothing here ships to Cloud Composer: ``plugins/nba_pipeline`` never imports this package
(a test checks it). It is installed into the project's virtual environment for the CLI, the
demo and the tests.
"""
