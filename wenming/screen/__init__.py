"""迎检大屏: rotation, settings, panel data and the dark view (CSS and JS as files)."""
