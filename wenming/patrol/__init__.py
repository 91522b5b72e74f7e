"""网格巡查: rates (metrics), the page model (the queries /patrol needs) and charts."""
