"""storymatch.scoring."""
