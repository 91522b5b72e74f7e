"""Streamlit helpers shared by the pages: the only modules here that call st.*."""
