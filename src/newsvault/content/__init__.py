"""What an article shows: its HTML, and the images in it (pure functions, no I/O)."""
