"""红黑榜: entry rules (metrics), the page model and charts."""
