"""月度主题活动: the monthly activity score and ranks (metrics), the page model and charts."""
