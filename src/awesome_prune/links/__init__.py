"""Finding the links of markdown documents and checking them."""
