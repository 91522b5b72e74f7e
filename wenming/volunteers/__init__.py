"""志愿服务: rates and star levels (metrics), the page model and charts."""
