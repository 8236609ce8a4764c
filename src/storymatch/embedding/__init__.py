"""storymatch.embedding."""
