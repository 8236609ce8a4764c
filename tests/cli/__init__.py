"""Tests of the `storymatch` command (src/storymatch/cli/); a package, so that test_compare.py here and in
tests/comparison/ are two modules."""
