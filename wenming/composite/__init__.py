"""综合考核: the month's inputs and scores (month), rule lines (scoring), explanations and charts."""
