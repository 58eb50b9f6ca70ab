"""One module per page, layout only."""
