"""storymatch.comparison."""
