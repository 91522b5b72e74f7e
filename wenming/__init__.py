"""文明创建督导看板: the package behind the Streamlit pages."""
