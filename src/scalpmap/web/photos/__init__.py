"""Photos: upload (several at once), view, analyse in the background, overlay (pages and API)."""
