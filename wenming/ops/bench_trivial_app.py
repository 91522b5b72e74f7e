"""The benchmark's floor: a trivial Streamlit page (a title and a line of text, no database), served
and measured in the browser exactly like the app's pages (wenming/ops/bench_browser.py)."""
import streamlit as st

st.set_page_config(page_title="基准", layout="wide")
st.title("基准页")
st.write("一个最简单的 Streamlit 页面：没有数据库、没有图表。")
