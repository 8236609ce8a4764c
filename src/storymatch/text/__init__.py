"""storymatch.text."""
