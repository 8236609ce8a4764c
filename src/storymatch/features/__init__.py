"""storymatch.features."""
